// Applying an output to a table of a SQLite Aeries database (the demo district, or a file): the
// same contract as the mssql sink. One transaction: rows into a temp staging table, then changed
// rows updated, new keys inserted, and with delete_missing rows missing from the output deleted;
// the runtime commits it with the run's other outputs, or rolls it back.
import type { Row, RunContext, SinkWriteRequest, StagedWrite } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import { sqlTypeToType } from '../aeries/column-types.js';
import { appliedColumns, deleteScope } from '../aeries/table-sink.js';
import { sqlite, sqliteColumnType, toSqlite } from './load.js';
import { sqliteFile } from './sqlite-connector.js';
import { CommitGroups } from '../files/commit-group.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * SQLite allows one writer per database file: every output of a run into the same file shares one
 * connection and one transaction, committed when the last of them commits (the runtime commits
 * only once all are staged) and rolled back when any aborts.
 */
interface Shared {
  db: import('better-sqlite3').Database;
  stages: number;
}
const transactions = new CommitGroups<Shared>((s, commit) => {
  try {
    if (s.db.inTransaction) s.db.exec(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    s.db.close();
  }
}, 'another import into the same database failed; this one was rolled back with it');

function openTransaction(file: string): Shared {
  const Database = sqlite();
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  db.exec('BEGIN IMMEDIATE');
  return { db, stages: 0 };
}

export async function writeSqliteTable(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const table = AERIES_CATALOG.get(String(req.settings.table).toUpperCase())!;
  const columns = req.schema.map((c) => c.name);
  const key = req.settings.key as string[];
  const deleteMissing = deleteScope(req.settings);
  const file = sqliteFile(req.connection, ctx.baseDir);
  const member = transactions.join(file, () => openTransaction(file));
  const shared = member.resource;
  const db = shared.db;
  const stage = `sisflow_stage_${++shared.stages}`;
  const stageTypes = columns.map((c) => sqliteColumnType(sqlTypeToType(table.columns.find((x) => x.name === c)!.sql, true).kind));
  const match = key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
  try {
    db.exec(`CREATE TEMP TABLE ${stage} (${columns.map((c, i) => `${q(c)} ${stageTypes[i]}`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO temp.${stage} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    let rows = 0;
    for await (const batch of req.rows) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('the run was cancelled');
      for (const row of batch as Row[]) insert.run(columns.map((c) => toSqlite(row[c])));
      rows += batch.length;
    }
    // Indexed by the key (and the delete scope) the statements below join on: without it each
    // destination row scans the whole stage (5,000 staged rows took 5 s, 200,000 over 10 min).
    db.exec(`CREATE INDEX temp.${stage}_key ON ${stage} (${key.map(q).join(', ')})`);
    if (Array.isArray(deleteMissing) && !deleteMissing.every((c, i) => key[i] === c)) db.exec(`CREATE INDEX temp.${stage}_within ON ${stage} (${deleteMissing.map(q).join(', ')})`);
    // Slices a refused row belonged to are left as they were: their rows leave the staging table,
    // so nothing in them is updated, inserted or (being absent from the stage) deleted.
    const held = req.held?.();
    if (held?.all) {
      db.exec(`DROP TABLE temp.${stage}`);
      ctx.log(`${table.name}: held whole, nothing applied`);
      return { result: { rows, files: [], changes: { [table.name]: { inserted: 0, updated: 0, deleted: 0 } } }, commit: member.commit, abort: member.abort };
    }
    if (held && held.slices.length > 0) dropHeldSlices(db, stage, held.slices);
    if (rows === 0 && deleteMissing === true) throw new Error(`the output is empty, and delete_missing would delete every row of ${table.name}; nothing was changed`);
    const applied = appliedColumns(req, ctx, table.name);
    const values = applied.filter((c) => !key.includes(c));
    const differs = values.map((c) => `t.${q(c)} IS NOT s.${q(c)}`).join(' OR ');
    const target = q(table.name);
    const updated = values.length === 0 ? 0 : db.prepare(`UPDATE ${target} AS t SET ${values.map((c) => `${q(c)} = s.${q(c)}`).join(', ')} FROM temp.${stage} AS s WHERE ${match} AND (${differs})`).run().changes;
    const inserted = db.prepare(`INSERT INTO ${target} (${applied.map(q).join(', ')}) SELECT ${applied.map((c) => `s.${q(c)}`).join(', ')} FROM temp.${stage} AS s WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE ${match})`).run().changes;
    const within = Array.isArray(deleteMissing) ? ` AND EXISTS (SELECT 1 FROM temp.${stage} AS w WHERE ${deleteMissing.map((c) => `w.${q(c)} = t.${q(c)}`).join(' AND ')})` : '';
    const deleted = deleteMissing !== false ? db.prepare(`DELETE FROM ${target} AS t WHERE NOT EXISTS (SELECT 1 FROM temp.${stage} AS s WHERE ${match})${within}`).run().changes : 0;
    db.exec(`DROP TABLE temp.${stage}`);
    const changes = { inserted, updated, deleted };
    ctx.log(`${table.name}: ${inserted} to insert, ${updated} to update, ${deleted} to delete (not committed yet)`);
    return {
      result: { rows, files: [], changes: { [table.name]: changes } },
      commit: member.commit,
      abort: member.abort,
    };
  } catch (e) {
    await member.abort();
    if (ctx.signal.aborted) throw ctx.signal.reason ?? e;
    throw new Error(`import into ${table.name} rolled back: ${(e as Error).message}`);
  }
}


/** Removes the rows of held slices from the staging table. */
function dropHeldSlices(db: import('better-sqlite3').Database, stage: string, slices: Row[]): void {
  const columns = Object.keys(slices[0]!);
  const held = `${stage}_held`;
  db.exec(`CREATE TEMP TABLE ${held} (${columns.map(q).join(', ')})`);
  const insert = db.prepare(`INSERT INTO temp.${held} VALUES (${columns.map(() => '?').join(', ')})`);
  for (const s of slices) insert.run(columns.map((c) => toSqlite(s[c])));
  db.exec(`DELETE FROM temp.${stage} AS s WHERE EXISTS (SELECT 1 FROM temp.${held} AS h WHERE ${columns.map((c) => `h.${q(c)} = s.${q(c)}`).join(' AND ')})`);
  db.exec(`DROP TABLE temp.${held}`);
}
