// What an import will never do (docs/imports.md), each case on a copy of the real SQLite demo
// district with the SIRAS example spec, asserting the destination rows before and after: a
// student with a refused row keeps exactly what Aeries had; a value its column cannot take is
// refused with the column named; an empty input imports nothing; `rejects.max: 100%` never fails.
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSpec, tempDir } from './sftp-helpers.js';
import { sqliteFile } from '../src/sqlite/sqlite-connector.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SIRAS = readFileSync(join(ROOT, 'examples/siras/import.yaml'), 'utf8')
  .replace('aeries:\n    use: sqlite\n    demo: true', 'aeries:\n    use: sqlite\n    path: aeries.db')
  .replace('    dir: sample\n', '    dir: .\n')
  .replace(/\nnotify:\n(  .*\n|    .*\n)+/, '\n');
const TABLE_A = readFileSync(join(ROOT, 'examples/siras/sample/tableA.csv'), 'utf8');
const B_HEADER = 'Record Type Code,SSID,Local Student ID,Student Legal First Name,Student Legal Last Name,Service Code,Service Provider Type Code,Service Location Code,Service Frequency Code,Service Duration,Service Start Date,Service End Date';
const emma = (sv: string, pv: string, du = 30) => `SSRV,1000700042,100006,Emma,Cook,${sv},${pv},200,W,${du},20260812,20270604`;
const noah = (sv: string, pv: string, du = 45) => `SSRV,1000700105,100015,Noah,Singh,${sv},${pv},100,W,${du},20260812,20270604`;

let demo = '';
test.before(async () => {
  process.env.SISFLOW_DEMO_DIR = await tempDir('sisflow-held-demo-');
  demo = sqliteFile({ demo: true }, '.');
});

/** A folder with its own copy of the demo district and the two SIRAS files. */
async function district(files: { a?: string; b: string }): Promise<{ dir: string; db: (sql: string, ...args: unknown[]) => Record<string, unknown>[]; exec: (sql: string) => void }> {
  const dir = await tempDir('sisflow-held-');
  copyFileSync(demo, join(dir, 'aeries.db'));
  writeFileSync(join(dir, 'tableA.csv'), files.a ?? TABLE_A);
  writeFileSync(join(dir, 'tableB.csv'), files.b);
  const open = (readonly: boolean) => new Database(join(dir, 'aeries.db'), { readonly });
  return {
    dir,
    db: (sql, ...args) => {
      const d = open(true);
      try {
        return d.prepare(sql).all(...args) as Record<string, unknown>[];
      } finally {
        d.close();
      }
    },
    exec: (sql) => {
      const d = open(false);
      try {
        d.exec(sql);
      } finally {
        d.close();
      }
    },
  };
}

const services = (d: Awaited<ReturnType<typeof district>>, id: number) => d.db('SELECT SQ, SV, PV, DU FROM CSV WHERE ID = ? ORDER BY SQ', id);
const allServices = (d: Awaited<ReturnType<typeof district>>) => d.db('SELECT * FROM CSV ORDER BY ID, SQ');
const allCse = (d: Awaited<ReturnType<typeof district>>) => d.db('SELECT * FROM CSE ORDER BY ID');

test('one services row cut short holds that student whole: nothing renumbered, nothing deleted (issue 17, item 1)', async () => {
  const cut = emma('415', '030').split(',').slice(0, 8).join(',');
  const d = await district({ b: [B_HEADER, cut, emma('520', '010', 60), noah('450', '010'), noah('510', '020')].join('\n') + '\n' });
  d.exec("DELETE FROM CSV WHERE ID = 100006; INSERT INTO CSV (ID, SQ, SV, PV, DU, DEL) VALUES (100006, 1, '415', '030', 30, 0), (100006, 2, '520', '010', 60, 0)");
  const emmaBefore = services(d, 100006);
  const { report } = await runSpec(SIRAS, {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(services(d, 100006), emmaBefore, "Emma's services are exactly what Aeries had");
  assert.equal(emmaBefore.map((r) => [r.SQ, r.SV, r.PV]), [[1, '415', '030'], [2, '520', '010']]);
  assert.equal(services(d, 100015).map((r) => [r.SQ, r.SV, r.PV]), [[1, '450', '010'], [2, '510', '020']], 'Noah gets exactly the file');
  // Held with it: the students refused in the sample student file (a bad code, a duplicate, an unreadable date).
  assert.equal(report.held.csv_services!.slices.map((s) => s.slice.ID), [100001, 100002, 100003, 100006]);
  assert.equal(report.held.csv_services!.slices[3], { slice: { ID: 100006 }, reasons: ['services_file line 2: tableB.csv: the row has 8 fields, the header has 12'] });
  assert.equal(report.rejects.bySource.services_file, { unreadable: 1 });
});

test('a services line whose student cannot be read holds every student; the student file still imports', async () => {
  const d = await district({ b: [B_HEADER, emma('415', '030'), 'SSRV', noah('450', '010')].join('\n') + '\n' });
  const before = allServices(d);
  const cseBefore = allCse(d);
  const { report } = await runSpec(SIRAS, {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(allServices(d), before);
  assert.equal(report.outputs.csv_services!.changes, { CSV: { inserted: 0, updated: 0, deleted: 0 } });
  assert.match(report.held.csv_services!.all!, /^services_file line 3: tableB\.csv: the row has 1 fields, the header has 12 \(which ID it belongs to cannot be known\)$/);
  assert.not.equal(allCse(d), cseBefore);
  assert.equal(report.outputs.cse!.changes, { CSE: { inserted: 2, updated: 3, deleted: 0 } });
});

test('a short line whose cells may be shifted (its first field is missing) and names no student holds every student', async () => {
  const shifted = emma('415', '030').split(',').slice(1).join(',');
  const d = await district({ b: [B_HEADER, emma('520', '010'), shifted, noah('450', '010')].join('\n') + '\n' });
  const before = allServices(d);
  const { report } = await runSpec(SIRAS, {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(allServices(d), before, "read from the wrong cell, the SSID would be '100006', nobody's: Emma must not lose 415");
  assert.is(report.held.csv_services!.all, 'services_file line 3: tableB.csv: the row has 11 fields, the header has 12 (which ID it belongs to cannot be known)');
});

test('a services row that breaks a rule, or whose cell does not parse, holds its student only', async () => {
  const d = await district({ b: [B_HEADER, emma('415', '030'), emma('520', '010', 900), noah('450', '010'), noah('510', 'x').replace('20260812', '2026-99-99')].join('\n') + '\n' });
  d.exec("INSERT OR REPLACE INTO CSV (ID, SQ, SV, DEL) VALUES (100006, 7, '330', 0)");
  const emmaBefore = services(d, 100006);
  const noahBefore = services(d, 100015);
  const others = d.db('SELECT * FROM CSV WHERE ID NOT IN (100006, 100015) ORDER BY ID, SQ');
  const { report } = await runSpec(SIRAS.replace('  max: 5 ', '  max: 10 '), {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(services(d, 100006), emmaBefore);
  assert.equal(services(d, 100015), noahBefore);
  assert.equal(d.db('SELECT * FROM CSV WHERE ID NOT IN (100006, 100015) ORDER BY ID, SQ'), others);
  assert.equal(
    report.held.csv_services!.slices.filter((s) => (s.slice.ID as number) > 100003).map((s) => [s.slice.ID, s.reasons.map((r) => r.replace(/:.*/, ''))]),
    [[100006, ['services_file line 3']], [100015, ['services_file line 5']]],
  );
  assert.match(report.held.csv_services!.slices[3]!.reasons[0]!, 'the service duration is not between 1 and 600 minutes');
});

test('a student whose student-file row was refused keeps their services, whatever the services file says', async () => {
  const a = TABLE_A.replace('1000700042,100006,Emma,Cook,20170216,F,20240616,200,20261105,10,270,270', '1000700042,100006,Emma,Cook,20170216,F,20240616,200,20261105,10,999,270');
  const d = await district({ a, b: [B_HEADER, emma('445', '010'), noah('450', '010')].join('\n') + '\n' });
  const emmaBefore = services(d, 100006);
  const emmaCse = d.db('SELECT * FROM CSE WHERE ID = 100006');
  const { report } = await runSpec(SIRAS, {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(services(d, 100006), emmaBefore);
  assert.equal(d.db('SELECT * FROM CSE WHERE ID = 100006'), emmaCse);
  assert.equal(services(d, 100015).map((r) => r.SV), ['450']);
  assert.ok(report.held.csv_services!.slices.some((s) => s.slice.ID === 100006 && s.reasons.some((r) => r.startsWith("sped_file line 3: DI '999' is not one of"))));
});

test('a 5 MB value for CSE.PS (varchar(3)) is refused with the column named; the student keeps CSE and services (item 6)', async () => {
  const huge = 'X'.repeat(5 * 1024 * 1024);
  const a = TABLE_A.replace('1000700042,100006,Emma,Cook,20170216,F,20240616,200,20261105,10,270,270,100', `1000700042,100006,Emma,Cook,20170216,F,20240616,200,20261105,10,270,270,${huge}`);
  const d = await district({ a, b: [B_HEADER, emma('445', '010'), noah('450', '010')].join('\n') + '\n' });
  const emmaCse = d.db('SELECT * FROM CSE WHERE ID = 100006');
  const emmaServices = services(d, 100006);
  const { report } = await runSpec(SIRAS, {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(d.db('SELECT * FROM CSE WHERE ID = 100006'), emmaCse);
  assert.equal(services(d, 100006), emmaServices);
  assert.ok(d.db('SELECT max(length(PS)) AS n FROM CSE')[0]!.n as number <= 3);
  const reject = report.rejects.sample.find((r) => r.step === 'cse')!;
  assert.is(reject.reason, 'PS: 5242880 characters long, at most 3 fit (the destination column is varchar(3))');
  assert.is(reject.kind, 'invalid');
  assert.is(reject.line, 3);
  assert.equal(report.held.csv_services!.slices.find((s) => s.slice.ID === 100006)!.reasons, [`sped_file line 3: ${reject.reason}`]);
});

/** A spec reading rows.csv (with these columns) into the district copy's aeries.db; `rest` follows the source. */
const intoAeries = (name: string, columns: string, rest: string) => `sisflow: 1
name: ${name}
connections:
  files: { use: files, dir: . }
  aeries: { use: sqlite, path: aeries.db }
sources:
  rows:
    from: files
    path: rows.csv
    columns: ${columns}
${rest}`;

const SMALL = (extra = '', source = '') => intoAeries('cse-import', '{ ID: int?, CID: string, MT: string?, MD: date? }', `${source}steps:
  cse:
    from: rows
    columns: { ID: ID, CID: CID, MT: MT, MD: MD }
outputs:
  cse: { from: cse, to: aeries, table: CSE, key: [ID]${extra} }
`);

test('the destination checks: text length, key never null, on SQLite as the demo database itself would refuse', async () => {
  const d = await district({ b: '' });
  writeFileSync(join(d.dir, 'rows.csv'), 'ID,CID,MT,MD\n100006,12345678901,10,2026-01-02\n,1000700042,10,\n100015,1000700105,ABC,\n100029,1000700203,10,2026-11-30\n');
  const before = allCse(d);
  const { report } = await runSpec(SMALL(), {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(
    report.rejects.sample.map((r) => [r.line, r.reason]),
    [
      [2, 'CID: 11 characters long, at most 10 fit (the destination column is varchar(10))'],
      [3, 'ID: a key column has no value (the destination column is int NOT NULL)'],
      [4, 'MT: 3 characters long, at most 2 fit (the destination column is varchar(2))'],
    ],
  );
  const after = allCse(d);
  assert.equal(after.filter((r) => r.ID !== 100029), before.filter((r) => r.ID !== 100029));
  assert.is(after.find((r) => r.ID === 100029)!.MD, '2026-11-30');
  // The demo database refuses what SQL Server refuses, even written to directly.
  assert.throws(() => d.exec("UPDATE CSE SET PS = 'ABCD' WHERE ID = 100006"), /CHECK constraint failed/);
});

/** Services straight from a file with Aeries IDs, numbered per student, into CSV with `delete`. */
const NUMBERED = (output: string) => intoAeries('numbered', '{ ID: int, SV: string, DU: int? }', `steps:
  services:
    from: rows
    columns: { ID: ID, SV: SV, DU: DU, DEL: 'false' }
    number: { within: ID, as: SQ }
    rules:
      - check: DU is null or DU <= 600
        message: too long
outputs:
  csv: { from: services, to: aeries, table: CSV, key: [ID, SQ]${output} }
`);

test('number: { within } alone slices the import: a student with a refused row is not renumbered', async () => {
  const d = await district({ b: '' });
  d.exec("DELETE FROM CSV WHERE ID IN (100006, 100015); INSERT INTO CSV (ID, SQ, SV, DU, DEL) VALUES (100006, 1, '415', 30, 0), (100006, 2, '520', 60, 0), (100015, 1, '330', 30, 0)");
  writeFileSync(join(d.dir, 'rows.csv'), 'ID,SV,DU\n100006,415,900\n100006,520,60\n100015,450,45\n');
  const before = allServices(d);
  const { report } = await runSpec(NUMBERED(''), {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  const after = allServices(d);
  assert.equal(after.filter((r) => r.ID === 100006), before.filter((r) => r.ID === 100006), 'without the hold, 520 would have become SQ 1 over 415');
  assert.equal(after.filter((r) => r.ID === 100015).map((r) => [r.SQ, r.SV]), [[1, '450']]);
  assert.equal(report.held.csv!.slices, [{ slice: { ID: 100006 }, reasons: ['rows line 2: too long'] }]);
});

test('delete_missing: true makes the whole table one slice: any refused row holds the import', async () => {
  const d = await district({ b: '' });
  writeFileSync(join(d.dir, 'rows.csv'), 'ID,SV,DU\n100006,415,900\n100015,450,45\n');
  const before = allServices(d);
  const { report } = await runSpec(NUMBERED(', delete_missing: true'), {}, { baseDir: d.dir });
  assert.ok(report.ok, report.error);
  assert.equal(allServices(d), before, 'no service of any student was deleted');
  assert.equal(report.held.csv, { all: 'rows line 2: too long', slices: [] });
  assert.equal(report.outputs.csv!.changes, { CSV: { inserted: 0, updated: 0, deleted: 0 } });
});

test('a header-only student file fails the run and nothing is imported; allow_empty opts out (item 5)', async () => {
  const header = TABLE_A.split('\n')[0] + '\n';
  const d = await district({ a: header, b: [B_HEADER, emma('445', '010')].join('\n') + '\n' });
  const cse = allCse(d);
  const csv = allServices(d);
  const { report } = await runSpec(SIRAS, {}, { baseDir: d.dir });
  assert.not.ok(report.ok);
  assert.match(report.error!, 'sped_file (→ cse) read no rows: an empty input is refused, since it would look like every record had gone; nothing was published');
  assert.equal(allCse(d), cse);
  assert.equal(allServices(d), csv);
  // An empty file with no header at all is empty too.
  writeFileSync(join(d.dir, 'tableA.csv'), '');
  const bare = await runSpec(SIRAS, {}, { baseDir: d.dir });
  assert.match(bare.report.error!, 'sped_file (→ cse) read no rows');
  assert.equal(allServices(d), csv);
});

test('allow_empty lets an import run on an empty input; a source that read rows last time is named in a warning', async () => {
  const d = await district({ b: '' });
  writeFileSync(join(d.dir, 'rows.csv'), 'ID,CID,MT,MD\n');
  const before = allCse(d);
  const spec = SMALL('', '').replace('    path: rows.csv\n', '    path: rows.csv\n    allow_empty: true\n');
  const { report } = await runSpec(spec, {}, { baseDir: d.dir, previousRows: { rows: 412 } });
  assert.ok(report.ok, report.error);
  assert.equal(report.outputs.cse!.changes, { CSE: { inserted: 0, updated: 0, deleted: 0 } });
  assert.ok(report.warnings.includes('rows read 0 rows; the last run read 412'), report.warnings.join('\n'));
  assert.equal(allCse(d), before);
  const first = await runSpec(spec, {}, { baseDir: d.dir, previousRows: { rows: 0 } });
  assert.not.ok(first.report.warnings.some((w) => w.includes('the last run read')));
});

/** A file export of one CSV source: no import at all. */
const EXPORT = `sisflow: 1
name: export
connections:
  files: { use: files, dir: . }
sources:
  rows:
    from: files
    path: rows.csv
    columns: { ID: int, NAME: string }
outputs:
  out: { from: rows, to: files, path: out.csv }
`;

test('a source that says allow_empty: false fails any run it reads nothing in, a file export too', async () => {
  const dir = await tempDir('sisflow-held-');
  writeFileSync(join(dir, 'rows.csv'), 'ID,NAME\n');
  const quiet = await runSpec(EXPORT, {}, { baseDir: dir });
  assert.ok(quiet.report.ok, 'by default only imports refuse an empty input');
  rmSync(join(dir, 'out.csv'));
  const strict = await runSpec(EXPORT.replace('    path: rows.csv\n', '    path: rows.csv\n    allow_empty: false\n'), {}, { baseDir: dir });
  assert.not.ok(strict.report.ok);
  assert.match(strict.report.error!, /^rows read no rows: an empty input is refused/);
  assert.not.ok(existsSync(join(dir, 'out.csv')), 'nothing was published');
});

test('rejects.max: 100% never fails, and unreadable lines count among the rows read (item 8)', async () => {
  const dir = await tempDir('sisflow-held-');
  const spec = (max: string) => `${EXPORT}rejects:\n  max: ${max}\n`;
  writeFileSync(join(dir, 'rows.csv'), 'ID,NAME\n1\nx,b\n2\n3,c,d\n4,e,f\n');
  const all = await runSpec(spec("'100%'"), {}, { baseDir: dir });
  assert.ok(all.report.ok, all.report.error);
  assert.is(all.report.rejects.count, 5);
  writeFileSync(join(dir, 'rows.csv'), 'ID,NAME\n1,a\n2,b\n3\n4\n');
  const half = await runSpec(spec("'50%'"), {}, { baseDir: dir });
  assert.ok(half.report.ok, half.report.error);
  writeFileSync(join(dir, 'rows.csv'), 'ID,NAME\n1,a\n2\n3\n4\n');
  const over = await runSpec(spec("'50%'"), {}, { baseDir: dir });
  assert.not.ok(over.report.ok);
  assert.match(over.report.error!, '3 row(s) rejected, more than the spec allows (rejects.max: 50% of rows read)');
});

test.run();
