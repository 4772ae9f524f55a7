// Destiny's own formats: the Patron Import Converter properties file published with patrons.csv
// (both or neither), Status R, output encodings (Windows-1252, MacRoman) that reject a row with a
// character they lack instead of writing `?`, and dedupe `prefer:` sending a mover's active row.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '@sisflow/core';
import { names, registry, runSpec, tempDir } from './sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = readFileSync(join(ROOT, 'examples/destiny/patrons.yaml'), 'utf8');
const PARAMS = { as_of: '2026-11-23' };

/** The example on the demo district into a temporary folder. */
async function runExample(edit: (spec: string) => string = (s) => s, params: Record<string, string> = {}) {
  const dir = await tempDir('sisflow-destiny-formats-');
  const run = await runSpec(edit(EXAMPLE), {}, { baseDir: dir, params: { ...PARAMS, ...params } });
  return { dir, ...run };
}

const rows = (bytes: Buffer | string) => parse(bytes, { columns: true, bom: true }) as Record<string, string>[];

test('the properties file maps every column of patrons.csv to its Destiny field, in the CSV\'s order', async () => {
  const { dir, report } = await runExample();
  assert.ok(report.ok, report.error);
  const csv = readFileSync(join(dir, 'out/patrons.csv'), 'utf8');
  const header = (parse(csv, { to_line: 1 }) as string[][])[0]!;
  const props = readFileSync(join(dir, 'out/patrons.properties'), 'latin1');
  assert.equal(props, readFileSync(join(ROOT, 'examples/destiny/expected/patrons.properties'), 'latin1'));
  const mapping = props.split('\r\n').filter((l) => l.startsWith('field_'));
  assert.is(mapping.length, header.length);
  assert.is(mapping[0], 'field_siteShortName={1}');
  assert.is(mapping[header.indexOf('Barcode')], `field_barcode={${header.indexOf('Barcode') + 1}}`);
  assert.is(mapping[header.indexOf('Email 1')], `field_emailPrimary={${header.indexOf('Email 1') + 1}}`);
  assert.equal(report.outputs.patrons_csv!.files.map((f) => f.path.slice(dir.length + 1)), ['out/patrons.csv', 'out/patrons.properties']);
});

test('reordering or dropping columns changes the properties file with the CSV', async () => {
  const drop = (s: string) => s.replaceAll(/^      Nickname: .*\n/gm, '').replace('          Nickname: 30\n', '');
  const { dir, report } = await runExample(drop);
  assert.ok(report.ok, report.error);
  const props = readFileSync(join(dir, 'out/patrons.properties'), 'latin1');
  assert.not.ok(props.includes('field_nickname'));
  assert.ok(props.includes('field_patronType={7}'), 'columns after the dropped one move up');
});

test('a column Destiny does not know is refused before the run, with the closest field named', () => {
  const spec = EXAMPLE.replaceAll("      Nickname: coalesce(NM, '')", "      Nick Name: coalesce(NM, '')").replace("      Nickname: \"''\"", "      Nick Name: \"''\"").replace('          Nickname: 30\n', '');
  const r = compile(spec, join(ROOT, 'examples/destiny/patrons.yaml'), { registry, today: '2026-11-23' });
  const d = r.diagnostics.find((x) => x.code === 'SF470');
  assert.ok(d, JSON.stringify(r.diagnostics.map((x) => x.message)));
  assert.match(d!.message, /`Nick Name` is not a Destiny patron field/);
  assert.match(d!.hint ?? '', /Nickname/);
  assert.is(d!.span.start.line, spec.split('\n').findIndex((l) => l.includes('destiny_properties:')) + 1);
});

test('both or neither: when patrons.csv cannot be published, the properties file keeps its previous content', async () => {
  const dir = await tempDir('sisflow-destiny-atomic-');
  const spec = EXAMPLE;
  const first = await runSpec(spec, {}, { baseDir: dir, params: PARAMS });
  assert.ok(first.report.ok, first.report.error);
  const before = { csv: readFileSync(join(dir, 'out/patrons.csv')), props: readFileSync(join(dir, 'out/patrons.properties')) };
  // The second run drops a column, so both files would change; patrons.csv is made a folder,
  // which a file cannot be renamed over: its commit fails after the properties file's.
  const changed = spec.replaceAll(/^      Nickname: .*\n/gm, '').replace('          Nickname: 30\n', '');
  const csvPath = join(dir, 'out/patrons.csv');
  const held = join(dir, 'held.csv');
  writeFileSync(held, before.csv);
  rmSync(csvPath);
  mkdirSync(join(csvPath, 'x'), { recursive: true });
  const second = await runSpec(changed, {}, { baseDir: dir, params: PARAMS });
  assert.not.ok(second.report.ok);
  assert.match(second.report.error!, /could not be published/);
  assert.ok(readFileSync(join(dir, 'out/patrons.properties')).equals(before.props), 'the properties file was put back');
  assert.equal((await names(join(dir, 'out'))).filter((n) => n.startsWith('.sisflow-tmp-')), [], 'no temporary file is left');
  rmSync(csvPath, { recursive: true });
  renameSync(held, csvPath);
  // And with nothing in the way, both change together.
  const third = await runSpec(changed, {}, { baseDir: dir, params: PARAMS });
  assert.ok(third.report.ok, third.report.error);
  assert.not.ok(readFileSync(join(dir, 'out/patrons.properties'), 'latin1').includes('field_nickname'));
  assert.not.ok(readFileSync(csvPath, 'utf8').split('\r\n')[0]!.includes('Nickname'));
});

test('a failed run publishes neither file', async () => {
  const dir = await tempDir('sisflow-destiny-fail-');
  // Every row breaks a rule, so the rejects threshold fails the run.
  const spec = EXAMPLE.replace('          Site Short Name: 10\n', '          Site Short Name: 1\n');
  const { report } = await runSpec(spec, {}, { baseDir: dir, params: PARAMS });
  assert.not.ok(report.ok);
  assert.not.ok(existsSync(join(dir, 'out/patrons.csv')));
  assert.not.ok(existsSync(join(dir, 'out/patrons.properties')));
});

test('windows-1252 and macintosh: names are written in the encoding; a name it lacks rejects the row with the column named', async () => {
  for (const encoding of ['windows-1252', 'macintosh']) {
    // The demo district has more such names than the example's 2 % allows.
    const { dir, report } = await runExample((s) => s.replace('    # encoding: windows-1252', `    encoding: ${encoding}\n    #`).replace('max: 2%', 'max: 10%'));
    assert.ok(report.ok, report.error);
    const bytes = readFileSync(join(dir, 'out/patrons.csv'));
    const text = iconv.decode(bytes, encoding);
    assert.not.ok(text.includes('?'), 'nothing is replaced by ?');
    const written = rows(text);
    assert.ok(written.some((r) => r['First Name'] === 'Zoë'), 'ë is written in the encoding');
    assert.not.ok(bytes.includes(Buffer.from('Zoë', 'utf8')), 'not as UTF-8');
    // The demo district has Vietnamese names (ễ, ạ …) neither encoding holds.
    const rejects = report.rejects.sample.filter((r) => r.step === 'patrons_csv');
    assert.ok(rejects.length > 0, 'some demo names cannot be written');
    assert.match(rejects[0]!.reason, new RegExp(`^column (First|Last|Middle) Name holds '.' \\(U\\+[0-9A-F]{4}\\), which ${encoding} cannot hold$`));
    const data = JSON.parse(rejects[0]!.data) as Record<string, string>;
    assert.not.ok(written.some((r) => r['District ID'] === data['District ID']), 'the rejected row is not in the file');
    assert.is(written.length + report.rejects.bySource.patrons_csv!.invalid!, report.steps.patrons!.out);
    assert.is(report.outputs.patrons_csv!.rows, written.length);
    const rejectsFile = readFileSync(join(dir, 'out/patrons.rejects.csv'), 'utf8');
    assert.ok(rejectsFile.includes(`which ${encoding} cannot hold`));
  }
});

test('rows an encoding cannot hold count against the rejects threshold: over it, nothing is published', async () => {
  const { dir, report } = await runExample((s) => s.replace('    # encoding: windows-1252', '    encoding: windows-1252\n    #'));
  assert.not.ok(report.ok);
  assert.match(report.error!, /rejected, more than the spec allows \(rejects.max: 2% of rows read\)/);
  assert.not.ok(existsSync(join(dir, 'out/patrons.csv')));
  assert.not.ok(existsSync(join(dir, 'out/patrons.properties')));
  assert.ok(readFileSync(join(dir, 'out/patrons.rejects.csv'), 'utf8').includes('cannot hold'), 'the rejects say why');
});

test('utf-8 stays the default and writes every name', async () => {
  const { dir, report } = await runExample();
  assert.ok(report.ok, report.error);
  assert.is(report.rejects.count, 0);
  assert.ok(readFileSync(join(dir, 'out/patrons.csv'), 'utf8').includes('ễ') || readFileSync(join(dir, 'out/patrons.csv'), 'utf8').includes('ạ'));
});

test('a BOM with a single-byte encoding is refused before the run', () => {
  const spec = EXAMPLE.replace('    # encoding: windows-1252', '    bom: true\n    encoding: windows-1252\n    #');
  const r = compile(spec, join(ROOT, 'examples/destiny/patrons.yaml'), { registry, today: '2026-11-23' });
  assert.ok(r.diagnostics.some((d) => d.code === 'SF408' && /byte order mark/.test(d.message)), JSON.stringify(r.diagnostics.map((d) => d.message)));
});

test('a mover (inactive at the old school, active at the new) is sent once, as active', async () => {
  const { dir, report } = await runExample((s) => s, { statuses: 'active,pre-enrolled,inactive' });
  assert.ok(report.ok, report.error);
  const sent = rows(readFileSync(join(dir, 'out/patrons.csv')));
  // Without prefer, the first row read (lowest school code) would win.
  const plain = await runExample((s) => s.replace(', prefer: { Status: [A, R, I] }', ''), { statuses: 'active,pre-enrolled,inactive' });
  const firstRead = rows(readFileSync(join(plain.dir, 'out/patrons.csv')));
  const before = new Map(firstRead.map((r) => [r['District ID'], r]));
  const movers = sent.filter((r) => before.get(r['District ID'])!.Status === 'I' && r.Status === 'A');
  assert.ok(movers.length > 0, 'the demo district has students who moved to a higher school code');
  for (const m of movers) assert.is.not(m['Site Short Name'], before.get(m['District ID'])!['Site Short Name'], 'sent with the new school');
  assert.is(sent.length, new Set(sent.map((r) => r['District ID'])).size, 'one row per District ID');
  assert.is(sent.length, firstRead.length);
  // Order is the order District IDs were first read, as with keep: first.
  assert.equal(sent.map((r) => r['District ID']), firstRead.map((r) => r['District ID']));
});

test('Status R (restricted) passes the rules', async () => {
  const { dir, report } = await runExample((s) => s.replace(`Status: "'A'"`, `Status: "'R'"`));
  assert.ok(report.ok, report.error);
  const staff = rows(readFileSync(join(dir, 'out/patrons.csv'))).filter((r) => r['Patron Type'] !== 'Student');
  assert.ok(staff.length > 0 && staff.every((r) => r.Status === 'R'));
});

test.run();
