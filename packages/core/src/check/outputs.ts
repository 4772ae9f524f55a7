// Outputs: the connection can be written to and the settings fit the connector's sink.
import type { SinkDescription } from '../connector/connector.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { RowSchema } from '../expr/row-schema.js';
import { OUTPUT_LANGUAGE_KEYS } from '../spec/schema.js';
import { connectorRole } from './connector-role.js';
import type { CheckContext } from './context.js';
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
    ctx.report('SF440', `a ${found.use} output cannot be held for approval, so it cannot have a guard`, [...path, 'guard'], 'guards work on files and sftp outputs');
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
