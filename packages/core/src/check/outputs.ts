// Outputs: the connection can be written to and the settings fit the connector's sink.
import type { SinkDescription } from '../connector/connector.js';
import type { RowSchema } from '../expr/row-schema.js';
import { OUTPUT_LANGUAGE_KEYS } from '../spec/schema.js';
import { connectorRole } from './connector-role.js';
import type { CheckContext } from './context.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Spec } from '../spec/spec.js';

export interface OutputAnalysis {
  name: string;
  from: string;
  connection: string;
  use: string;
  settings: Record<string, unknown>;
  schema: RowSchema;
  description: SinkDescription;
}

export function checkOutput(ctx: CheckContext, name: string, schemas: ReadonlyMap<string, RowSchema>): OutputAnalysis | undefined {
  const out = ctx.spec.outputs[name]!;
  const path = ['outputs', name];
  const found = connectorRole(ctx, path, out.to, out, OUTPUT_LANGUAGE_KEYS, 'sink');
  const schema = schemas.get(out.from);
  if (!found || !schema) return undefined;
  const description = found.role.describe({ ...found.describe, schema });
  if (!description) return undefined;
  return { name, from: out.from, connection: out.to, use: found.use, settings: found.describe.settings, schema, description };
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
