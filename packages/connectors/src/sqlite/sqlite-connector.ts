// `use: sqlite` — an embedded SQLite database holding Aeries tables. With `demo: true` it is the
// synthetic demo district, generated on first use: every example runs with no server at all.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openSourceDatabase, toSqlite } from './load.js';
import { quoteIdent, type Connector, type Row, type RowSchema, type RunContext, type Settings, type SourceBatch, type SourceReadRequest } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import { describeTableSink, TABLE_SINK_SETTINGS } from '../aeries/table-sink.js';
import { describeTableSource, TABLE_SOURCE_SETTINGS, tableSelect } from '../aeries/table-source.js';
import { DEFAULT_STUDENTS_PER_SCHOOL, demoDatabase } from '../demo/demo-database.js';
import { readInWorker, workerSource } from '../source-worker/worker-source.js';

export const sqliteConnector: Connector = {
  name: 'sqlite',
  summary: 'an embedded SQLite database holding Aeries tables (read, and imported into by key); `demo: true` is the built-in demo district',
  connection: {
    type: 'object',
    additionalProperties: false,
    oneOf: [{ required: ['path'] }, { required: ['demo'] }],
    properties: {
      path: { type: 'string', minLength: 1, description: 'database file, relative to the spec' },
      demo: { const: true, description: 'use the built-in synthetic Aeries district (created on first use in the project folder\'s `.sisflow/demo/`)' },
      students_per_school: { type: 'integer', minimum: 1, maximum: 1000000, default: DEFAULT_STUDENTS_PER_SCHOOL, description: 'size of the demo district' },
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

/** The database file a connection names; the demo database is the project folder's (demo-database.ts), built when missing. */
export function sqliteFile(connection: Settings, baseDir: string): string {
  if (connection.demo !== true) return resolve(baseDir, String(connection.path));
  return demoDatabase(baseDir, Number(connection.students_per_school ?? DEFAULT_STUDENTS_PER_SCHOOL));
}

/** The query a source reads, and where: for the main thread's reader and the reading worker's. */
export function sqliteQuery(req: SourceReadRequest, ctx: RunContext): { file: string; sql: string; params: Record<string, unknown> } {
  const table = String(req.settings.table).toUpperCase();
  const columns = req.schema.map((c) => c.name);
  const orderBy = AERIES_CATALOG.get(table)?.key ?? [];
  const sql = tableSelect(table, columns, 'sqlite', req.filter?.sql, orderBy) + (req.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(req.limit))}` : '');
  const params = Object.fromEntries((req.filter?.parameters ?? []).map((v, i) => [`p${i + 1}`, toSqlite(v)]));
  return { file: sqliteFile(req.connection, ctx.baseDir), sql, params };
}

/**
 * Fewer rows than this (a `--limit`, or a table this small) are read in the main thread, whatever
 * the database's size: starting a worker would cost more than it saves.
 */
const WORKER_MIN_ROWS = 20000;

async function* readSqlite(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const query = sqliteQuery(req, ctx);
  // A large database may be read in a worker (the second core; SISFLOW_READ_WORKER): its size
  // first, then whether the table holds WORKER_MIN_ROWS rows (the lookups of a district's schools
  // and staff share the file with a million students).
  const bytes = await stat(query.file).then((s) => s.size, () => 0);
  const worker = readInWorker(bytes) && (process.env.SISFLOW_READ_WORKER === 'on' || ((req.limit === undefined || req.limit >= WORKER_MIN_ROWS) && holdsRows(query.file, String(req.settings.table), WORKER_MIN_ROWS)));
  if (worker) {
    const bools = req.schema.flatMap((c, i) => (c.type.kind === 'bool' ? [i] : []));
    yield* workerSource({ kind: 'sqlite', ...query, bools, batchSize: req.batchSize }, req.schema.map((c) => c.name), ctx);
    return;
  }
  const db = openSourceDatabase(query.file);
  try {
    const stmt = db.prepare(query.sql).raw(true);
    const toRow = rowMaker(req.schema);
    let batch: Row[] = [];
    for (const values of stmt.iterate(query.params) as Iterable<unknown[]>) {
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
 * Whether `table` holds at least `n` rows, reading no more than `n` of them (count(*) would read
 * them all). A table that cannot be read answers no: the main thread's reader reports why.
 */
function holdsRows(file: string, table: string, n: number): boolean {
  let db: ReturnType<typeof openSourceDatabase> | undefined;
  try {
    db = openSourceDatabase(file);
    const first = `SELECT 1 FROM ${quoteIdent(table.toUpperCase(), 'sqlite')} LIMIT ${n}`;
    return (db.prepare(`SELECT count(*) FROM (${first})`).pluck().get() as number) >= n;
  } catch {
    return false;
  } finally {
    db?.close();
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
