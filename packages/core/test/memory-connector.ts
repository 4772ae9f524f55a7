// A complete connector in ~50 lines (the example of docs/connectors.md): `use: memory` reads rows
// from named in-memory tables and writes rows into them. Tests use it to drive the runtime.
import { parseTypeName, type Connector, type Row } from '@sisflow/core';

export const tables = new Map<string, Row[]>();
/** Tables a source with `consume: true` emptied after a successful run. */
export const consumed: string[] = [];

export const memoryConnector: Connector = {
  name: 'memory',
  summary: 'named in-memory tables (for tests and examples)',
  connection: { type: 'object', additionalProperties: false, properties: { delay_ms: { type: 'integer', minimum: 0 } } },
  source: {
    settings: {
      type: 'object',
      required: ['table', 'columns'],
      additionalProperties: false,
      properties: { table: { type: 'string' }, columns: { type: 'object', additionalProperties: { type: 'string' } }, consume: { type: 'boolean' } },
    },
    describe: (ctx) => {
      const columns = ctx.settings.columns as Record<string, string>;
      for (const [name, t] of Object.entries(columns)) {
        if (!parseTypeName(t)) ctx.report('SF404', `unknown type ${t}`, ['columns', name]);
      }
      return { schema: Object.entries(columns).map(([name, t]) => ({ name, type: parseTypeName(t) ?? { kind: 'string' } })) };
    },
    async *read(req, ctx) {
      const table = String(req.settings.table);
      const rows = tables.get(table) ?? [];
      if (req.settings.consume) ctx.afterSuccess(`emptying ${table}`, async () => void consumed.push(table));
      const max = req.limit ?? rows.length;
      for (let i = 0; i < Math.min(max, rows.length); i += req.batchSize) {
        if (ctx.signal.aborted) return;
        yield { rows: rows.slice(i, Math.min(i + req.batchSize, max)).map((r) => ({ ...r })) };
      }
    },
  },
  sink: {
    settings: { type: 'object', required: ['table'], additionalProperties: false, properties: { table: { type: 'string' }, fail_after: { type: 'integer' }, fail_commit: { type: 'boolean' }, wrap_errors: { type: 'boolean' } } },
    describe: (ctx) => ({ target: `memory:${String(ctx.settings.table)}` }),
    async write(req, ctx) {
      const staged: Row[] = [];
      if (req.settings.wrap_errors) {
        // Like a database sink that says "rolled back: …" about whatever stopped it.
        try {
          for await (const batch of req.rows) staged.push(...batch);
        } catch (e) {
          throw new Error(`rolled back: ${(e as Error).message}`);
        }
      }
      for await (const batch of req.rows) {
        if (typeof req.connection.delay_ms === 'number') await new Promise((r) => setTimeout(r, req.connection.delay_ms as number));
        staged.push(...batch);
        if (typeof req.settings.fail_after === 'number' && staged.length >= req.settings.fail_after) throw new Error('the destination went away');
      }
      // All or nothing: the table changes only when the runtime commits, once every output is staged.
      return {
        result: { rows: staged.length, files: [] },
        commit: async () => {
          if (req.settings.fail_commit) throw new Error('the destination refused the commit');
          tables.set(String(req.settings.table ?? req.settings.path), staged); // rejects name their table by `path`
          ctx.log(`${staged.length} row(s) into ${String(req.settings.table)}`);
        },
        abort: async () => undefined,
      };
    },
  },
};
