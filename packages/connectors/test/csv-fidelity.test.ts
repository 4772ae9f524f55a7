// Imports from CSV files never lose data silently (issue 17): a declared column missing from the
// header, a header name twice, or a quote open to the end of the file stop the run before anything
// is written; `absent: keep` leaves the destination's column as it is; every line a stray quote
// swallowed is rejected and counted; files people read are spreadsheet-safe by default. Each case
// runs the real files and SQLite connectors against a copy of the demo district database and
// compares the Aeries rows before and after.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeDemoDatabase } from '@sisflow/connectors';
import { runSpec, tempDir } from './sftp-helpers.js';

let demo = '';
/** Special-ed students of the demo district (they have a CSE row) and one student who has none. */
let sped: { ID: number; CID: string; DI: string | null; MD: string | null; MT: string | null }[] = [];
let newcomer: { ID: number; CID: string } = { ID: 0, CID: '' };

test.before(async () => {
  demo = join(await tempDir('sisflow-csv-fidelity-demo-'), 'aeries.db');
  writeDemoDatabase(demo, { studentsPerSchool: 400 });
  const db = new Database(demo, { readonly: true });
  sped = db.prepare('SELECT c.ID, s.CID, c.DI, c.MD, c.MT FROM CSE c JOIN STU s ON s.ID = c.ID WHERE NOT c.DEL AND NOT s.DEL AND s.CID IS NOT NULL AND c.MD IS NOT NULL ORDER BY c.ID LIMIT 3').all() as typeof sped;
  newcomer = db.prepare('SELECT ID, CID FROM STU WHERE NOT DEL AND CID IS NOT NULL AND ID NOT IN (SELECT ID FROM CSE) ORDER BY ID LIMIT 1').get() as typeof newcomer;
  db.close();
  assert.is(sped.length, 3);
});

const SPEC = (meetingDate: string, extra = '') => `sisflow: 1
name: sped
connections:
  siras: { use: files, dir: in }
  aeries: { use: sqlite, path: aeries.db }
  logs: { use: files, dir: out }
sources:
  sped_file:
    from: siras
    path: tableA.csv
    columns:
      SSID: string
      Disability 1 Code: string
      Meeting Date: ${meetingDate}
      Meeting Type: { type: string?, headers: [Special Education Meeting Type Code, SPED Meeting Type Code], absent: keep }
    date_format: yyyyMMdd
  students:
    from: aeries
    table: STU
    columns: [ID, CID]
    where: not DEL and CID is not null
steps:
  cse:
    from: sped_file
    lookup:
      stu: { from: students, key: CID, on: SSID, required: true }
    columns:
      ID: stu.ID
      CID: SSID
      DI: '"Disability 1 Code"'
      MD: '"Meeting Date"'
      MT: '"Meeting Type"'
      DEL: 'false'
outputs:
  cse: { from: cse, to: aeries, table: CSE, key: [ID] }
  imported: { from: cse, to: logs, path: imported.csv }
rejects:
  max: 3
  to: logs
  path: rejects.csv
${extra}`;

/** A folder with a fresh copy of the demo database and this student file. */
async function folder(csv: string): Promise<string> {
  const dir = await tempDir('sisflow-csv-fidelity-');
  copyFileSync(demo, join(dir, 'aeries.db'));
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'in/tableA.csv'), csv);
  return dir;
}

function cse(dir: string): Record<string, unknown>[] {
  const db = new Database(join(dir, 'aeries.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM CSE ORDER BY ID').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** The CALPADS full-length header names (SIRAS since 2019), without any meeting date column. */
const CALPADS_NO_MEETING = () =>
  [
    'SSID,Disability 1 Code,Special Education Meeting Type Code',
    `${sped[0]!.CID},240,30`,
    `${sped[1]!.CID},250,30`,
    `${newcomer.CID},210,10`,
  ].join('\r\n') + '\r\n';

test('a declared column missing from the header stops the run before anything is written, even a nullable one', async () => {
  const dir = await folder(CALPADS_NO_MEETING().replace('Special Education Meeting Type Code', 'Special Education Meeting Date,Special Education Meeting Type Code').replace(/,(30|10)\r\n/g, ',20261105,$1\r\n'));
  const before = cse(dir);
  const { report } = await runSpec(SPEC('date?'), {}, { baseDir: dir });
  assert.not.ok(report.ok);
  assert.is(
    report.error,
    'source sped_file: tableA.csv has no column "Meeting Date", the closest is "Special Education Meeting Date". Its header: SSID, Disability 1 Code, Special Education Meeting Date, Special Education Meeting Type Code. ' +
      "Nothing was read or written; name the header in the column's `headers:`, or say `absent: keep` if the destination should keep its value when the file has no such column",
  );
  assert.equal(cse(dir), before);
  assert.equal(report.outputs, {});
});

test('the column under one of its header names imports; absent: keep leaves the destination column as it is, not NULL', async () => {
  // The file has no meeting date under any name: with absent: keep, Aeries keeps each student's.
  const dir = await folder(CALPADS_NO_MEETING());
  const before = cse(dir);
  const { report } = await runSpec(SPEC('{ type: date?, headers: [Special Education Meeting Date, SPED Meeting Date], absent: keep }'), {}, { baseDir: dir });
  assert.ok(report.ok, report.error);
  assert.equal(report.outputs.cse!.changes, { CSE: { inserted: 1, updated: 2, deleted: 0 } });
  assert.ok(report.warnings.some((w) => w.includes('tableA.csv has no column "Meeting Date": read as empty')), report.warnings.join('\n'));
  assert.ok(report.warnings.some((w) => w.includes('CSE.MD left as they are')), report.warnings.join('\n'));
  const after = cse(dir);
  const row = (rows: Record<string, unknown>[], id: number) => rows.find((r) => r.ID === id)!;
  for (const [i, di] of [[0, '240'], [1, '250']] as const) {
    const id = sped[i]!.ID;
    assert.equal(row(after, id), { ...row(before, id), CID: sped[i]!.CID, DI: di, MT: '30', DEL: 0 }, 'MD kept, the other columns set');
    assert.is(row(after, id).MD, sped[i]!.MD);
  }
  assert.equal(row(before, sped[2]!.ID), row(after, sped[2]!.ID), 'a student the file does not mention is untouched');
  const added = row(after, newcomer.ID);
  assert.equal([added.CID, added.DI, added.MD, added.MT], [newcomer.CID, '210', null, '10']);
  assert.is(after.length, before.length + 1);
  // The file with the column under its legacy name: the dates are imported.
  const legacy = await folder(CALPADS_NO_MEETING().replace('Special Education Meeting Type Code', 'SPED Meeting Date,SPED Meeting Type Code').replace(/,(30|10)\r\n/g, ',20261105,$1\r\n'));
  const second = await runSpec(SPEC('{ type: date?, headers: [Special Education Meeting Date, SPED Meeting Date], absent: keep }'), {}, { baseDir: legacy });
  assert.ok(second.report.ok, second.report.error);
  assert.is(row(cse(legacy), sped[0]!.ID).MD, '2026-11-05');
  assert.not.ok(second.report.warnings.some((w) => w.includes('left as they are')));
});

test('a header with the same name twice stops the run, naming both positions', async () => {
  const dir = await folder(`SSID,Disability 1 Code,SPED Meeting Date,SPED Meeting Type Code,SSID\r\n${sped[0]!.CID},240,20261105,30,${sped[1]!.CID}\r\n`);
  const before = cse(dir);
  const { report } = await runSpec(SPEC('{ type: date?, headers: [Special Education Meeting Date, SPED Meeting Date] }'), {}, { baseDir: dir });
  assert.not.ok(report.ok);
  assert.is(report.error, 'source sped_file: tableA.csv: the header has "SSID" twice, as column 1 (A) and column 5 (E); which one holds the data is unknown, so nothing was read');
  assert.equal(cse(dir), before);
});

const QUOTED = (tail: string) =>
  [
    'SSID,Disability 1 Code,SPED Meeting Date,SPED Meeting Type Code',
    `${sped[0]!.CID},240,20261105,30`,
    `${sped[1]!.CID},"250,20261105,30`,
    `${sped[2]!.CID},260,20261106,30`,
    `${newcomer.CID},210,20261107,10`,
    tail,
  ].join('\r\n') + '\r\n';

test('every line a stray quote swallowed is a reject that counts against rejects.max', async () => {
  // The quote opened on line 3 closes on line 6: lines 3 to 6 are lost, 4 rejects > max 3.
  const over = await folder(QUOTED(`${sped[2]!.CID}",260,20261106,30`));
  const before = cse(over);
  const failed = await runSpec(SPEC('{ type: date?, headers: [Special Education Meeting Date, SPED Meeting Date] }'), {}, { baseDir: over });
  assert.not.ok(failed.report.ok);
  assert.match(failed.report.error!, '4 row(s) rejected, more than the spec allows (rejects.max: 3 row(s))');
  assert.equal(cse(over), before);
  // Allowed more, the rest imports and the rejects file lists each lost line with its text.
  const spec = SPEC('{ type: date?, headers: [Special Education Meeting Date, SPED Meeting Date] }').replace('max: 3', 'max: 4');
  const ok = await runSpec(spec, {}, { baseDir: over });
  assert.ok(ok.report.ok, ok.report.error);
  assert.is(ok.report.rejects.count, 4);
  assert.equal(ok.report.rejects.bySource.sped_file, { unreadable: 4 });
  assert.equal(ok.report.outputs.cse!.changes, { CSE: { inserted: 0, updated: 1, deleted: 0 } });
  const rejects = readFileSync(join(over, 'out/rejects.csv'), 'utf8').trim().split('\r\n');
  assert.is(rejects.length, 5);
  assert.equal(rejects.slice(1).map((l) => l.split(',')[2]), ['3', '4', '5', '6']);
  assert.match(rejects[2]!, `${sped[2]!.CID},260,20261106,30`);
});

test('a quote open to the end of the file fails the file and imports nothing', async () => {
  const dir = await folder(QUOTED(`${sped[2]!.CID},260,20261106,30`));
  const before = cse(dir);
  const { report } = await runSpec(SPEC('{ type: date?, headers: [Special Education Meeting Date, SPED Meeting Date] }').replace('max: 3', 'max: 100'), {}, { baseDir: dir });
  assert.not.ok(report.ok);
  assert.is(report.error, 'source sped_file: tableA.csv: a quote opened on line 3 is never closed, so the 4 line(s) from there to the end of the file cannot be read; nothing was imported');
  assert.equal(cse(dir), before);
});

test('files people read are spreadsheet-safe by default: the rejects file and attachments; other outputs and an explicit opt-out are not', async () => {
  const formula = '=HYPERLINK("http://x.example","y")';
  const csv = [
    'SSID,Disability 1 Code,SPED Meeting Date,SPED Meeting Type Code',
    `${sped[0]!.CID},240,20261105,30`,
    `"${formula.replaceAll('"', '""')}",+cmd|' /C calc'!A0`,
    `${sped[1]!.CID},-1,20261105,@1`,
  ].join('\r\n');
  const columns = '{ type: date?, headers: [Special Education Meeting Date, SPED Meeting Date] }';
  const mail = `notify:
  log: { to: mail, recipients: [a@district.example], attach: [imported, rejects] }
`;
  const withMail = (s: string) => s.replace('  logs: { use: files, dir: out }', '  logs: { use: files, dir: out }\n  mail: { use: smtp, host: 127.0.0.1, port: 9, tls: none, from: s@district.example }');
  const dir = await folder(csv);
  const { report } = await runSpec(withMail(SPEC(columns, mail)), {}, { baseDir: dir });
  assert.ok(report.ok, report.error);
  const rejects = readFileSync(join(dir, 'out/rejects.csv'), 'utf8');
  // The unreadable line's text is a cell of its own, starting with =.
  assert.match(rejects, `"'=HYPERLINK(""http://x.example"",""y""),+cmd|' /C calc'!A0"`);
  assert.not.match(rejects, /[,"]=HYPERLINK/);
  const imported = readFileSync(join(dir, 'out/imported.csv'), 'utf8');
  assert.match(imported, ",'-1,");
  assert.match(imported, ",'@1,");
  // Not attached: written as it is (a program reads it).
  const plain = await folder(csv);
  const alone = await runSpec(SPEC(columns), {}, { baseDir: plain });
  assert.ok(alone.report.ok, alone.report.error);
  assert.match(readFileSync(join(plain, 'out/imported.csv'), 'utf8'), ',-1,');
  assert.match(readFileSync(join(plain, 'out/rejects.csv'), 'utf8'), `"'=HYPERLINK`, 'the rejects file is always for people');
  // The explicit opt-out, for the output and for the rejects file.
  const raw = await folder(csv);
  const optOut = withMail(SPEC(columns, mail))
    .replace('path: imported.csv }', 'path: imported.csv, spreadsheet_safe: false }')
    .replace('  path: rejects.csv\n', '  path: rejects.csv\n  spreadsheet_safe: false\n');
  const out = await runSpec(optOut, {}, { baseDir: raw });
  assert.ok(out.report.ok, out.report.error);
  assert.match(readFileSync(join(raw, 'out/imported.csv'), 'utf8'), ',-1,');
  assert.match(readFileSync(join(raw, 'out/rejects.csv'), 'utf8'), '"=HYPERLINK');
});

test.run();
