// A OneRoster 1.1 CSV bundle as a source: the demo district's bundle (written by the export
// example) read back into Destiny patrons by examples/oneroster/to-destiny.yaml, as a zip and as a
// folder; a bundle that does not conform is refused before a row is read (or read with warnings
// under `check: warn`); the manifest's absent files read as empty; list columns can be tested
// with `in`; a delta bundle's tobedeleted users arrive marked.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { zipSync } from 'fflate';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBundle } from '@sisflow/connectors/oneroster';
import { runSpec, tempDir } from './sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXPORT = readFileSync(join(ROOT, 'examples/oneroster/csv-export.yaml'), 'utf8');
const TO_DESTINY = readFileSync(join(ROOT, 'examples/oneroster/to-destiny.yaml'), 'utf8');

let dir: string;
let bundle: Map<string, Uint8Array>;
test.before(async () => {
  dir = await tempDir('sisflow-oneroster-source-');
  const r = await runSpec(EXPORT, {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  bundle = readBundle(join(dir, 'out/oneroster.zip'));
});

const text = (b: Map<string, Uint8Array>, f: string) => Buffer.from(b.get(f)!).toString('utf8');
const rows = (path: string) => parse(readFileSync(path), { columns: true, bom: true }) as Record<string, string>[];

/** Writes a bundle (name → text or bytes) as a zip under the run folder. */
function writeZip(name: string, files: Map<string, Uint8Array | string>): string {
  const path = join(dir, name);
  writeFileSync(path, zipSync(Object.fromEntries([...files].map(([n, v]) => [n, typeof v === 'string' ? Buffer.from(v) : v]))));
  return name;
}

const reading = (path: string, edit: (s: string) => string = (s) => s) => edit(TO_DESTINY.replace('path: out/oneroster.zip', `path: ${path}`));

test('the demo bundle becomes Destiny patrons: every student and staff user, typed from the standard', async () => {
  const r = await runSpec(TO_DESTINY, {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  const users = text(bundle, 'users.csv').trim().split('\r\n').length - 1;
  assert.is(r.report.sources.users!.rows, users);
  const patrons = rows(join(dir, 'out/destiny/patrons.csv'));
  assert.is(patrons.length, users);
  assert.is(r.report.rejects.count, 0);
  const ava = patrons.find((p) => p.Barcode === '100000')!;
  assert.equal([ava['Site Short Name'], ava['Patron Type'], ava.Status, ava['Grade Level'], ava['Birth Date']], ['991', 'Student', 'A', '03', '08/25/2017']);
  assert.ok(patrons.some((p) => p['Patron Type'] === 'Teacher'));
  assert.ok(readFileSync(join(dir, 'out/destiny/patrons.properties'), 'latin1').includes('field_username={14}'));
});

test('a folder reads the same as the zip', async () => {
  mkdirSync(join(dir, 'folder'), { recursive: true });
  for (const [n, b] of bundle) writeFileSync(join(dir, 'folder', n), b);
  const zip = readFileSync(join(dir, 'out/destiny/patrons.csv'));
  const r = await runSpec(reading('folder'), {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  assert.ok(readFileSync(join(dir, 'out/destiny/patrons.csv')).equals(zip));
});

test('a bundle that does not conform is refused before any row is read; check: warn reads it with warnings', async () => {
  const bad = new Map<string, Uint8Array | string>(bundle);
  bad.set('orgs.csv', text(bundle, 'orgs.csv').replace('sourcedId,status', 'id,status'));
  const path = writeZip('bad.zip', bad);
  const refused = await runSpec(reading(path), {}, { baseDir: dir });
  assert.not.ok(refused.report.ok);
  assert.match(refused.report.error!, /bad\.zip does not conform to OneRoster 1\.1, so no row was read \(`check: warn` reads it anyway\): 1 problem\(s\): orgs\.csv:1:1: error OR110: column 1 of the header is "id", expected sourcedId/);
  assert.is(refused.report.sources.orgs?.rows ?? 0, 0);
  assert.is(refused.report.sources.users?.rows ?? 0, 0);
  // With check: warn the problems are warnings and the files that can be read are read: the
  // orgs file's rows have no sourcedId, so every user misses its school (rejects, over 2 %).
  const warned = await runSpec(reading(path, (s) => s.replaceAll(/file: (orgs|users|demographics) \}/g, 'file: $1, check: warn }').replace('max: 2%', 'max: 100%')), {}, { baseDir: dir });
  assert.ok(warned.report.ok, warned.report.error);
  assert.ok(warned.report.warnings.some((w) => w.includes('OR110')), warned.report.warnings.join('\n'));
});

test('a file the manifest declares absent reads as empty, with a warning', async () => {
  const b = new Map<string, Uint8Array | string>(bundle);
  b.delete('demographics.csv');
  b.set('manifest.csv', text(bundle, 'manifest.csv').replace('file.demographics,bulk', 'file.demographics,absent'));
  const r = await runSpec(reading(writeZip('nodemo.zip', b)), {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  assert.ok(r.report.warnings.some((w) => w.includes('demographics.csv: the manifest declares it absent; read as empty')), r.report.warnings.join('\n'));
  assert.ok(rows(join(dir, 'out/destiny/patrons.csv')).every((p) => p.Gender === 'U' && p['Birth Date'] === ''));
});

test('list columns are lists: `in` tests them', async () => {
  const spec = TO_DESTINY.replace("where: role in ['student', 'teacher', 'administrator', 'aide']", "where: \"'org-992' in orgSourcedIds and 'KG' in grades\"");
  const r = await runSpec(spec, {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  const patrons = rows(join(dir, 'out/destiny/patrons.csv'));
  assert.ok(patrons.length > 0);
  assert.ok(patrons.every((p) => p['Grade Level'] === 'KG'));
  const site992 = text(bundle, 'orgs.csv').split('\r\n').find((l) => l.startsWith('org-992,'))!.split(',')[5];
  assert.ok(patrons.every((p) => p['Site Short Name'] === site992));
});

test('a list column fans out with unnest: one row per org of a user, the org looked up', async () => {
  const b = new Map<string, Uint8Array | string>(bundle);
  const [head, first, ...rest] = text(bundle, 'users.csv').split('\r\n');
  // The first user belongs to two schools.
  b.set('users.csv', [head, first!.replace(',org-991,', ',"org-991,org-992",'), ...rest].join('\r\n'));
  const spec = `sisflow: 1
name: user-orgs
connections:
  bundle: { use: oneroster-csv, path: fan.zip }
  out: { use: files, dir: out/fan }
sources:
  users: { from: bundle, file: users }
  orgs: { from: bundle, file: orgs }
steps:
  memberships:
    from: users
    unnest: { column: orgSourcedIds, as: org }
    lookup:
      school: { from: orgs, key: sourcedId, on: org, required: true }
    columns: { user: sourcedId, org: org, school: school.name }
outputs:
  f: { from: memberships, to: out, path: memberships.csv }
`;
  writeZip('fan.zip', b);
  const r = await runSpec(spec, {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  const out = rows(join(dir, 'out/fan/memberships.csv'));
  const users = rest.filter((l) => l !== '').length + 1;
  assert.is(out.length, users + 1, 'one more row: the user in two schools');
  const id = first!.split(',')[0]!;
  assert.equal(out.filter((m) => m.user === id).map((m) => m.org), ['org-991', 'org-992']);
});

test('a delta bundle: tobedeleted users arrive marked and are sent as inactive', async () => {
  const b = new Map<string, Uint8Array | string>(bundle);
  const stamp = '2026-11-25T05:30:00.000Z';
  const [head, first, second] = text(bundle, 'users.csv').split('\r\n');
  const mark = (line: string, status: string) => line.replace(/^([^,]+),,,/, `$1,${status},${stamp},`);
  b.set('users.csv', [head, mark(first!, 'tobedeleted'), mark(second!, 'active'), ''].join('\r\n'));
  b.set('manifest.csv', text(bundle, 'manifest.csv').replace('file.users,bulk', 'file.users,delta'));
  const r = await runSpec(reading(writeZip('delta.zip', b)), {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  const patrons = rows(join(dir, 'out/destiny/patrons.csv'));
  assert.equal(patrons.map((p) => [p.Barcode, p.Status]), [[first!.split(',')[11], 'I'], [second!.split(',')[11], 'A']]);
});

// A public bundle nobody here wrote (test/oneroster/public-corpus): it does not conform, so the
// example reads it under `check: warn`, with the checker's problems as warnings.
const PUBLIC = fileURLToPath(new URL('./oneroster/public-corpus/', import.meta.url));
const warnReading = (path: string) => reading(path, (s) => s.replaceAll(/file: (orgs|users|demographics) \}/g, 'file: $1, check: warn }'));

test('a public bundle without a manifest (oneroster-mocker\'s sample) under check: warn: its problems are warnings, a school without an identifier refuses its students with the reason', async () => {
  cpSync(join(PUBLIC, 'nicelion-oneroster-mocker'), join(dir, 'mocker'), { recursive: true });
  const r = await runSpec(warnReading('mocker'), {}, { baseDir: dir });
  for (const code of ['OR101', 'OR112']) assert.ok(r.report.warnings.some((w) => w.includes(code)), r.report.warnings.join('\n'));
  assert.ok(r.report.warnings.some((w) => w.includes('demographics.csv: the bundle has no manifest and no such file; read as empty')), r.report.warnings.join('\n'));
  assert.is(r.report.sources.users!.rows, 4);
  assert.is(r.report.sources.orgs!.rows, 2);
  // The parent and the "principal" are not patrons; both students are refused, not sent with a
  // site Destiny does not have: the school's identifier is empty, so its sourcedId (a UUID) stands in.
  assert.not.ok(r.report.ok);
  assert.match(r.report.error!, '2 row(s) rejected');
  assert.equal(r.report.rejects.sample.map((x) => [x.line, x.reason]), [
    [3, 'Site Short Name is 36 characters long; at most 10 allowed'],
    [4, 'Site Short Name is 36 characters long; at most 10 allowed'],
  ]);
});

test.run();
