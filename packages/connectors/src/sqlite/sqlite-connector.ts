// `use: sqlite` — an embedded SQLite database holding Aeries tables. With `demo: true` it is the
// synthetic demo district, generated on first use: every example runs with no server at all.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sqlite, toSqlite } from './load.js';
import type { Connector, Row, RowSchema, RunContext, Settings, SourceBatch, SourceReadRequest } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import { describeTableSink, TABLE_SINK_SETTINGS } from '../aeries/table-sink.js';
import { describeTableSource, TABLE_SOURCE_SETTINGS, tableSelect } from '../aeries/table-source.js';
import { writeDemoDatabase } from '../demo/sqlite-demo.js';

/** Bump when the demo generator's output changes, so cached demo databases are rebuilt. */
export const DEMO_VERSION = 3; // 2: the catalog's lengths and ranges as CHECK constraints; 3: records-transfer tables (TST, CST, CTS, HIS)

export const sqliteConnector: Connector = {
  name: 'sqlite',
  summary: 'an embedded SQLite database holding Aeries tables (read, and imported into by key); `demo: true` is the built-in demo district',
  connection: {
    type: 'object',
    additionalProperties: false,
    oneOf: [{ required: ['path'] }, { required: ['demo'] }],
    properties: {
      path: { type: 'string', minLength: 1, description: 'database file, relative to the spec' },
      demo: { const: true, description: 'use the built-in synthetic Aeries district (created on first use)' },
      students_per_school: { type: 'integer', minimum: 1, maximum: 1000000, default: 400, description: 'size of the demo district' },
    },
  },
  source: {
    settings: TABLE_SOURCE_SETTINGS,
    describe: (ctx) => describeTableSource(ctx, 'sqlite'),
    read: readSqlite,
  },
  sink: {
    settings: TABLE_SINK_SETTINGS,
    describe: (ctx) => describeTableSink(ctx, (table) => `${ctx.connection.demo === true ? 'demo' : String(ctx.connection.path)}:${table}`),
    write: async (req, ctx) => (await import('./sqlite-write.js')).writeSqliteTable(req, ctx),
  },
};

/** The database file a connection names; the demo database is created when missing. */
export function sqliteFile(connection: Settings, baseDir: string): string {
  if (connection.demo !== true) return resolve(baseDir, String(connection.path));
  const size = Number(connection.students_per_school ?? 400);
  const dir = process.env.SISFLOW_DEMO_DIR ?? join(tmpdir(), 'sisflow-demo');
  const file = join(dir, `aeries-v${DEMO_VERSION}-${size}.db`);
  if (!existsSync(file)) writeDemoDatabase(file, { studentsPerSchool: size });
  return file;
}

async function* readSqlite(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const Database = sqlite();
  const db = new Database(sqliteFile(req.connection, ctx.baseDir), { readonly: true, fileMustExist: true });
  try {
    const table = String(req.settings.table).toUpperCase();
    const columns = req.schema.map((c) => c.name);
    const orderBy = AERIES_CATALOG.get(table)?.key ?? [];
    const sql = tableSelect(table, columns, 'sqlite', req.filter?.sql, orderBy) + (req.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(req.limit))}` : '');
    const stmt = db.prepare(sql).raw(true);
    const toRow = rowMaker(req.schema);
    let batch: Row[] = [];
    const params = Object.fromEntries((req.filter?.parameters ?? []).map((v, i) => [`p${i + 1}`, toSqlite(v)]));
    for (const values of stmt.iterate(params) as Iterable<unknown[]>) {
      batch.push(toRow(values));
      if (batch.length >= req.batchSize) {
        yield { rows: batch };
        batch = [];
        if (ctx.signal.aborted) return;
      }
    }
    if (batch.length > 0) yield { rows: batch };
  } finally {
    db.close();
  }
}

/**
 * A function making a row object from a result array, booleans (stored as 0/1) turned back into
 * booleans. Reading arrays and building rows of one fixed shape is about a third faster than
 * letting better-sqlite3 build an object per row (bench: the Destiny spec over SQLite).
 */
function rowMaker(schema: RowSchema): (values: unknown[]) => Row {
  const fields = schema.map((c, i) => `${JSON.stringify(c.name)}: ${c.type.kind === 'bool' ? `v[${i}] === null ? null : v[${i}] === 1` : `v[${i}]`}`);
  return new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => Row;
}
