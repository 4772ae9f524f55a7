// Held slices and destination checks on the SQL Server path: the real mssql + tedious client over
// TCP to the TDS test server, whose handler keeps the Aeries tables in a copy of the SQLite demo
// district and carries out the statements the connector sends (staging tables, bulk copies, the
// held-slice DELETE, the MERGE), so the test asserts the destination's rows before and after, and
// that SQL Server and SQLite refuse the same rows with the same reasons.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSpec, tempDir } from './sftp-helpers.js';
import { sqliteFile } from '../src/sqlite/sqlite-connector.js';
import { startTdsServer, type Reply, type Statement, type TdsServer } from './mssql/tds-server.js';

const PASSWORD = 'Wr1te!pw';
let server: TdsServer;
let aeries: Database.Database | undefined;
let demo = '';

test.before(async () => {
  process.env.SISFLOW_DEMO_DIR = await tempDir('sisflow-held-mssql-demo-');
  demo = sqliteFile({ demo: true }, '.');
  server = await startTdsServer({ logins: { writer: PASSWORD }, databases: ['aeries'], handle: (s) => carryOut(s) });
});
test.after(async () => {
  await server.stop();
  aeries?.close();
});

const ident = (sql: string) => sql.replace(/#(\w+)/g, 'temp.$1').replace(/\[(\w+)\]/g, '"$1"');
let bulkInto = '';

/** What SQL Server would do with each statement the connector sends, done on the SQLite copy. */
function carryOut(s: Statement): Reply {
  const db = aeries!;
  if (!db.inTransaction) db.exec('BEGIN');
  const create = /^CREATE TABLE #(\w+) \((.*)\)$/.exec(s.sql);
  if (create) {
    const cols = [...create[2]!.matchAll(/\[(\w+)\]/g)].map((m) => `"${m[1]}"`);
    db.exec(`DROP TABLE IF EXISTS temp.${create[1]}; CREATE TEMP TABLE ${create[1]} (${cols.join(', ')})`);
    return {};
  }
  const bulk = /^insert bulk \[#(\w+)\]/.exec(s.sql);
  if (bulk) {
    bulkInto = bulk[1]!;
    return {};
  }
  if (s.bulk) {
    const insert = db.prepare(`INSERT INTO temp.${bulkInto} (${s.bulk.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${s.bulk.columns.map(() => '?').join(', ')})`);
    for (const row of s.bulk.rows) insert.run(row.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.toISOString().slice(0, 10) : v)));
    return { rowCount: s.bulk.rows.length };
  }
  if (s.sql.startsWith('DELETE s FROM #sisflow_stage AS s WHERE EXISTS')) {
    db.exec(ident(s.sql.replace('DELETE s FROM', 'DELETE FROM')));
    return {};
  }
  if (s.sql.includes('MERGE')) return merge(db, s.sql);
  return { error: { number: 50000, message: `unexpected: ${s.sql}` } };
}

/** The MERGE mergeSql() writes, read back into its parts and done as UPDATE/INSERT/DELETE. */
function merge(db: Database.Database, sql: string): Reply {
  const table = /MERGE (?:\[dbo\]\.\[(\w+)\]|target)/.exec(sql)![1] ?? /FROM \[dbo\]\.\[(\w+)\] WHERE EXISTS/.exec(sql)![1]!;
  const key = [.../USING #sisflow_stage AS s ON (.*)/.exec(sql)![1]!.matchAll(/t\.\[(\w+)\]/g)].map((m) => m[1]!);
  const columns = [.../THEN INSERT \((.*?)\)/.exec(sql)![1]!.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!);
  const within = /WITH target AS .*WHERE (.*)\)\)$/m.exec(sql) ? [...sql.matchAll(/w\.\[(\w+)\] =/g)].map((m) => m[1]!) : undefined;
  const q = (c: string) => `"${c}"`;
  const match = key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
  const values = columns.filter((c) => !key.includes(c));
  const updated = values.length === 0 ? 0 : db.prepare(`UPDATE ${q(table)} AS t SET ${values.map((c) => `${q(c)} = s.${q(c)}`).join(', ')} FROM temp.sisflow_stage AS s WHERE ${match} AND (${values.map((c) => `t.${q(c)} IS NOT s.${q(c)}`).join(' OR ')})`).run().changes;
  const inserted = db.prepare(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) SELECT ${columns.map((c) => `s.${q(c)}`).join(', ')} FROM temp.sisflow_stage AS s WHERE NOT EXISTS (SELECT 1 FROM ${q(table)} AS t WHERE ${match})`).run().changes;
  const deletes = sql.includes('WHEN NOT MATCHED BY SOURCE THEN DELETE');
  const scope = within ? ` AND EXISTS (SELECT 1 FROM temp.sisflow_stage AS w WHERE ${within.map((c) => `w.${q(c)} = t.${q(c)}`).join(' AND ')})` : '';
  const deleted = deletes ? db.prepare(`DELETE FROM ${q(table)} AS t WHERE NOT EXISTS (SELECT 1 FROM temp.sisflow_stage AS s WHERE ${match})${scope}`).run().changes : 0;
  return { resultSets: [{ columns: [{ name: 'action', type: 'nvarchar' }, { name: 'n', type: 'int' }], rows: [['INSERT', inserted], ['UPDATE', updated], ['DELETE', deleted]] }] };
}

/** After a run: the transaction's end as the client asked for it. */
function settle(): void {
  const last = server.transactions[server.transactions.length - 1]?.event;
  if (aeries!.inTransaction) aeries!.exec(last === 'commit' ? 'COMMIT' : 'ROLLBACK');
}

async function freshAeries(): Promise<string> {
  const dir = await tempDir('sisflow-held-mssql-');
  copyFileSync(demo, join(dir, 'aeries.db'));
  aeries?.close();
  aeries = new Database(join(dir, 'aeries.db'));
  server.statements.length = 0;
  server.transactions.length = 0;
  return dir;
}

const CONNECTION = () => `aeries:
    use: mssql
    server: 127.0.0.1
    port: ${server.port}
    database: aeries
    user: writer
    password: \${secret:aeries_password}
    encrypt: false`;

const SERVICES = () => `sisflow: 1
name: services
connections:
  files: { use: files, dir: . }
  ${CONNECTION()}
sources:
  services_file:
    from: files
    path: services.csv
    columns: { ID: int, SV: string, DU: int? }
steps:
  services:
    from: services_file
    columns: { ID: ID, SV: SV, DU: DU, DEL: 'false' }
    number: { within: ID, as: SQ }
    rules:
      - check: DU is null or (DU > 0 and DU <= 600)
        message: the service duration is not between 1 and 600 minutes
outputs:
  csv: { from: services, to: aeries, table: CSV, key: [ID, SQ], delete_missing: { within: [ID] } }
`;

const rows = (sql: string, ...args: unknown[]) => aeries!.prepare(sql).all(...args) as Record<string, unknown>[];

test('SQL Server: a student with a refused services row keeps exactly their services; the others get the file', async () => {
  const dir = await freshAeries();
  aeries!.exec("DELETE FROM CSV WHERE ID IN (100006, 100015); INSERT INTO CSV (ID, SQ, SV, DU, DEL) VALUES (100006, 1, '415', 30, 0), (100006, 2, '520', 60, 0), (100015, 1, '330', 30, 0), (100015, 2, '340', 30, 0)");
  writeFileSync(join(dir, 'services.csv'), 'ID,SV,DU\n100006,415\n100006,520,60\n100015,450,45\n100029,445,900\n');
  const before = rows('SELECT * FROM CSV ORDER BY ID, SQ');
  const { report } = await runSpec(SERVICES(), { aeries_password: PASSWORD }, { baseDir: dir });
  settle();
  assert.ok(report.ok, report.error);
  assert.equal(server.transactions.map((t) => t.event), ['begin', 'commit']);
  const after = rows('SELECT * FROM CSV ORDER BY ID, SQ');
  assert.equal(after.filter((r) => r.ID === 100006), before.filter((r) => r.ID === 100006), 'the student with a row cut short keeps both services');
  assert.equal(after.filter((r) => r.ID === 100029), before.filter((r) => r.ID === 100029), 'the student with a broken rule keeps theirs');
  assert.equal(after.filter((r) => r.ID === 100015).map((r) => [r.SQ, r.SV]), [[1, '450']], 'a student with a clean file gets exactly it');
  assert.equal(after.filter((r) => ![100006, 100015, 100029].includes(r.ID as number)), before.filter((r) => ![100006, 100015, 100029].includes(r.ID as number)));
  assert.equal(report.outputs.csv!.changes, { CSV: { inserted: 0, updated: 1, deleted: 1 } });
  assert.equal(report.held.csv!.slices.map((s) => s.slice), [{ ID: 100006 }, { ID: 100029 }]);
  const sent = server.statements.map((s) => s.sql);
  assert.ok(sent.includes('CREATE TABLE #sisflow_held ([ID] int NULL)'));
  assert.ok(sent.includes('DELETE s FROM #sisflow_stage AS s WHERE EXISTS (SELECT 1 FROM #sisflow_held AS h WHERE h.[ID] = s.[ID])'));
  const heldRows = server.statements.filter((s) => s.bulk && s.bulk.columns.join() === 'ID').flatMap((s) => s.bulk!.rows);
  assert.equal(heldRows, [[100006], [100029]]);
});

test('SQL Server: an unreadable line whose student cannot be known holds the whole import', async () => {
  const dir = await freshAeries();
  writeFileSync(join(dir, 'services.csv'), 'ID,SV,DU\n100006,415,30\noops\n100015,450,45\n');
  const before = rows('SELECT * FROM CSV ORDER BY ID, SQ');
  const { report } = await runSpec(SERVICES(), { aeries_password: PASSWORD }, { baseDir: dir });
  settle();
  assert.ok(report.ok, report.error);
  assert.equal(rows('SELECT * FROM CSV ORDER BY ID, SQ'), before);
  assert.ok(report.held.csv!.all);
  assert.not.ok(server.statements.some((s) => s.sql.includes('MERGE')), 'no MERGE was sent');
});

const CSE_SPEC = (connection: string) => `sisflow: 1
name: cse-import
connections:
  files: { use: files, dir: . }
  ${connection}
sources:
  rows:
    from: files
    path: rows.csv
    columns: { ID: int?, CID: string, MT: string?, PS: string?, MD: date? }
steps:
  cse:
    from: rows
    columns: { ID: ID, CID: CID, MT: MT, PS: PS, MD: MD }
outputs:
  cse: { from: cse, to: aeries, table: CSE, key: [ID] }
`;

test('the destination checks refuse the same rows with the same reasons on SQL Server and SQLite', async () => {
  const dir = await freshAeries();
  const file = `ID,CID,MT,PS,MD\n100006,12345678901,10,100,2026-01-02\n,1000700042,10,,\n100015,1000700105,ABC,,\n100029,1000700203,10,${'Z'.repeat(100000)},\n100034,1000700238,20,200,2026-11-30\n`;
  writeFileSync(join(dir, 'rows.csv'), file);
  const before = rows('SELECT * FROM CSE ORDER BY ID');
  const viaMssql = await runSpec(CSE_SPEC(CONNECTION()), { aeries_password: PASSWORD }, { baseDir: dir });
  settle();
  assert.ok(viaMssql.report.ok, viaMssql.report.error);
  const afterMssql = rows('SELECT * FROM CSE ORDER BY ID');
  const staged = server.statements.filter((s) => s.bulk).flatMap((s) => s.bulk!.rows.map((r) => r[0]));
  assert.equal(staged, [100034], 'only the row that fits reached SQL Server');

  const sqliteDir = await freshAeries();
  writeFileSync(join(sqliteDir, 'rows.csv'), file);
  const viaSqlite = await runSpec(CSE_SPEC('aeries: { use: sqlite, path: aeries.db }'), {}, { baseDir: sqliteDir });
  assert.ok(viaSqlite.report.ok, viaSqlite.report.error);
  const reasons = (r: typeof viaSqlite.report) => r.rejects.sample.map((j) => [j.line, j.kind, j.reason]);
  assert.equal(reasons(viaMssql.report), reasons(viaSqlite.report));
  assert.equal(reasons(viaSqlite.report), [
    [2, 'invalid', 'CID: 11 characters long, at most 10 fit (the destination column is varchar(10))'],
    [3, 'invalid', 'ID: a key column has no value (the destination column is int NOT NULL)'],
    [4, 'invalid', 'MT: 3 characters long, at most 2 fit (the destination column is varchar(2))'],
    [5, 'invalid', 'PS: 100000 characters long, at most 3 fit (the destination column is varchar(3))'],
  ]);
  const sqliteAfter = new Database(join(sqliteDir, 'aeries.db'), { readonly: true });
  try {
    assert.equal(sqliteAfter.prepare('SELECT * FROM CSE ORDER BY ID').all(), afterMssql, 'both destinations end with the same rows');
  } finally {
    sqliteAfter.close();
  }
  assert.equal(afterMssql.filter((r) => r.ID !== 100034), before.filter((r) => r.ID !== 100034));
  assert.equal(afterMssql.find((r) => r.ID === 100034)!.MD, '2026-11-30');
});

test.run();
