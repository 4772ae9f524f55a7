// Applying an output to a table of a SQLite Aeries database (the demo district, or a file): the
// same contract as the mssql sink. One transaction: rows into a temp staging table, then changed
// rows updated, new keys inserted, and with delete_missing rows missing from the output deleted;
// the runtime commits it with the run's other outputs, or rolls it back.
import type { Row, RunContext, SinkWriteRequest, StagedWrite } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import { sqlTypeToType } from '../aeries/column-types.js';
import { sqlite } from './load.js';
import { sqliteFile } from './sqlite-connector.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function writeSqliteTable(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const table = AERIES_CATALOG.get(String(req.settings.table).toUpperCase())!;
  const columns = req.schema.map((c) => c.name);
  const key = req.settings.key as string[];
  const values = columns.filter((c) => !key.includes(c));
  const deleteMissing = req.settings.delete_missing === true;
  const Database = sqlite();
  const db = new Database(sqliteFile(req.connection, ctx.baseDir), { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const stageTypes = columns.map((c) => {
    const kind = sqlTypeToType(table.columns.find((x) => x.name === c)!.sql, true).kind;
    return kind === 'int' || kind === 'bool' ? 'INTEGER' : kind === 'decimal' ? 'REAL' : 'TEXT';
  });
  const match = key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
  const differs = values.length > 0 ? values.map((c) => `t.${q(c)} IS NOT s.${q(c)}`).join(' OR ') : '0';
  let open = true;
  const close = () => {
    if (open) db.close();
    open = false;
  };
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`CREATE TEMP TABLE sisflow_stage (${columns.map((c, i) => `${q(c)} ${stageTypes[i]}`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO temp.sisflow_stage (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    let rows = 0;
    for await (const batch of req.rows) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('the run was cancelled');
      for (const row of batch as Row[]) insert.run(columns.map((c) => toSqlite(row[c])));
      rows += batch.length;
    }
    if (rows === 0 && deleteMissing) throw new Error(`the output is empty, and delete_missing would delete every row of ${table.name}; nothing was changed`);
    const target = q(table.name);
    const updated = values.length === 0 ? 0 : db.prepare(`UPDATE ${target} AS t SET ${values.map((c) => `${q(c)} = s.${q(c)}`).join(', ')} FROM temp.sisflow_stage AS s WHERE ${match} AND (${differs})`).run().changes;
    const inserted = db.prepare(`INSERT INTO ${target} (${columns.map(q).join(', ')}) SELECT ${columns.map((c) => `s.${q(c)}`).join(', ')} FROM temp.sisflow_stage AS s WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE ${match})`).run().changes;
    const deleted = deleteMissing ? db.prepare(`DELETE FROM ${target} AS t WHERE NOT EXISTS (SELECT 1 FROM temp.sisflow_stage AS s WHERE ${match})`).run().changes : 0;
    db.exec('DROP TABLE temp.sisflow_stage');
    const changes = { inserted, updated, deleted };
    ctx.log(`${table.name}: ${inserted} to insert, ${updated} to update, ${deleted} to delete (not committed yet)`);
    return {
      result: { rows, files: [], changes: { [table.name]: changes } },
      commit: async () => {
        try {
          db.exec('COMMIT');
        } finally {
          close();
        }
      },
      abort: async () => {
        if (open && db.inTransaction) db.exec('ROLLBACK');
        close();
      },
    };
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    close();
    if (ctx.signal.aborted) throw ctx.signal.reason ?? e;
    throw new Error(`import into ${table.name} rolled back: ${(e as Error).message}`);
  }
}

const toSqlite = (v: unknown) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);
