// `use: sqlite` — an embedded SQLite database with Aeries tables: the demo default, no server needed.
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Connector, Row, RunContext, SourceReadRequest } from '@sisflow/core';
import { describeTableSource, TABLE_SOURCE_SETTINGS, tableSelect } from '../aeries/table-source.js';

export const sqliteConnector: Connector = {
  name: 'sqlite',
  summary: 'an embedded SQLite database holding Aeries tables (the demo database)',
  connection: {
    type: 'object',
    required: ['path'],
    additionalProperties: false,
    properties: { path: { type: 'string', minLength: 1, description: 'database file, relative to the spec' } },
  },
  source: {
    settings: TABLE_SOURCE_SETTINGS,
    describe: (ctx) => describeTableSource(ctx, 'sqlite'),
    read: readSqlite,
  },
};

async function* readSqlite(req: SourceReadRequest, ctx: RunContext): AsyncIterable<Row[]> {
  const file = resolve(ctx.baseDir, String(req.connection.path));
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const columns = req.schema.map((c) => c.name);
    const sql = tableSelect(String(req.settings.table), columns, 'sqlite', req.filter?.sql) + (req.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(req.limit))}` : '');
    const bools = req.schema.filter((c) => c.type.kind === 'bool').map((c) => c.name);
    const stmt = db.prepare(sql);
    let batch: Row[] = [];
    for (const row of stmt.iterate(...(req.filter?.parameters ?? [])) as Iterable<Row>) {
      for (const b of bools) if (row[b] !== null) row[b] = row[b] === 1 || row[b] === true;
      batch.push(row);
      if (batch.length >= req.batchSize) {
        yield batch;
        batch = [];
        if (ctx.signal.aborted) return;
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    db.close();
  }
}
