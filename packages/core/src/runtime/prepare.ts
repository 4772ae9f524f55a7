// A job plan back into executable pieces: each expression is parsed and checked again against the
// plan's typed schemas, then compiled to JavaScript (one function per step). A plan is data, so
// it can be written to a file and run elsewhere; this is where it becomes code again.
import type { Row } from '../connector/connector.js';
import { checkExpression, type CheckedExpr, type ExprScope, type ParamValue } from '../expr/check.js';
import { compileRowExpression, compileStep, type StepFunction } from '../expr/compile-step.js';
import { parseExpression } from '../expr/parser.js';
import { schemaMap, type RowSchema } from '../expr/row-schema.js';
import { nullable, parseTypeName, unify, type Type } from '../expr/types.js';
import type { JobPlan, PlanColumn, PlanRule, PlanSource, PlanTransform } from '../plan/plan.js';

export class PlanError extends Error {}

export interface PreparedLookup {
  alias: string;
  from: string;
  key: string[];
  on: ((row: Row) => unknown)[];
  required: boolean;
}

export interface PreparedTransform {
  plan: PlanTransform;
  fn: StepFunction;
  lookups: PreparedLookup[];
  rules: PreparedRule[];
  /** The generated JavaScript, for `sisflow plan --explain`. */
  source: string;
  /** Which input columns each part of the step reads: what a refused row's unread cells make unknown. */
  depends: StepDepends;
}

/**
 * The input columns each output column, lookup key and the filter depend on (a lookup's columns
 * count as its key's inputs). Absent `columns`: the step passes its input's columns on.
 */
export interface StepDepends {
  columns?: Map<string, ReadonlySet<string>>;
  lookups: ReadonlySet<string>[];
  where: ReadonlySet<string>;
}

export type PreparedRule = PlanRule & { test?: (row: Row) => unknown; regex?: RegExp };

export interface PreparedSource {
  plan: PlanSource;
  /** Conjuncts of `where` the source could not run, evaluated here. */
  residual?: (row: Row) => unknown;
  /** The whole `where`, for rows that did not come through the database (spec tests). */
  where?: (row: Row) => unknown;
  /** The columns given rows may carry (spec tests): the filter's columns when wider than the read ones. */
  givenSchema: RowSchema;
  /** Columns declared non-null: a null in one is a bad row, not a crash further down. */
  required: string[];
}

export interface PreparedPlan {
  plan: JobPlan;
  params: Map<string, ParamValue>;
  sources: Map<string, PreparedSource>;
  transforms: Map<string, PreparedTransform>;
  schemas: Map<string, RowSchema>;
}

export function prepare(plan: JobPlan): PreparedPlan {
  const params = new Map<string, ParamValue>();
  for (const [name, p] of Object.entries(plan.params)) params.set(name, { type: typeOf(p.type, `parameter ${name}`), value: p.value });
  const schemas = new Map<string, RowSchema>();
  const sources = new Map<string, PreparedSource>();
  const transforms = new Map<string, PreparedTransform>();
  for (const step of plan.steps) {
    const schema = toSchema(step.schema, step.name);
    schemas.set(step.name, schema);
    if (step.kind === 'source') sources.set(step.name, prepareSource(step, schema, params));
    else transforms.set(step.name, prepareTransform(step, schemas, params));
  }
  return { plan, params, sources, transforms, schemas };
}

function prepareSource(step: PlanSource, schema: RowSchema, params: Map<string, ParamValue>): PreparedSource {
  const required = schema.filter((c) => !c.type.nullable).map((c) => c.name);
  const givenSchema = step.filterSchema ? toSchema(step.filterSchema, step.name) : schema;
  if (!step.filter) return { plan: step, required, givenSchema };
  const scopeOf = (s: RowSchema): ExprScope => {
    const columns = schemaMap(s);
    return { columns, qualifiers: new Map([[step.name, columns]]), params };
  };
  const compileFilter = (text: string, s: RowSchema) => compileRowExpression(check(text, scopeOf(s), step.name), step.name, params);
  const where = compileFilter(step.filter.expression, givenSchema);
  const residual = step.filter.residual.map((t) => compileFilter(t, schema));
  return {
    plan: step,
    required,
    givenSchema,
    where,
    ...(residual.length > 0 ? { residual: (row: Row) => residual.every((t) => t(row) === true) } : {}),
  };
}

function prepareTransform(step: PlanTransform, schemas: Map<string, RowSchema>, params: Map<string, ParamValue>): PreparedTransform {
  const inputs = step.inputs.map((i) => schemas.get(i) ?? fail(`step ${step.name} reads ${i}, which comes later in the plan`));
  const read = inputs.length === 1 ? inputs[0]! : unionOf(inputs, step.name);
  const listType = step.unnest ? read.find((c) => c.name === step.unnest!.column)?.type : undefined;
  const input = step.unnest ? [...read, { name: step.unnest.as, type: { ...(listType?.element ?? { kind: 'string' }), nullable: false } as Type }] : read;
  const inputName = inputs.length === 1 ? step.inputs[0]! : step.name;
  const columns = schemaMap(input);
  const qualifiers = new Map<string, ReadonlyMap<string, Type>>([[inputName, columns]]);
  const base: ExprScope = { columns, qualifiers, params };
  const lookups: PreparedLookup[] = step.lookups.map((l) => {
    const ls = schemas.get(l.from) ?? fail(`lookup ${l.alias} reads ${l.from}, which comes later in the plan`);
    const on = l.on.map((text) => compileRowExpression(check(text, base, step.name), inputName, params));
    qualifiers.set(l.alias, new Map(ls.map((c) => [c.name, l.required ? c.type : nullable(c.type, true)])));
    return { alias: l.alias, from: l.from, key: l.key, on, required: l.required };
  });
  const where = step.where !== undefined ? check(step.where, base, step.name) : undefined;
  const cols = step.columns?.map((c) => ({ name: c.name, expr: check(c.expression, base, step.name) }));
  const compiled = compileStep({
    input: inputName,
    lookups: lookups.map((l) => l.alias),
    ...(where ? { where } : {}),
    ...(cols ? { columns: cols } : {}),
    params,
  });
  const outCols = schemaMap(schemas.get(step.name) ?? toSchema(step.schema, step.name));
  const outScope: ExprScope = { columns: outCols, qualifiers: new Map(), params };
  const rules: PreparedRule[] = step.rules.map((r) => {
    if (r.kind === 'check') return { ...r, test: compileRowExpression(check(r.expression, outScope, step.name), step.name, params) };
    if (r.kind === 'matches') return { ...r, regex: new RegExp(r.pattern, 'u') };
    return r;
  });
  const onReads = step.lookups.map((l) => new Set(l.on.flatMap((text) => check(text, base, step.name).reads)));
  const depends = (reads: string[]): ReadonlySet<string> => {
    const out = new Set<string>();
    for (const r of reads) {
      const dot = r.indexOf('.');
      const q = dot > 0 ? r.slice(0, dot) : undefined;
      const alias = q === undefined ? -1 : step.lookups.findIndex((l) => l.alias === q);
      if (alias >= 0) onReads[alias]!.forEach((c) => out.add(resolveInput(c)));
      else out.add(q !== undefined && q === inputName && !columns.has(r) ? r.slice(dot + 1) : r);
    }
    return out;
  };
  const resolveInput = (r: string) => (r.startsWith(`${inputName}.`) && !columns.has(r) ? r.slice(inputName.length + 1) : r);
  return {
    plan: step,
    fn: compiled.fn,
    lookups,
    rules,
    source: compiled.source,
    depends: {
      ...(cols ? { columns: new Map(cols.map((c) => [c.name, depends(c.expr.reads)])) } : {}),
      lookups: onReads.map((r) => new Set([...r].map(resolveInput))),
      where: where ? depends(where.reads) : new Set(),
    },
  };
}

function check(text: string, scope: ExprScope, where: string): CheckedExpr {
  const parsed = parseExpression(text);
  if (!parsed.expr || parsed.errors.length > 0) fail(`${where}: \`${text}\` does not parse: ${parsed.errors[0]?.message}`);
  const { checked, problems } = checkExpression(parsed.expr, scope);
  if (problems.length > 0) fail(`${where}: \`${text}\`: ${problems[0]!.message}`);
  return checked;
}

function unionOf(inputs: RowSchema[], name: string): RowSchema {
  return inputs[0]!.map((c, j) => ({
    name: c.name,
    type: inputs.slice(1).reduce<Type>((t, s) => unify(t, s[j]!.type) ?? fail(`union ${name}: column ${c.name} has incompatible types`), c.type),
  }));
}

function toSchema(cols: PlanColumn[], where: string): RowSchema {
  return cols.map((c) => ({ name: c.name, type: typeOf(c.type, `${where}.${c.name}`) }));
}

function typeOf(name: string, where: string): Type {
  return parseTypeName(name) ?? fail(`${where} has an unknown type ${name}`);
}

function fail(message: string): never {
  throw new PlanError(`the plan does not compile: ${message}`);
}
