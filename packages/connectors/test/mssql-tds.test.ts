// The mssql connector through the real mssql + tedious client over TCP, against the TDS test
// server (test/mssql/tds-server.ts): the Destiny example reads the same rows as from the SQLite
// demo database, streaming holds back when the steps are slow, a dropped connection fails the run
// without output, logins fail clearly, and imports (bulk copy + MERGE) commit or roll back as one
// transaction.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Row, SourceBatch } from '@sisflow/core';
import { AERIES_CATALOG, sqliteConnector, tableSelect } from '@sisflow/connectors';
import { sqliteFile } from '../src/sqlite/sqlite-connector.js';
import { readMssql } from '../src/mssql/mssql-read.js';
import { context, runSpec } from './sftp-helpers.js';
import { startTdsServer, type ColumnType, type Reply, type Statement, type TdsServer } from './mssql/tds-server.js';

void sqliteConnector;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = readFileSync(join(ROOT, 'examples/destiny/patrons.yaml'), 'utf8');
const PASSWORD = 'Rd-0nly!pw';

let server: TdsServer;
let handler: (s: Statement) => Reply | Promise<Reply> = () => ({});
const demo = new Database(sqliteFile({ demo: true }, '.'), { readonly: true });

function columnType(sql: string): ColumnType {
  const base = sql.toLowerCase().replace(/\(.*$/, '');
  return base === 'varchar' || base === 'nvarchar' || base === 'char' ? 'nvarchar' : (base as ColumnType);
}

/**
 * Answers a table read the connector sends by running the SQLite form of the same read (same
 * columns, same parameters) on the demo database: what SQL Server would return for that data.
 */
function fromDemo(sqliteWhere: Map<string, string | undefined>) {
  return (s: Statement): Reply => {
    const m = /^SELECT (.*) FROM \[dbo\]\.\[(\w+)\]/.exec(s.sql);
    if (!m) return { error: { number: 208, message: `unexpected statement: ${s.sql}` } };
    const table = AERIES_CATALOG.get(m[2]!)!;
    const columns = [...m[1]!.matchAll(/\[(\w+)\]/g)].map((x) => x[1]!);
    const sql = tableSelect(table.name, columns, 'sqlite', sqliteWhere.get(table.name), table.key);
    const params = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 1 : 0) : v]));
    const rows = demo.prepare(sql).raw().all(params) as unknown[][];
    return {
      resultSets: [{ columns: columns.map((c) => ({ name: c, type: columnType(table.columns.find((x) => x.name === c)!.sql) })), rows: rows.map((r) => r.map((v, i) => (table.columns.find((x) => x.name === columns[i])!.sql === 'bit' ? v === 1 : v))) }],
    };
  };
}

const MSSQL = () => `aeries:
    use: mssql
    server: 127.0.0.1
    port: ${server.port}
    database: aeries
    user: reader
    password: \${secret:aeries_password}
    encrypt: false  # the test server speaks no TLS; production keeps the default (true)`;

const onMssql = (spec: string) => spec.replace('aeries:\n    use: sqlite\n    demo: true', MSSQL());

test.before(async () => {
  server = await startTdsServer({ logins: { reader: PASSWORD, writer: PASSWORD }, databases: ['aeries'], handle: (s) => handler(s) });
});
test.before.each(() => {
  server.statements.length = 0;
  server.transactions.length = 0;
  server.logins.length = 0;
  delete server.dropAfterRows;
});
test.after(async () => {
  await server.stop();
  demo.close();
});

test('the Destiny example gives byte-identical patrons.csv from SQL Server (over TDS) and from SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-mssql-'));
  const specText = onMssql(EXAMPLE).replace('dir: out', `dir: ${join(dir, 'mssql')}`);
  assert.ok(specText.includes('use: mssql'));
  // The SQLite form of each source's pushed-down filter, from the same spec compiled for SQLite.
  const sqlitePlan = await runSpec(EXAMPLE.replace('dir: out', `dir: ${join(dir, 'sqlite')}`), {}, { baseDir: dir });
  assert.ok(sqlitePlan.report.ok, sqlitePlan.report.error);
  const { compile } = await import('@sisflow/core');
  const { defaultRegistry } = await import('@sisflow/connectors');
  const plan = compile(EXAMPLE, 'x.yaml', { registry: defaultRegistry(), today: '2026-11-23' }).plan!;
  const where = new Map(plan.steps.flatMap((s) => (s.kind === 'source' ? [[String(s.settings.table), s.filter?.pushdown?.sql] as const] : [])));
  handler = fromDemo(where);
  const { report } = await runSpec(specText, { aeries_password: PASSWORD }, { baseDir: dir });
  assert.ok(report.ok, report.error);
  assert.is(readFileSync(join(dir, 'mssql/patrons.csv'), 'utf8'), readFileSync(join(dir, 'sqlite/patrons.csv'), 'utf8'));
  assert.ok(report.outputs.patrons_csv!.rows > 1000);
  const stu = server.statements.find((s) => s.sql.includes('[dbo].[STU]'))!;
  assert.is(
    stu.sql,
    "SELECT [ID], [SC], [LN], [FN], [MN], [NM], [GR], [SX], [BD], [TG], [ENR], [TE], [SEM] FROM [dbo].[STU] WHERE ((([SC] IN (@p1, @p2, @p3, @p4, @p5)) AND (NOT ([DEL] = 1))) AND ((CASE WHEN LTRIM(RTRIM(COALESCE([TG], ''))) <> '' THEN 'inactive' WHEN [ENR] > @p8 THEN 'pre-enrolled' ELSE 'active' END) COLLATE Latin1_General_100_BIN2 IN (@p6, @p7))) ORDER BY [SC], [SN]",
  );
  assert.equal(stu.params, { p1: 991, p2: 992, p3: 993, p4: 994, p5: 995, p6: 'active', p7: 'pre-enrolled', p8: '2026-11-23' });
  assert.ok(server.logins.every((l) => l.readOnlyIntent && l.appName === 'sisflow' && l.user === 'reader'), JSON.stringify(server.logins));
});

async function drain(batches: AsyncIterable<SourceBatch>, onBatch?: (i: number) => Promise<void>): Promise<number> {
  let n = 0;
  let i = 0;
  for await (const b of batches) {
    n += b.rows.length;
    await onBatch?.(i++);
  }
  return n;
}

const STREAM_ROWS = 300_000;
function* manyRows(): Iterable<unknown[]> {
  for (let i = 0; i < STREAM_ROWS; i++) yield [i, `name ${i} ${'x'.repeat(40)}`];
}
const readRequest = () => ({
  connection: { server: '127.0.0.1', port: server.port, database: 'aeries', user: 'reader', password: PASSWORD, encrypt: false },
  settings: { query: 'SELECT [ID], [LN] FROM [dbo].[STU]', columns: { ID: 'int', LN: 'string' } },
  schema: [
    { name: 'ID', type: { kind: 'int' as const, nullable: false } },
    { name: 'LN', type: { kind: 'string' as const, nullable: false } },
  ],
  batchSize: 1000,
});

test('streaming: a slow consumer holds the server back (TCP backpressure), then every row arrives', async () => {
  handler = () => ({ resultSets: [{ columns: [{ name: 'ID', type: 'int' }, { name: 'LN', type: 'nvarchar' }], rows: manyRows() }] });
  let sentWhilePaused = 0;
  const n = await drain(readMssql(readRequest(), context().ctx), async (i) => {
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 400));
      sentWhilePaused = server.rowsSent;
    }
  });
  assert.is(n, STREAM_ROWS);
  assert.ok(sentWhilePaused < STREAM_ROWS / 3, `the server had sent ${sentWhilePaused} of ${STREAM_ROWS} rows while the consumer was stuck on the first batch`);
});

test('cancelling a read sends the server an attention and stops the rows', async () => {
  handler = () => ({ resultSets: [{ columns: [{ name: 'ID', type: 'int' }, { name: 'LN', type: 'nvarchar' }], rows: manyRows() }] });
  const controller = new AbortController();
  const before = server.attentions;
  let rows = 0;
  const error = await drain(readMssql(readRequest(), context(controller.signal).ctx), async (i) => {
    rows += 1000;
    if (i === 2) controller.abort(new Error('SIGINT'));
  }).catch((e: Error) => e);
  assert.ok(rows < STREAM_ROWS / 2, `read ${rows} rows after the cancel`);
  await new Promise((r) => setTimeout(r, 100));
  assert.is(server.attentions, before + 1, 'the server was asked to stop');
  void error;
});

test('a connection dropped mid-stream fails the run and publishes nothing', async () => {
  handler = () => ({ resultSets: [{ columns: [{ name: 'ID', type: 'int' }, { name: 'LN', type: 'nvarchar' }], rows: manyRows() }] });
  server.dropAfterRows = 5000;
  let error: Error | undefined;
  let rows = 0;
  try {
    rows = await drain(readMssql(readRequest(), context().ctx));
  } catch (e) {
    error = e as Error;
  }
  assert.ok(error, `no error after ${rows} rows`);
  assert.match(error!.message, /^reading from 127\.0\.0\.1: /);
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-mssql-'));
  writeFileSync(join(dir, 'keep.csv'), 'previous\r\n');
  const spec = `sisflow: 1
name: drop
connections:
  ${MSSQL()}
  out: { use: files, dir: . }
sources:
  stu:
    from: aeries
    query: SELECT [ID], [LN] FROM [dbo].[STU]
    columns: { ID: int, LN: string }
outputs:
  o: { from: stu, to: out, path: keep.csv }
`;
  const { report } = await runSpec(spec, { aeries_password: PASSWORD }, { baseDir: dir });
  assert.not.ok(report.ok);
  assert.match(report.error!, /^source stu: reading from 127\.0\.0\.1: /);
  assert.is(readFileSync(join(dir, 'keep.csv'), 'utf8'), 'previous\r\n');
});

test('a wrong password and a missing database are explained, and the password is never shown', async () => {
  const bad = await drain(readMssql({ ...readRequest(), connection: { ...readRequest().connection, password: 'Wr0ng-pw' } }, context().ctx)).catch((e: Error) => e.message);
  assert.is(bad, `cannot connect to SQL Server 127.0.0.1:${server.port}, database aeries: login failed for reader (wrong user or password, or the login is disabled)`);
  const nodb = await drain(readMssql({ ...readRequest(), connection: { ...readRequest().connection, database: 'nope' } }, context().ctx)).catch((e: Error) => e.message);
  assert.match(String(nodb), 'database nope: the database does not exist or reader may not open it');
  assert.not.match(String(bad) + String(nodb), PASSWORD);
});

const IMPORT = (extra = '') => `sisflow: 1
name: siras-import
connections:
  files: { use: files, dir: . }
  aeries:
    use: mssql
    server: 127.0.0.1
    port: ${server.port}
    database: aeries
    user: writer
    password: \${secret:aeries_password}
    encrypt: false
sources:
  table_a:
    from: files
    path: tableA.csv
    columns: { StudentID: int, SSID: string, Disability: string?, MeetingDate: date? }
steps:
  cse:
    from: table_a
    columns:
      ID: StudentID
      CID: SSID
      DI: Disability
      MD: MeetingDate
outputs:
  cse: { from: cse, to: aeries, table: CSE, key: [ID]${extra} }
`;

function importHandler(options: { failOn?: RegExp } = {}) {
  const staged: Record<string, unknown>[] = [];
  handler = (s) => {
    if (options.failOn?.test(s.sql)) return { error: { number: 547, message: 'The INSERT statement conflicted with a CHECK constraint' } };
    if (s.sql.startsWith('CREATE TABLE #sisflow_stage')) return {};
    if (s.sql.startsWith('insert bulk [#sisflow_stage]')) return {};
    if (s.bulk) {
      for (const row of s.bulk.rows) staged.push(Object.fromEntries(s.bulk.columns.map((c, j) => [c, row[j]])));
      return { rowCount: s.bulk.rows.length };
    }
    if (s.sql.includes('MERGE [dbo].[CSE]')) {
      return { resultSets: [{ columns: [{ name: 'action', type: 'nvarchar' }, { name: 'n', type: 'int' }], rows: [['INSERT', staged.length - 1], ['UPDATE', 1]] }] };
    }
    return { error: { number: 50000, message: `unexpected: ${s.sql}` } };
  };
  return staged;
}

function importDir(rows = 2500): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-mssql-import-'));
  const lines = ['StudentID,SSID,Disability,MeetingDate'];
  for (let i = 0; i < rows; i++) lines.push(`${1000 + i},${9000000000 + i},${i % 3 === 0 ? '' : '210'},${i % 2 ? '2026-10-0' + (1 + (i % 9)) : ''}`);
  writeFileSync(join(dir, 'tableA.csv'), lines.join('\n') + '\n');
  return dir;
}

test('an import stages every row in one transaction, merges once, and commits only at the end', async () => {
  const staged = importHandler();
  const { report } = await runSpec(IMPORT(), { aeries_password: PASSWORD }, { baseDir: importDir() });
  assert.ok(report.ok, report.error);
  assert.is(staged.length, 2500);
  assert.equal(staged[1], { ID: 1001, CID: '9000000001', DI: '210', MD: '2026-10-02' });
  assert.equal(staged[0], { ID: 1000, CID: '9000000000', DI: null, MD: null });
  assert.equal(report.outputs.cse!.changes, { CSE: { inserted: 2499, updated: 1, deleted: 0 } });
  assert.ok(report.outputs.cse!.committed);
  assert.equal(server.transactions.map((t) => t.event), ['begin', 'commit']);
  const sent = server.statements.filter((s) => !s.sql.startsWith('SELECT 1'));
  assert.ok(sent.every((s) => s.inTransaction), 'every statement ran inside the transaction');
  assert.is(sent[0]!.sql, 'CREATE TABLE #sisflow_stage ([ID] int NULL, [CID] varchar(10) NULL, [DI] varchar(3) NULL, [MD] date NULL)');
  assert.is(sent[1]!.sql, 'insert bulk [#sisflow_stage]([ID] int, [CID] varchar(10), [DI] varchar(3), [MD] date)');
  assert.is(sent.filter((s) => s.bulk).length, 1, 'one bulk copy for 2,500 rows');
  assert.is(
    sent[sent.length - 1]!.sql,
    [
      'DECLARE @changes TABLE ([action] nvarchar(10));',
      'MERGE [dbo].[CSE] WITH (HOLDLOCK) AS t',
      'USING #sisflow_stage AS s ON t.[ID] = s.[ID]',
      'WHEN MATCHED AND ((t.[CID] <> s.[CID] OR (t.[CID] IS NULL AND s.[CID] IS NOT NULL) OR (t.[CID] IS NOT NULL AND s.[CID] IS NULL)) OR (t.[DI] <> s.[DI] OR (t.[DI] IS NULL AND s.[DI] IS NOT NULL) OR (t.[DI] IS NOT NULL AND s.[DI] IS NULL)) OR (t.[MD] <> s.[MD] OR (t.[MD] IS NULL AND s.[MD] IS NOT NULL) OR (t.[MD] IS NOT NULL AND s.[MD] IS NULL))) THEN UPDATE SET t.[CID] = s.[CID], t.[DI] = s.[DI], t.[MD] = s.[MD]',
      'WHEN NOT MATCHED BY TARGET THEN INSERT ([ID], [CID], [DI], [MD]) VALUES (s.[ID], s.[CID], s.[DI], s.[MD])',
      'OUTPUT $action INTO @changes;',
      'SELECT [action], COUNT(*) AS [n] FROM @changes GROUP BY [action];',
    ].join('\n'),
  );
});

test('a failing batch rolls the whole import back; a dry run reports the changes and rolls back', async () => {
  importHandler({ failOn: /^BULK LOAD/ });
  const failed = await runSpec(IMPORT(), { aeries_password: PASSWORD }, { baseDir: importDir() });
  assert.not.ok(failed.report.ok);
  assert.is(failed.report.error, `output cse: import into 127.0.0.1, aeries.CSE rolled back: The INSERT statement conflicted with a CHECK constraint`);
  assert.equal(server.transactions.map((t) => t.event), ['begin', 'rollback']);
  server.transactions.length = 0;
  importHandler();
  const dry = await runSpec(IMPORT(), { aeries_password: PASSWORD }, { baseDir: importDir(), dryRun: true });
  assert.ok(dry.report.ok, dry.report.error);
  assert.equal(dry.report.outputs.cse!.changes, { CSE: { inserted: 2499, updated: 1, deleted: 0 } });
  assert.not.ok(dry.report.outputs.cse!.committed);
  assert.equal(server.transactions.map((t) => t.event), ['begin', 'rollback']);
});

test('delete_missing refuses an empty output instead of emptying the table', async () => {
  importHandler();
  const dir = importDir(0);
  // An empty input fails before the sink is asked (issue 17, item 5); allowed, the sink still refuses.
  const refused = await runSpec(IMPORT(', delete_missing: true'), { aeries_password: PASSWORD }, { baseDir: dir });
  assert.not.ok(refused.report.ok);
  assert.match(refused.report.error!, 'table_a (→ cse) read no rows');
  assert.equal(server.transactions.map((t) => t.event), ['begin', 'rollback']);
  server.transactions.length = 0;
  const allowed = IMPORT(', delete_missing: true').replace('    path: tableA.csv\n', '    path: tableA.csv\n    allow_empty: true\n');
  const { report } = await runSpec(allowed, { aeries_password: PASSWORD }, { baseDir: dir });
  assert.not.ok(report.ok);
  assert.match(report.error!, 'the output is empty, and delete_missing would delete every row of CSE; nothing was changed');
  assert.equal(server.transactions.map((t) => t.event), ['begin', 'rollback']);
  assert.not.ok(existsSync(join(dir, 'cse')));
});

test('absent: keep and a file without the column: the MERGE leaves that column of the table as it is', async () => {
  const staged = importHandler();
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-mssql-import-'));
  writeFileSync(join(dir, 'tableA.csv'), 'StudentID,SSID,Disability\r\n1000,9000000000,210\r\n1001,9000000001,\r\n');
  const spec = IMPORT().replace('MeetingDate: date? }', 'MeetingDate: { type: date?, absent: keep } }');
  const { report } = await runSpec(spec, { aeries_password: PASSWORD }, { baseDir: dir });
  assert.ok(report.ok, report.error);
  assert.ok(report.warnings.some((w) => w.includes('CSE.MD left as they are')), report.warnings.join('\n'));
  // Staged as declared, MD empty; the MERGE neither compares, updates nor inserts MD.
  assert.equal(staged, [{ ID: 1000, CID: '9000000000', DI: '210', MD: null }, { ID: 1001, CID: '9000000001', DI: null, MD: null }]);
  const merge = server.statements.map((s) => s.sql).find((sql) => sql.includes('MERGE [dbo].[CSE]'))!;
  assert.is(
    merge,
    [
      'DECLARE @changes TABLE ([action] nvarchar(10));',
      'MERGE [dbo].[CSE] WITH (HOLDLOCK) AS t',
      'USING #sisflow_stage AS s ON t.[ID] = s.[ID]',
      'WHEN MATCHED AND ((t.[CID] <> s.[CID] OR (t.[CID] IS NULL AND s.[CID] IS NOT NULL) OR (t.[CID] IS NOT NULL AND s.[CID] IS NULL)) OR (t.[DI] <> s.[DI] OR (t.[DI] IS NULL AND s.[DI] IS NOT NULL) OR (t.[DI] IS NOT NULL AND s.[DI] IS NULL))) THEN UPDATE SET t.[CID] = s.[CID], t.[DI] = s.[DI]',
      'WHEN NOT MATCHED BY TARGET THEN INSERT ([ID], [CID], [DI]) VALUES (s.[ID], s.[CID], s.[DI])',
      'OUTPUT $action INTO @changes;',
      'SELECT [action], COUNT(*) AS [n] FROM @changes GROUP BY [action];',
    ].join('\n'),
  );
  // Without absent: keep the same file stops the run before the transaction begins.
  server.statements.length = 0;
  server.transactions.length = 0;
  const strict = await runSpec(IMPORT(), { aeries_password: PASSWORD }, { baseDir: dir });
  assert.not.ok(strict.report.ok);
  assert.match(strict.report.error!, 'tableA.csv has no column "MeetingDate"');
  assert.not.ok(server.statements.some((s) => s.sql.includes('MERGE')), 'nothing was merged');
  assert.not.ok(server.transactions.some((t) => t.event === 'commit'), 'nothing was committed');
});

void (undefined as unknown as Row);
test.run();
