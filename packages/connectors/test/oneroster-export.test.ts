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
  assert.match(report.error!, /does not conform to OneRoster 1\.1 \(\d+ problem\(s\)\); nothing was published: enrollments\.csv:\d+:7 OR112 role "learner" is not one of administrator, proctor, student, teacher/);
  assert.not.match(report.error!, 'already published');
  assert.not.ok(existsSync(join(dir, 'out/oneroster.zip')));
});

test.run();
