// What changed between two job plans, in the terms a reviewer checks: a column's expression, a
// rule, a filter and the SQL it is pushed down as, an output's settings, the grants a spec needs,
// its schedule and parameters. `sisflow plan SPEC --diff OLD` prints it; the plan hash only says
// *that* something changed.
import { canonicalJson } from './canonical-json.js';
import type { JobPlan, PlanStep } from './plan.js';

export interface PlanChange {
  kind: 'added' | 'removed' | 'changed';
  /** What it is, e.g. "step patrons: rule 3" or "source students: where (sqlite)". */
  what: string;
  before?: string;
  after?: string;
}

/** Every change from `before` to `after`, in the order the plan reads (params, sources and steps, outputs, …). */
export function diffPlans(before: JobPlan, after: JobPlan): PlanChange[] {
  const a = facts(before);
  const b = facts(after);
  const changes: PlanChange[] = [];
  const order = [...new Set([...b.keys(), ...a.keys()])];
  for (const what of order) {
    const x = a.get(what);
    const y = b.get(what);
    if (x === y) continue;
    if (x === undefined) changes.push({ kind: 'added', what, after: y! });
    else if (y === undefined) changes.push({ kind: 'removed', what, before: x });
    else changes.push({ kind: 'changed', what, before: x, after: y });
  }
  return changes;
}

export function formatPlanDiff(changes: readonly PlanChange[], names: { before: string; after: string }): string {
  if (changes.length === 0) return `no changes between ${names.before} and ${names.after}\n`;
  const lines = [`${changes.length} change(s) from ${names.before} to ${names.after}`, ''];
  for (const c of changes) {
    if (c.kind === 'added') lines.push(`+ ${c.what}: ${c.after}`);
    else if (c.kind === 'removed') lines.push(`- ${c.what}: ${c.before}`);
    else lines.push(`~ ${c.what}`, `    was: ${c.before}`, `    now: ${c.after}`);
  }
  return `${lines.join('\n')}\n`;
}

const show = (v: unknown) => (typeof v === 'string' ? v : canonicalJson(v));

/** The plan as labelled facts: one entry per thing a reviewer would name. */
function facts(p: JobPlan): Map<string, string> {
  const f = new Map<string, string>();
  const put = (what: string, v: unknown) => {
    if (v !== undefined) f.set(what, show(v));
  };
  if (p.description !== undefined) put('description', p.description);
  for (const [name, v] of Object.entries(p.params)) put(`param ${name}`, `${v.type} = ${JSON.stringify(v.value)}`);
  for (const [name, c] of Object.entries(p.connections)) put(`connection ${name}`, c);
  for (const step of p.steps) stepFacts(step, put);
  for (const o of p.outputs) {
    const { name, schema, lineage: _lineage, ...rest } = o as typeof o & { lineage?: unknown };
    for (const [k, v] of Object.entries(rest)) put(`output ${name}: ${k}`, v);
    put(`output ${name}: columns`, schema.map((c) => `${c.name}: ${c.type}`).join(', '));
  }
  put('rejects', p.rejects);
  for (const n of p.notify ?? []) put(`notify ${n.name}`, n);
  if (p.schedule) put('schedule', `${p.schedule.cron} (${p.schedule.timezone})`);
  for (const [conn, n] of Object.entries(p.needs)) {
    for (const t of n.tables ?? []) put(`needs ${conn}: ${t.access} ${t.name}`, t.columns ? t.columns.join(', ') : 'all columns');
    for (const perm of n.permissions ?? []) put(`needs ${conn}: ${perm}`, 'yes');
  }
  put('spec tests', p.tests);
  return f;
}

function stepFacts(s: PlanStep, put: (what: string, v: unknown) => void): void {
  if (s.kind === 'source') {
    const at = `source ${s.name}`;
    put(`${at}: reads`, `${s.connection} (${s.use}) ${canonicalJson(s.settings)}`);
    if (s.filter) {
      put(`${at}: where`, s.filter.expression);
      if (s.filter.pushdown) put(`${at}: where (${s.filter.pushdown.dialect})`, `${s.filter.pushdown.sql} ${canonicalJson(s.filter.pushdown.parameters)}`);
      if (s.filter.residual.length) put(`${at}: where (in sisflow)`, s.filter.residual.join(' and '));
    }
    put(`${at}: columns`, s.schema.map((c) => `${c.name}: ${c.type}`).join(', '));
    return;
  }
  const at = `step ${s.name}`;
  const { kind: _k, name: _n, inputs, lookups, columns, rules, schema, ...rest } = s;
  put(`${at}: from`, inputs.join(' + '));
  for (const l of lookups) put(`${at}: lookup ${l.alias}`, l);
  for (const c of columns ?? []) put(`${at}: column ${c.name}`, c.expression);
  rules.forEach((r, i) => put(`${at}: rule ${i + 1}`, r));
  // where, dedupe, number and whatever a step gains later.
  for (const [k, v] of Object.entries(rest)) put(`${at}: ${k}`, v);
  put(`${at}: columns out`, schema.map((c) => `${c.name}: ${c.type}`).join(', '));
}
