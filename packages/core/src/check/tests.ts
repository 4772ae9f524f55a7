// Spec-embedded tests: their inputs are sources, their expectations steps or outputs, their columns real.
import { didYouMean } from '../diagnostics/suggest.js';
import type { RowSchema } from '../expr/row-schema.js';
import type { CheckContext } from './context.js';

/** `givenSchemas`: for sources whose `where` tests more columns than they read, those columns. */
export function checkTests(ctx: CheckContext, schemas: ReadonlyMap<string, RowSchema>, givenSchemas: ReadonlyMap<string, RowSchema> = new Map()): void {
  const sources = Object.keys(ctx.spec.sources);
  const targets = [...Object.keys(ctx.spec.steps ?? {}), ...Object.keys(ctx.spec.outputs), ...sources];
  const seen = new Map<string, number>();
  (ctx.spec.tests ?? []).forEach((t, i) => {
    const path = ['tests', i];
    const twin = seen.get(t.name);
    if (twin !== undefined) {
      ctx.report('SF222', `two tests are named "${t.name}"`, [...path, 'name'], 'give each test a name of its own: `sisflow test` reports them by name', [ctx.related('the first is here', ['tests', twin, 'name'])]);
    } else seen.set(t.name, i);
    for (const [name, rows] of Object.entries(t.given)) {
      if (!ctx.spec.sources[name]) {
        ctx.reportKey('SF218', `test "${t.name}" gives rows for \`${name}\`, which is not a source`, [...path, 'given', name], didYouMean(name, sources));
        continue;
      }
      checkColumns(ctx, givenSchemas.get(name) ?? schemas.get(name), rows, [...path, 'given', name], name);
    }
    for (const [name, rows] of Object.entries(t.expect)) {
      if (!targets.includes(name)) {
        ctx.reportKey('SF218', `test "${t.name}" expects rows from \`${name}\`, which is not a step or output`, [...path, 'expect', name], didYouMean(name, targets));
        continue;
      }
      const from = ctx.spec.outputs[name]?.from ?? name;
      checkColumns(ctx, schemas.get(from), rows, [...path, 'expect', name], name);
    }
  });
}

function checkColumns(ctx: CheckContext, schema: RowSchema | undefined, rows: Record<string, unknown>[], path: (string | number)[], name: string): void {
  if (!schema) return;
  const cols = schema.map((c) => c.name);
  rows.forEach((row, r) => {
    for (const col of Object.keys(row)) {
      if (!cols.includes(col)) ctx.reportKey('SF208', `\`${name}\` has no column \`${col}\``, [...path, r, col], didYouMean(col, cols));
    }
  });
}
