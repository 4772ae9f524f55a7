// Compiles a spec into a JobPlan: load → validate → check → plan. Pure; never throws on bad input.
import type { Needs } from '../connector/connector.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source-text.js';
import type { RowSchema } from '../expr/row-schema.js';
import { typeToString } from '../expr/types.js';
import { analyze, type Analysis, type AnalyzeOptions } from '../check/analyze.js';
import { loadSpec } from '../spec/load-spec.js';
import type { DedupeSpec, RuleSpec } from '../spec/spec.js';
import { coerce } from '../check/params.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { PLAN_VERSION, type JobPlan, type PlanColumn, type PlanRule, type PlanStep, type PlanTableImport, type PlanTransform } from './plan.js';
import { importSlice, type OutputAnalysis } from '../check/outputs.js';

export interface CompileResult {
  plan?: JobPlan;
  analysis?: Analysis;
  diagnostics: Diagnostic[];
  /** The spec text, for printing code frames. */
  source?: SourceText;
}

export function compile(input: string | Uint8Array, file: string, options: AnalyzeOptions): CompileResult {
  const loaded = loadSpec(input, file);
  const base = loaded.source ? { source: loaded.source } : {};
  if (!loaded.value) return { diagnostics: sortDiagnostics(loaded.diagnostics), ...base };
  const { analysis, context } = analyze(loaded.value, options);
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...context.diagnostics]);
  if (hasErrors(diagnostics)) return { diagnostics, analysis, ...base };
  return { plan: buildPlan(analysis), analysis, diagnostics, ...base };
}

const columns = (schema: RowSchema): PlanColumn[] => schema.map((c) => ({ name: c.name, type: typeToString(c.type) }));
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** A source's needs with the columns its `where` tests added to the tables it reads. */
function withColumns(n: Needs | undefined, extra: string[]): Needs | undefined {
  if (!n?.tables || extra.length === 0) return n;
  return {
    ...n,
    tables: n.tables.map((t) => (t.access === 'read' && t.columns ? { ...t, columns: [...new Set([...t.columns, ...extra])] } : t)),
  };
}

export function buildPlan(a: Analysis): JobPlan {
  const { spec } = a;
  const steps: PlanStep[] = [];
  const needs: Record<string, Needs> = {};
  const addNeeds = (connection: string, n: Needs | undefined) => {
    if (!n) return;
    const cur = (needs[connection] ??= {});
    if (n.tables) cur.tables = [...(cur.tables ?? []), ...n.tables].sort((x, y) => (x.name + x.access < y.name + y.access ? -1 : 1));
    if (n.permissions) cur.permissions = [...new Set([...(cur.permissions ?? []), ...n.permissions])].sort();
  };
  for (const name of a.order) {
    const src = a.sources.get(name);
    if (src) {
      steps.push({
        kind: 'source',
        name,
        connection: src.connection,
        use: src.use,
        settings: src.settings,
        schema: columns(src.schema),
        ...(src.filter ? { filter: { expression: src.filter.text, residual: src.filter.residual, ...(src.filter.pushdown ? { pushdown: src.filter.pushdown } : {}) } } : {}),
        ...(src.filter && src.description.filterSchema ? { filterSchema: columns(src.description.filterSchema) } : {}),
        ...(typeof spec.sources[name]!.allow_empty === 'boolean' ? { allowEmpty: spec.sources[name]!.allow_empty } : {}),
      });
      addNeeds(src.connection, withColumns(src.description.needs, src.filter?.reads ?? []));
      continue;
    }
    const st = a.steps.get(name)!;
    const spec_ = spec.steps![name]!;
    steps.push({
      kind: 'transform',
      name,
      inputs: st.inputs,
      lookups: st.lookups.map((l) => ({ alias: l.alias, from: l.from, key: l.key, on: l.on.map((o) => o.text), required: l.required, columns: aliasReads(st, l.alias) })),
      ...(st.where ? { where: st.where.text } : {}),
      ...(st.columns ? { columns: st.columns.map((c) => ({ name: c.name, expression: c.text })) } : {}),
      ...(spec_.dedupe ? { dedupe: planDedupe(spec_.dedupe, st.schema) } : {}),
      ...(spec_.number ? { number: { within: list(spec_.number.within), as: spec_.number.as } } : {}),
      ...(spec_.unnest ? { unnest: { column: spec_.unnest.column, as: spec_.unnest.as } } : {}),
      rules: (spec_.rules ?? []).flatMap(planRules),
      schema: columns(st.schema),
    });
  }
  const outputs = [...a.outputs.values()].map((o) => {
    addNeeds(o.connection, o.description.needs);
    return {
      name: o.name,
      from: o.from,
      connection: o.connection,
      use: o.use,
      settings: o.settings,
      target: o.description.target,
      schema: columns(o.schema),
      lineage: sourceLineage(a, o.from),
      ...(o.description.table ? { table: tableImport(a, o) } : {}),
    };
  });
  const notify = [...a.notify.values()].map((n) => ({ name: n.name, connection: n.connection, use: n.use, settings: n.settings, when: n.when, attach: n.attach, target: n.target }));
  const usedConnections = new Set([...a.sources.values()].map((s) => s.connection).concat(outputs.map((o) => o.connection), notify.map((n) => n.connection)));
  if (spec.rejects?.to) usedConnections.add(spec.rejects.to);
  const connections: JobPlan['connections'] = {};
  for (const name of [...usedConnections].sort()) {
    const { use, ...settings } = spec.connections![name]!;
    connections[name] = { use, settings };
  }
  const params: JobPlan['params'] = {};
  for (const [name, p] of [...a.params].sort(([x], [y]) => (x < y ? -1 : 1))) params[name] = { type: typeToString(p.type), value: p.value };
  const body: Omit<JobPlan, 'hash'> = {
    planVersion: PLAN_VERSION,
    name: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    ...(a.profile ? { profile: a.profile } : {}),
    params,
    connections,
    steps,
    outputs,
    notify,
    rejects: spec.rejects ?? {},
    ...(spec.schedule ? { schedule: { cron: spec.schedule.cron, timezone: spec.schedule.timezone } } : {}),
    needs,
    tests: spec.tests?.length ?? 0,
  };
  return { ...body, hash: sha256Hex(canonicalJson(body)) } as JobPlan;
}

/** A table import: its slices, the imports it holds with, what its columns accept. */
function tableImport(a: Analysis, o: OutputAnalysis): PlanTableImport {
  const slice = importSlice(a.spec, o);
  return { ...(slice ? { slice } : {}), holdWith: a.spec.outputs[o.name]!.hold_with ?? [], columns: o.description.table!.columns };
}

function planRules(r: RuleSpec): PlanRule[] {
  const named = r.name ? { name: r.name } : {};
  if ('required' in r) return [{ kind: 'required', columns: list(r.required), ...named }];
  if ('unique' in r) return [{ kind: 'unique', columns: list(r.unique), ...named }];
  if ('matches' in r) return Object.entries(r.matches).map(([column, pattern]) => ({ kind: 'matches', column, pattern, ...named }));
  if ('one_of' in r) return Object.entries(r.one_of).map(([column, values]) => ({ kind: 'one_of', column, values, ...named }));
  if ('max_length' in r) return Object.entries(r.max_length).map(([column, max]) => ({ kind: 'max_length', column, max, ...named }));
  if ('references' in r) return [{ kind: 'references', ...r.references, ...named }];
  return [{ kind: 'check', expression: r.check, message: r.message, ...named }];
}

/** Follows each column back through steps to the source columns it is computed from. */
function sourceLineage(a: Analysis, from: string): Record<string, string[]> {
  const resolve = (ref: string, seen: Set<string>): string[] => {
    const dot = ref.indexOf('.');
    const node = ref.slice(0, dot);
    const col = ref.slice(dot + 1);
    if (a.sources.has(node)) return [ref];
    const st = a.steps.get(node);
    if (!st || seen.has(ref)) return [];
    const next = new Set(seen).add(ref);
    const alias = st.lookups.find((l) => l.alias === node);
    if (alias) return resolve(`${alias.from}.${col}`, next);
    return (st.lineage[col] ?? []).flatMap((r) => {
      const [q, c] = [r.slice(0, r.indexOf('.')), r.slice(r.indexOf('.') + 1)];
      const lk = st.lookups.find((l) => l.alias === q);
      return resolve(lk ? `${lk.from}.${c}` : r, next);
    });
  };
  const out: Record<string, string[]> = {};
  const schema = a.schemas.get(from) ?? [];
  for (const c of schema) out[c.name] = [...new Set(resolve(`${from}.${c.name}`, new Set()))].sort();
  return out;
}

/** A step's dedupe for the plan: `prefer` values typed like their column (the checker vouched for them). */
function planDedupe(d: DedupeSpec, schema: RowSchema): NonNullable<PlanTransform['dedupe']> {
  const prefer = Object.entries(d.prefer ?? {}).map(([column, values]) => {
    const type = schema.find((c) => c.name === column)!.type;
    return { column, values: values.map((v) => { const c = coerce(v, type); return (c.ok ? c.value : v) as string | number | boolean; }) };
  });
  return { key: list(d.key), keep: d.keep, ...(prefer.length > 0 ? { prefer } : {}) };
}

/** The columns of a lookup's side a step's expressions read as `alias.column`. */
function aliasReads(st: { where?: { checked: { reads: string[] } }; columns?: { checked: { reads: string[] } }[] }, alias: string): string[] {
  const prefix = `${alias}.`;
  const reads = [...(st.where?.checked.reads ?? []), ...(st.columns ?? []).flatMap((c) => c.checked.reads)];
  return [...new Set(reads.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length)))].sort();
}
