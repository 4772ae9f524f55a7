// The OneRoster example end to end on the demo district: the bundle sink writes a zip that the
// checker accepts, byte-identical run after run; a mapping that breaks the standard publishes
// nothing and says why.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkBundle, readBundle } from '@sisflow/connectors/oneroster';
import { runSpec, tempDir } from './sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SPEC = readFileSync(join(ROOT, 'examples/oneroster/csv-export.yaml'), 'utf8');

test('the demo district becomes a conforming, reproducible OneRoster zip', async () => {
  const dir = await tempDir('sisflow-oneroster-export-');
  const first = await runSpec(SPEC, {}, { baseDir: dir });
  assert.ok(first.report.ok, first.report.error);
  const zip = join(dir, 'out/oneroster.zip');
  const bundle = readBundle(zip);
  assert.equal([...bundle.keys()], ['academicSessions.csv', 'classes.csv', 'courses.csv', 'demographics.csv', 'enrollments.csv', 'manifest.csv', 'orgs.csv', 'users.csv']);
  assert.equal(checkBundle(bundle), []);
  const manifest = Buffer.from(bundle.get('manifest.csv')!).toString('utf8');
  assert.match(manifest, 'file.users,bulk\r\n');
  assert.match(manifest, 'file.demographics,bulk\r\n');
  assert.match(manifest, 'file.results,absent\r\n');
  assert.is(Buffer.from(bundle.get('users.csv')!).toString('utf8').split('\r\n')[0], 'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password');
  const bytes = readFileSync(zip);
  const again = await runSpec(SPEC, {}, { baseDir: dir });
  assert.ok(again.report.ok, again.report.error);
  assert.ok(readFileSync(zip).equals(bytes), 'the same data gives the same zip');
});

test('a bundle that breaks the standard is not published, and the error says where', async () => {
  const dir = await tempDir('sisflow-oneroster-export-');
  const broken = SPEC.replace(`role: "'student'"\n      primary`, `role: "'learner'"\n      primary`);
  assert.ok(broken !== SPEC);
  const { report } = await runSpec(broken, {}, { baseDir: dir });
  assert.not.ok(report.ok);
  assert.match(report.error!, /does not conform to OneRoster 1\.1; nothing was published: \d+ problem\(s\): enrollments\.csv:\d+:7: error OR112: role "learner" is not one of administrator, proctor, student, teacher/);
  assert.not.match(report.error!, 'already published');
  assert.not.ok(existsSync(join(dir, 'out/oneroster.zip')));
});

const DELTA = SPEC.replace('bundle: { use: oneroster-csv, path: out/oneroster.zip }', 'bundle: { use: oneroster-csv, path: out/oneroster.zip, mode: delta }');
const csvOf = (zip: string, name: string) => Buffer.from(readBundle(zip).get(name)!).toString('utf8').trimEnd().split('\r\n');

test('delta mode: the first run sends everything, a rerun nothing, then exactly the changes', async () => {
  const dir = await tempDir('sisflow-oneroster-delta-');
  const zip = join(dir, 'out/oneroster.zip');
  const snapshot = join(dir, 'out/.oneroster.zip.snapshot.zip');
  const first = await runSpec(DELTA, {}, { baseDir: dir, now: new Date('2026-11-23T05:30:00Z') });
  assert.ok(first.report.ok, first.report.error);
  assert.equal(checkBundle(readBundle(zip)), []);
  assert.ok(csvOf(zip, 'manifest.csv').includes('file.users,delta'));
  const users = csvOf(zip, 'users.csv');
  assert.is(users.length, 1 + 1925);
  assert.ok(users.slice(1).every((l) => l.split(',')[1] === 'active' && l.split(',')[2] === '2026-11-23T05:30:00.000Z'));
  assert.ok(existsSync(snapshot));
  const firstZip = readFileSync(zip);

  // A dry run and a rerun on the same data: the dry run publishes nothing; the rerun has nothing
  // to say: every file is left out and declared absent (a header-only file would read as "none").
  const dry = await runSpec(DELTA, {}, { baseDir: dir, dryRun: true, now: new Date('2026-11-24T05:30:00Z') });
  assert.ok(dry.report.ok, dry.report.error);
  assert.ok(readFileSync(zip).equals(firstZip));
  const same = await runSpec(DELTA, {}, { baseDir: dir, now: new Date('2026-11-24T05:30:00Z') });
  assert.ok(same.report.ok, same.report.error);
  const unchanged = readBundle(zip);
  assert.equal([...unchanged.keys()], ['manifest.csv']);
  assert.ok(Buffer.from(unchanged.get('manifest.csv')!).toString().includes('file.users,absent'));

  // The district is renamed and one student leaves: one org changes; the student's user,
  // demographics and enrollments are sent as tobedeleted with their last values.
  const changed = DELTA.replace("where: not DEL and TG = '' }\n  staff", "where: not DEL and TG = '' and ID <> 100000 }\n  staff");
  assert.ok(changed !== DELTA);
  const third = await runSpec(changed, {}, { baseDir: dir, params: { district_name: 'Springfield Unified' }, now: new Date('2026-11-25T05:30:00Z') });
  assert.ok(third.report.ok, third.report.error);
  assert.equal(checkBundle(readBundle(zip)), []);
  assert.equal(csvOf(zip, 'orgs.csv').slice(1), ['district,active,2026-11-25T05:30:00.000Z,Springfield Unified,district,,']);
  const gone = csvOf(zip, 'users.csv').slice(1);
  assert.is(gone.length, 1);
  assert.match(gone[0]!, /^stu-100000,tobedeleted,2026-11-25T05:30:00\.000Z,true,org-991,student,zoe\.ortiz0@students\.example\.org,/);
  assert.equal(csvOf(zip, 'demographics.csv').slice(1).map((l) => l.split(',').slice(0, 3).join(',')), ['stu-100000,tobedeleted,2026-11-25T05:30:00.000Z']);
  const enrollments = csvOf(zip, 'enrollments.csv').slice(1);
  assert.ok(enrollments.length >= 1);
  assert.ok(enrollments.every((l) => /^enr-991-\d+-\d+,tobedeleted,2026-11-25T05:30:00\.000Z,cls-991-\d+,org-991,stu-100000,student,/.test(l)), enrollments.join('\n'));
  assert.not.ok(readBundle(zip).has('classes.csv'), 'classes did not change: absent');

  // The student comes back: sent as active again; the same delta twice gives the same bytes.
  const back = await runSpec(DELTA, {}, { baseDir: dir, now: new Date('2026-11-26T05:30:00Z') });
  assert.ok(back.report.ok, back.report.error);
  assert.equal(csvOf(zip, 'users.csv').slice(1).map((l) => l.split(',').slice(0, 2).join(',')), ['stu-100000,active']);
});

test('delta mode: a bundle that fails the checker leaves the snapshot where it was', async () => {
  const dir = await tempDir('sisflow-oneroster-delta-');
  const snapshot = join(dir, 'out/.oneroster.zip.snapshot.zip');
  const first = await runSpec(DELTA, {}, { baseDir: dir });
  assert.ok(first.report.ok, first.report.error);
  const before = readFileSync(snapshot);
  const broken = await runSpec(DELTA.replace(`role: "'student'"\n      primary`, `role: "'learner'"\n      primary`), {}, { baseDir: dir });
  assert.not.ok(broken.report.ok);
  assert.ok(readFileSync(snapshot).equals(before));
});

test.run();
