// Steps: each input's schema flows in; lookups, filters, mappings, dedupe and rules are typed against it.
import type { CheckedExpr, ParamValue } from '../expr/check.js';
import { schemaMap, type ColumnInfo, type RowSchema } from '../expr/row-schema.js';
import { T, comparable, nullable, typeToString, unify, type Type } from '../expr/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { maxTextLength } from '../expr/text-length.js';
import type { Path } from '../spec/locate.js';
import type { DedupeSpec, RuleSpec, StepSpec } from '../spec/spec.js';
import { coerce } from './params.js';
import type { CheckContext } from './context.js';

export interface LookupAnalysis {
  alias: string;
  from: string;
  key: string[];
  on: { text: string; checked: CheckedExpr }[];
  required: boolean;
}

export interface StepAnalysis {
  name: string;
  inputs: string[];
  union: boolean;
  lookups: LookupAnalysis[];
  where?: { text: string; checked: CheckedExpr };
  columns?: { name: string; text: string; checked: CheckedExpr }[];
  schema: RowSchema;
  /** For each output column, the input columns (`step.column`) it is computed from. */
  lineage: Record<string, string[]>;
}

/** The columns of something that failed its own checks: any name is accepted, of unknown type. */
class AnyColumns extends Map<string, Type> {
  override get(): Type {
    return T.any;
  }
  override has(): boolean {
    return true;
  }
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

export function checkStep(ctx: CheckContext, name: string, schemas: ReadonlyMap<string, RowSchema>, params: ReadonlyMap<string, ParamValue>): StepAnalysis | undefined {
  const step = ctx.spec.steps![name]!;
  const path: Path = ['steps', name];
  const inputs = step.union ?? (step.from ? [step.from] : []);
  const inputSchemas = inputs.map((i) => schemas.get(i));
  if (inputs.length === 0 || inputSchemas.some((s) => !s)) return undefined; // reported elsewhere
  const read = step.union ? unionSchema(ctx, name, step, inputSchemas as RowSchema[]) : inputSchemas[0]!;
  if (!read) return undefined;
  const input = step.unnest ? unnestSchema(ctx, name, step.unnest, read) : read;
  if (!input) return undefined;

  const inputName = step.from ?? name;
  const columns = schemaMap(input);
  const qualifiers = new Map<string, ReadonlyMap<string, Type>>([[inputName, columns]]);
  // A lookup's `on` sees the input only: lookups are independent of each other (no chaining).
  const baseScope = { columns, qualifiers: new Map(qualifiers), params };
  let ok = true;

  const lookups: LookupAnalysis[] = [];
  for (const [alias, l] of Object.entries(step.lookup ?? {})) {
    const lpath = [...path, 'lookup', alias];
    const ls = schemas.get(l.from);
    if (!ls) {
      // What it reads is broken (reported there): its columns are unknown, not the alias.
      ok = false;
      qualifiers.set(alias, new AnyColumns());
      continue;
    }
    if (qualifiers.has(alias)) ctx.reportKey('SF206', `\`${alias}\` already names this step's input`, lpath, 'choose another alias');
    const lcols = schemaMap(ls);
    const key = list(l.key);
    const on = list(l.on);
    if (key.length !== on.length) ctx.report('SF117', `lookup \`${alias}\` has ${key.length} key column(s) but ${on.length} \`on\` value(s)`, [...lpath, 'on']);
    const ons: { text: string; checked: CheckedExpr }[] = [];
    key.forEach((k, i) => {
      const kt = lcols.get(k);
      const kpath = Array.isArray(l.key) ? [...lpath, 'key', i] : [...lpath, 'key'];
      if (!kt) ctx.report('SF208', `\`${l.from}\` has no column \`${k}\``, kpath, didYouMean(k, lcols.keys()));
      const text = on[i];
      if (text === undefined) return;
      const opath = Array.isArray(l.on) ? [...lpath, 'on', i] : [...lpath, 'on'];
      const checked = ctx.expression(opath, text, baseScope);
      if (!checked) return void (ok = false);
      if (kt && !comparable(kt, checked.type)) ctx.report('SF306', `lookup key \`${k}\` is ${typeToString(kt)} but \`on\` gives ${typeToString(checked.type)}`, opath);
      ons.push({ text, checked });
    });
    const required = l.required ?? false;
    // A lookup that may find nothing gives null for all its columns.
    qualifiers.set(alias, new Map([...lcols].map(([c, t]) => [c, required ? t : nullable(t, true)])));
    lookups.push({ alias, from: l.from, key, on: ons, required });
  }

  const scope = { columns, qualifiers, params };
  const analysis: StepAnalysis = { name, inputs, union: !!step.union, lookups, schema: input, lineage: {} };
  if (step.where !== undefined) {
    const checked = ctx.condition([...path, 'where'], step.where, scope);
    if (checked && checked.type.kind !== 'bool' && checked.type.kind !== 'any') ctx.report('SF311', `\`where\` must be a condition (bool), not ${typeToString(checked.type)}`, [...path, 'where']);
    if (checked) analysis.where = { text: step.where, checked };
    else ok = false;
  }
  // Declared text lengths of the input's and the lookups' columns, carried to the columns that copy them.
  const lengthOf = (q: string | undefined, n: string): number | undefined => {
    const schema = q === undefined || q === inputName ? input : schemas.get(step.lookup?.[q]?.from ?? '');
    return schema?.find((c) => c.name === n)?.maxLength;
  };
  if (step.columns) {
    const out: ColumnInfo[] = [];
    analysis.columns = [];
    for (const [col, text] of Object.entries(step.columns)) {
      const cpath = [...path, 'columns', col];
      if (typeof text !== 'string') continue;
      const checked = ctx.expression(cpath, text, scope);
      if (!checked) {
        // Still a column of the step (of unknown type): its rules and keys are not reported again.
        ok = false;
        out.push({ name: col, type: T.any });
        continue;
      }
      if (checked.type.kind === 'list' || checked.type.kind === 'map') {
        ctx.report('SF306', `column \`${col}\` would hold ${typeToString(checked.type)}; columns hold single values`, cpath, 'use join(list, \',\') for a list');
        ok = false;
      }
      analysis.columns.push({ name: col, text, checked });
      const maxLength = checked.type.kind === 'string' ? maxTextLength(checked.expr, lengthOf) : undefined;
      // Why the column may be null, when it is a lookup that may find nothing (here or in a step before).
      const carried = (r: string) => input.find((c) => c.name === (r.startsWith(`${inputName}.`) ? r.slice(inputName.length + 1) : r))?.nullableVia;
      const via = checked.type.nullable ? (lookups.find((l) => !l.required && checked.reads.some((r) => r.startsWith(`${l.alias}.`)))?.alias ?? checked.reads.map(carried).find((v) => v !== undefined)) : undefined;
      out.push({ name: col, type: checked.type.kind === 'null' ? { kind: 'string', nullable: true } : checked.type, ...(maxLength !== undefined ? { maxLength } : {}), ...(via ? { nullableVia: via } : {}) });
      analysis.lineage[col] = checked.reads.flatMap((r) => {
        const dot = r.indexOf('.');
        if (dot >= 0 && r.slice(0, dot) !== inputName) return [r];
        const c = dot >= 0 ? r.slice(dot + 1) : r;
        return inputs.map((i) => `${i}.${c}`);
      });
    }
    analysis.schema = out;
  } else {
    for (const c of input) analysis.lineage[c.name] = inputs.map((i) => `${i}.${c.name}`);
  }
  checkKeysAndRules(ctx, name, step, analysis.schema, schemas, params);
  if (step.number) {
    const cols = schemaMap(analysis.schema);
    const within = list(step.number.within);
    within.forEach((k, i) => {
      if (!cols.has(k)) ctx.report('SF208', `step \`${name}\` has no column \`${k}\``, Array.isArray(step.number!.within) ? ['steps', name, 'number', 'within', i] : ['steps', name, 'number', 'within'], didYouMean(k, cols.keys()));
    });
    if (cols.has(step.number.as)) {
      ok = false;
      ctx.report('SF117', `step \`${name}\` already has a column \`${step.number.as}\``, ['steps', name, 'number', 'as'], 'name the numbering column something new');
    } else {
      analysis.schema = [...analysis.schema, { name: step.number.as, type: { kind: 'int', nullable: false } }];
      analysis.lineage[step.number.as] = [];
    }
  }
  return ok ? analysis : undefined;
}

function unionSchema(ctx: CheckContext, name: string, step: StepSpec, inputs: RowSchema[]): RowSchema | undefined {
  const first = inputs[0]!;
  const out: ColumnInfo[] = first.map((c) => ({ ...c }));
  let ok = true;
  inputs.slice(1).forEach((s, k) => {
    const i = k + 1;
    const path = ['steps', name, 'union', i];
    const a = first.map((c) => c.name).join(', ');
    const b = s.map((c) => c.name).join(', ');
    if (a !== b) {
      ok = false;
      const missing = first.filter((c) => !s.some((x) => x.name === c.name)).map((c) => c.name);
      const extra = s.filter((c) => !first.some((x) => x.name === c.name)).map((c) => c.name);
      const detail = missing.length || extra.length ? `${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `extra ${extra.join(', ')}` : ''}` : 'same columns in another order';
      ctx.report('SF213', `\`${step.union![i]}\` does not have the columns of \`${step.union![0]}\` (${detail})`, path, 'every input of a union must list the same columns in the same order');
      return;
    }
    s.forEach((c, j) => {
      const u = unify(out[j]!.type, c.type);
      // The longest text of a union's column is the longest of its inputs', when all are known.
      const a = out[j]!.maxLength;
      if (a !== undefined && c.maxLength !== undefined) out[j]!.maxLength = Math.max(a, c.maxLength);
      else delete out[j]!.maxLength;
      if (!u) {
        ok = false;
        ctx.report('SF213', `column \`${c.name}\` is ${typeToString(c.type)} in \`${step.union![i]}\` but ${typeToString(out[j]!.type)} in \`${step.union![0]}\``, path);
      } else out[j]!.type = u;
    });
  });
  return ok ? out : undefined;
}

function checkKeysAndRules(ctx: CheckContext, name: string, step: StepSpec, schema: RowSchema, schemas: ReadonlyMap<string, RowSchema>, params: ReadonlyMap<string, ParamValue>): void {
  const cols = schemaMap(schema);
  const path = ['steps', name];
  const need = (col: string, p: Path) => {
    if (!cols.has(col)) ctx.report('SF208', `step \`${name}\` has no column \`${col}\``, p, didYouMean(col, cols.keys()) ?? `its columns: ${[...cols.keys()].join(', ')}`);
  };
  if (step.dedupe) {
    const keys = list(step.dedupe.key);
    keys.forEach((k, i) => need(k, Array.isArray(step.dedupe!.key) ? [...path, 'dedupe', 'key', i] : [...path, 'dedupe', 'key']));
    checkPrefer(ctx, step.dedupe, [...path, 'dedupe'], cols, need);
  }
  (step.rules ?? []).forEach((rule, i) => checkRule(ctx, rule, [...path, 'rules', i], cols, need, schemas, params));
}

/** The input with `unnest.as` added (the element type of the list column), or undefined when it cannot be. */
function unnestSchema(ctx: CheckContext, name: string, u: { column: string; as: string }, input: RowSchema): RowSchema | undefined {
  const path = ['steps', name, 'unnest'];
  const col = input.find((c) => c.name === u.column);
  if (!col) {
    ctx.report('SF208', `step \`${name}\` has no column \`${u.column}\` to unnest`, [...path, 'column'], didYouMean(u.column, input.map((c) => c.name)));
    return undefined;
  }
  if (col.type.kind !== 'list') {
    ctx.report('SF262', `\`${u.column}\` is ${typeToString(col.type)}, not a list: there is nothing to fan out`, [...path, 'column'], 'unnest a list<…> column (OneRoster grades, orgSourcedIds, …)');
    return undefined;
  }
  if (input.some((c) => c.name === u.as)) {
    ctx.report('SF262', `step \`${name}\` already has a column \`${u.as}\``, [...path, 'as'], 'name the element column something new');
    return undefined;
  }
  return [...input, { name: u.as, type: { ...(col.type.element ?? { kind: 'string' }), nullable: false } as Type }];
}

/** `prefer:` names columns of the step, holds values of their type, and needs a row to keep. */
function checkPrefer(ctx: CheckContext, dedupe: DedupeSpec, path: Path, cols: ReadonlyMap<string, Type>, need: (c: string, p: Path) => void): void {
  if (!dedupe.prefer) return;
  if (dedupe.keep === 'reject') {
    ctx.report('SF260', '`prefer` picks which row of a key to keep, but `keep: reject` keeps the first and rejects the others', [...path, 'prefer'], 'use `keep: first` (ties go to the first row read) or `keep: last`');
    return;
  }
  for (const [column, values] of Object.entries(dedupe.prefer)) {
    need(column, [...path, 'prefer', column]);
    const type = cols.get(column);
    if (!type) continue;
    values.forEach((v, i) => {
      const c = coerce(v, type);
      if (!c.ok) ctx.report('SF261', `\`${column}\` is ${typeToString(type)}: ${c.why}`, [...path, 'prefer', column, i], `list values ${column} can hold, in order of preference`);
    });
    const seen = new Set<unknown>();
    values.forEach((v, i) => {
      const c = coerce(v, type);
      if (c.ok && seen.has(c.value)) ctx.report('SF261', `${JSON.stringify(v)} is listed twice for \`${column}\``, [...path, 'prefer', column, i], 'list each value once');
      if (c.ok) seen.add(c.value);
    });
  }
}

function checkRule(ctx: CheckContext, rule: RuleSpec, path: Path, cols: ReadonlyMap<string, Type>, need: (c: string, p: Path) => void, schemas: ReadonlyMap<string, RowSchema>, params: ReadonlyMap<string, ParamValue>): void {
  const kinds = ['required', 'unique', 'matches', 'one_of', 'max_length', 'references', 'check'].filter((k) => k in rule);
  if (kinds.length !== 1) {
    ctx.report('SF117', kinds.length === 0 ? 'a rule needs one of required, unique, matches, one_of, max_length, references, check' : `a rule has one kind, not ${kinds.join(' and ')}`, path);
    return;
  }
  if ('required' in rule) list(rule.required).forEach((c, i) => need(c, Array.isArray(rule.required) ? [...path, 'required', i] : [...path, 'required']));
  if ('unique' in rule) list(rule.unique).forEach((c, i) => need(c, Array.isArray(rule.unique) ? [...path, 'unique', i] : [...path, 'unique']));
  if ('matches' in rule) {
    for (const [c, re] of Object.entries(rule.matches)) {
      need(c, [...path, 'matches', c]);
      try {
        new RegExp(re, 'u');
      } catch (e) {
        ctx.report('SF114', `\`${re}\` is not a valid regular expression: ${(e as Error).message}`, [...path, 'matches', c]);
      }
    }
  }
  if ('one_of' in rule) for (const c of Object.keys(rule.one_of)) need(c, [...path, 'one_of', c]);
  if ('max_length' in rule) for (const c of Object.keys(rule.max_length)) need(c, [...path, 'max_length', c]);
  if ('references' in rule) {
    need(rule.references.column, [...path, 'references', 'column']);
    const target = schemas.get(rule.references.step);
    if (target && !target.some((c) => c.name === rule.references.key)) {
      ctx.report('SF208', `\`${rule.references.step}\` has no column \`${rule.references.key}\``, [...path, 'references', 'key'], didYouMean(rule.references.key, target.map((c) => c.name)));
    }
  }
  if ('check' in rule) {
    if (!rule.message) ctx.report('SF111', 'a `check` rule needs a `message` saying what is wrong', path);
    const checked = ctx.expression([...path, 'check'], rule.check, { columns: cols, qualifiers: new Map(), params });
    if (checked && checked.type.kind !== 'bool' && checked.type.kind !== 'any') ctx.report('SF311', `\`check\` must be a condition (bool), not ${typeToString(checked.type)}`, [...path, 'check']);
  }
}
