// The SIRAS example with each of SIRAS' file layouts (issue 20): the legacy tableA/tableB files with
// CALPADS' full-length header names (and the older abbreviations), and the current
// studentData/serviceData files, each picked by the same parameter as the file name. Each runs the
// example spec on its sample files against a copy of the demo district database and compares the
// Aeries rows before and after.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeDemoDatabase } from '@sisflow/connectors';
import { runSpec, tempDir } from './sftp-helpers.js';
import { freePort } from './sftp/sshd.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/siras');
let demo = '';
let spec = '';

test.before(async () => {
  demo = join(await tempDir('sisflow-siras-layouts-demo-'), 'aeries.db');
  writeDemoDatabase(demo, { studentsPerSchool: 400 });
  // The example as it is, on a database file of its own and a closed mail port (no relay here).
  spec = readFileSync(join(EXAMPLE, 'import.yaml'), 'utf8')
    .replace('  aeries:\n    use: sqlite\n    demo: true\n', '  aeries:\n    use: sqlite\n    path: aeries.db\n')
    .replace('    host: localhost\n    port: 25', `    host: 127.0.0.1\n    port: ${await freePort()}`);
  assert.match(spec, 'path: aeries.db');
});

/** A folder with a copy of the demo database and the sample files (edited by `edit`). */
async function folder(edit: (name: string, text: string) => string = (_, t) => t): Promise<string> {
  const dir = await tempDir('sisflow-siras-layouts-');
  copyFileSync(demo, join(dir, 'aeries.db'));
  mkdirSync(join(dir, 'sample'));
  for (const name of ['tableA.csv', 'tableB.csv', 'studentData.csv', 'serviceData.csv']) {
    writeFileSync(join(dir, 'sample', name), edit(name, readFileSync(join(EXAMPLE, 'sample', name), 'utf8')));
  }
  return dir;
}

function table(dir: string, name: 'CSE' | 'CSV'): Record<string, unknown>[] {
  const db = new Database(join(dir, 'aeries.db'), { readonly: true });
  try {
    return db.prepare(`SELECT * FROM ${name} ORDER BY ID${name === 'CSV' ? ', SQ' : ''}`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

const LAYOUTS = { legacy: {}, current: { student_file: 'studentData.csv', service_file: 'serviceData.csv' } };

for (const [name, params] of Object.entries(LAYOUTS)) {
  test(`the ${name} layout (${params.student_file ?? 'tableA.csv'}) imports the sample as the README says`, async () => {
    const dir = await folder();
    const before = table(dir, 'CSE');
    const { report } = await runSpec(spec, {}, { baseDir: dir, params });
    assert.ok(report.ok, report.error);
    assert.equal(report.outputs.cse!.changes, { CSE: { inserted: 2, updated: 3, deleted: 0 } });
    assert.equal(report.outputs.csv_services!.changes, { CSV: { inserted: 1, updated: 0, deleted: 1 } });
    assert.equal(report.rejects.bySource.sped_file, { unreadable: 1, unmatched: 1, duplicate: 1, invalid: 1 });
    assert.is(report.sources.sped_file!.rows, 13);
    const after = table(dir, 'CSE');
    assert.is(after.length, before.length + 2);
    const liam = (rows: Record<string, unknown>[]) => rows.find((r) => r.CID === '1000700014')!;
    assert.equal(liam(after), { ...liam(before), DI: '210', EP: '200', RD: '2024-06-19', MD: '2026-11-05', MT: '20', PS: '100' });
    assert.ok(after.some((r) => r.CID === '1000700000' && r.DI === '290' && r.MD === '2026-11-10'), 'a new special-ed student was inserted');
    // Both layouts carry the same sample: the same rows in Aeries.
    results.set(name, { cse: after, csv: table(dir, 'CSV') });
  });
}
const results = new Map<string, { cse: unknown; csv: unknown }>();

test('both layouts leave Aeries with exactly the same rows', () => {
  assert.equal(results.get('current'), results.get('legacy'));
});

test('the legacy file with the older abbreviated header names is read too', async () => {
  const dir = await folder((name, text) => (name === 'tableA.csv' ? text.replace('Special Education Meeting Date,Special Education Meeting Type Code', 'SPED Meeting Date,SPED Meeting Type Code') : text));
  const { report } = await runSpec(spec, {}, { baseDir: dir });
  assert.ok(report.ok, report.error);
  assert.equal(report.outputs.cse!.changes, { CSE: { inserted: 2, updated: 3, deleted: 0 } });
});

test('a CALPADS file without the meeting date column stops the run; it never blanks the meeting dates', async () => {
  const drop = (text: string) =>
    text
      .split('\r\n')
      .map((line) => {
        const cells = line.split(',');
        cells.splice(14, 1); // Special Education Meeting Date
        return cells.join(',');
      })
      .join('\r\n');
  const dir = await folder((name, text) => (name === 'tableA.csv' ? drop(text) : text));
  assert.not.match(readFileSync(join(dir, 'sample/tableA.csv'), 'utf8'), 'Meeting Date');
  const before = { cse: table(dir, 'CSE'), csv: table(dir, 'CSV') };
  const { report } = await runSpec(spec, {}, { baseDir: dir, dryRun: true });
  assert.not.ok(report.ok);
  assert.match(report.error!, 'source sped_file: tableA.csv has no column "Special Education Meeting Date" (as "Special Education Meeting Date" or "SPED Meeting Date"), the closest is "Special Education Exit Date" (read as column Special Education Exit Date). Its header: Record Type Code,');
  assert.equal({ cse: table(dir, 'CSE'), csv: table(dir, 'CSV') }, before);
});

test('a layout that does not match the file stops the run and changes nothing', async () => {
  // The current file read with the legacy column set: SIRAS renamed the file, nobody told the spec.
  const dir = await folder((name, text) => (name === 'tableA.csv' ? readFileSync(join(EXAMPLE, 'sample/studentData.csv'), 'utf8') : text));
  const before = { cse: table(dir, 'CSE'), csv: table(dir, 'CSV') };
  const { report } = await runSpec(spec, {}, { baseDir: dir });
  assert.not.ok(report.ok);
  assert.match(report.error!, 'source sped_file: tableA.csv has no column "Local Student ID", the closest is "Local ID"; no column "Student Legal First Name", the closest is "First Name";');
  assert.match(report.error!, 'Its header: SSID, Local ID, Last Name, First Name,');
  assert.equal({ cse: table(dir, 'CSE'), csv: table(dir, 'CSV') }, before);
});

test.run();
