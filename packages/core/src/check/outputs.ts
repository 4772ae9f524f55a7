// Outputs: the connection can be written to and the settings fit the connector's sink.
import type { SinkDescription } from '../connector/connector.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { RowSchema } from '../expr/row-schema.js';
import { OUTPUT_LANGUAGE_KEYS } from '../spec/schema.js';
import { connectorRole } from './connector-role.js';
import type { CheckContext } from './context.js';
import type { Spec } from '../spec/spec.js';
import type { PlanGuard } from '../plan/plan.js';
import type { GuardSpec } from '../spec/spec.js';

export interface OutputAnalysis {
  name: string;
  from: string;
  connection: string;
  use: string;
  settings: Record<string, unknown>;
  schema: RowSchema;
  description: SinkDescription;
  guard?: PlanGuard;
}

export function checkOutput(ctx: CheckContext, name: string, schemas: ReadonlyMap<string, RowSchema>): OutputAnalysis | undefined {
  const out = ctx.spec.outputs[name]!;
  const path = ['outputs', name];
  const found = connectorRole(ctx, path, out.to, out, OUTPUT_LANGUAGE_KEYS, 'sink');
  const schema = schemas.get(out.from);
  if (found && out.guard && !found.role.publishHeld) {
    ctx.report('SF440', `a ${found.use} output cannot be held for approval, so it cannot have a guard`, [...path, 'guard'], 'guards work on outputs whose connector can keep a stage for approval (files, sftp, oneroster-csv)');
    return undefined;
  }
  if (!found || !schema) return undefined;
  const description = found.role.describe({ ...found.describe, schema });
  if (!description) return undefined;
  const guard = out.guard && checkGuard(ctx, path, out.guard, schema);
  return { name, from: out.from, connection: out.to, use: found.use, settings: found.describe.settings, schema, description, ...(guard ? { guard } : {}) };
}

/** A guard names columns of the output; its limits can be reached. */
function checkGuard(ctx: CheckContext, path: string[], g: GuardSpec, schema: RowSchema): PlanGuard | undefined {
  const key = Array.isArray(g.key) ? g.key : [g.key];
  const names = schema.map((c) => c.name);
  let ok = true;
  key.forEach((k, i) => {
    if (names.includes(k)) return;
    ok = false;
    ctx.report('SF250', `\`${k}\` is not a column of this output`, [...path, 'guard', 'key', ...(Array.isArray(g.key) ? [i] : [])], didYouMean(k, names) ?? `columns: ${names.join(', ')}`);
  });
  for (const kind of ['max_removed', 'max_changed'] as const) {
    const v = g[kind];
    if (typeof v === 'string' && Number(v.slice(0, -1)) > 100) {
      ok = false;
      ctx.report('SF251', `${kind} of ${v} can never be reached: at most every row published last time can be ${kind === 'max_removed' ? 'removed' : 'changed'}`, [...path, 'guard', kind], 'write a percentage up to 100%, or a count');
    }
  }
  if (!ok) return undefined;
  return {
    key,
    ...(g.max_removed !== undefined ? { max_removed: g.max_removed } : {}),
    ...(g.max_added !== undefined ? { max_added: g.max_added } : {}),
    ...(g.max_changed !== undefined ? { max_changed: g.max_changed } : {}),
    ...(g.min_rows !== undefined ? { min_rows: g.min_rows } : {}),
  };
}

/**
 * A table import's slices: what the sink declares (`delete_missing: { within }`), else the
 * `number: { within }` of the step it comes from when the output carries those columns.
 * Undefined: the output is no table import, or it has no slices.
 */
export function importSlice(spec: Spec, o: OutputAnalysis): string[] | undefined {
  const table = o.description.table;
  if (!table) return undefined;
  if (table.slice) return table.slice;
  const number = spec.steps?.[o.from]?.number;
  const within = number ? (Array.isArray(number.within) ? number.within : [number.within]) : undefined;
  return within && within.every((c) => o.schema.some((x) => x.name === c)) ? within : undefined;
}

/** `hold_with`: each name is another table import, carrying this output's slice columns. */
export function checkHoldWith(ctx: CheckContext, outputs: ReadonlyMap<string, OutputAnalysis>): void {
  for (const [name, out] of Object.entries(ctx.spec.outputs)) {
    const o = outputs.get(name);
    if (!out.hold_with || !o) continue;
    const slice = importSlice(ctx.spec, o);
    if (!slice || slice.length === 0) {
      ctx.reportKey('SF231', `\`${name}\` has no slices to hold: \`hold_with\` needs a table import with \`delete_missing: { within: [...] }\` or rows numbered \`within\` a key`, ['outputs', name, 'hold_with']);
      continue;
    }
    out.hold_with.forEach((other, i) => {
      const path = ['outputs', name, 'hold_with', i];
      const target = ctx.spec.outputs[other];
      if (!target || other === name) {
        ctx.report('SF230', other === name ? `\`${name}\` cannot hold with itself` : `no output \`${other}\``, path, didYouMean(other, Object.keys(ctx.spec.outputs).filter((n) => n !== name)));
        return;
      }
      const t = outputs.get(other);
      if (!t) return;
      const missing = slice.filter((c) => !t.schema.some((x) => x.name === c));
      if (!t.description.table || missing.length > 0) {
        ctx.report('SF231', t.description.table ? `\`${other}\` has no column ${missing.map((c) => `\`${c}\``).join(', ')}, so its held rows cannot name a slice of \`${name}\`` : `\`${other}\` is not a table import: nothing is held there`, path);
      }
    });
  }
}
