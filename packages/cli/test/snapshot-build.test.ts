// Making the checking verbs' start-up snapshot (packages/cli/src/snapshot-build.ts), with this
// machine's node and small entry scripts: a snapshot and its key appear whole or not at all, a
// build that fails says so in the key (so the launcher stops asking), one builder at a time, and
// the launcher's request never reaches what the command starts. The packed command's use of it is
// tested in install.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSnapshot, keyFileOf, snapshotBuildJob, snapshotRequest, UNUSED_DAYS } from '../src/snapshot-build.js';

const dir = mkdtempSync(join(tmpdir(), 'sisflow-snapshot-build-'));
const GOOD = join(dir, 'good.cjs');
writeFileSync(GOOD, "const made = 'from the snapshot';\nrequire('node:v8').startupSnapshot.setDeserializeMainFunction(() => console.log(made, process.argv.slice(2).join(' ')));\n");
const FAILS = join(dir, 'fails.cjs');
writeFileSync(FAILS, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\nsetImmediate(() => { process.exitCode = 1; });\n");

test('a snapshot is built with this node, renamed into place whole, and its key written beside it', () => {
  const blob = join(dir, 'one', 'snapshot-abc-1.blob');
  assert.ok(buildSnapshot({ blob, key: 'abc 1 /usr/bin/node', entry: GOOD }));
  assert.is(readFileSync(keyFileOf(blob), 'utf8'), 'abc 1 /usr/bin/node\n');
  assert.equal(readdirSync(join(dir, 'one')).sort(), ['snapshot-abc-1.blob', 'snapshot-abc-1.key'], 'no temporary file or lock left');
  const r = spawnSync(process.execPath, ['--snapshot-blob', blob, GOOD, 'validate', 'x.yaml'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'from the snapshot validate x.yaml\n');
});

test('a build that fails leaves no snapshot and writes `failed KEY`, which the launcher reads as "do not ask again"', () => {
  const blob = join(dir, 'two', 'snapshot-abc-1.blob');
  assert.not.ok(buildSnapshot({ blob, key: 'abc 1 /usr/bin/node', entry: FAILS }));
  assert.not.ok(existsSync(blob));
  assert.is(readFileSync(keyFileOf(blob), 'utf8'), 'failed abc 1 /usr/bin/node\n');
  assert.equal(readdirSync(join(dir, 'two')), ['snapshot-abc-1.key']);
});

test('a build that was killed (out of memory, a container stopped) is not recorded as failed: a later run asks again', () => {
  const killed = join(dir, 'killed.cjs');
  writeFileSync(killed, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\nprocess.kill(process.pid, 'SIGKILL');\n");
  const blob = join(dir, 'five', 'snapshot-abc-1.blob');
  assert.not.ok(buildSnapshot({ blob, key: 'k', entry: killed }));
  assert.equal(readdirSync(join(dir, 'five')), [], 'no key, no temporary file, no lock');
});

test('a builder removes the temporary files of builders that were killed while writing the same snapshot', () => {
  const blob = join(dir, 'six', 'snapshot-abc-1.blob');
  mkdirSync(join(dir, 'six'));
  writeFileSync(`${blob}.4242.tmp`, 'half a snapshot');
  writeFileSync(join(dir, 'six', 'snapshot-other-1.blob.4242.tmp'), 'another snapshot\'s builder');
  assert.ok(buildSnapshot({ blob, key: 'k', entry: GOOD }));
  assert.equal(readdirSync(join(dir, 'six')).sort(), ['snapshot-abc-1.blob', 'snapshot-abc-1.key', 'snapshot-other-1.blob.4242.tmp']);
});

test('one builder at a time: a fresh lock makes another give up; a lock left by a builder that died long ago does not', () => {
  const blob = join(dir, 'three', 'snapshot-abc-1.blob');
  assert.ok(buildSnapshot({ blob, key: 'k', entry: GOOD }));
  rmSync(blob);
  writeFileSync(`${blob}.lock`, '');
  assert.not.ok(buildSnapshot({ blob, key: 'k', entry: GOOD }));
  assert.not.ok(existsSync(blob));
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(`${blob}.lock`, old, old);
  assert.ok(buildSnapshot({ blob, key: 'k', entry: GOOD }));
  assert.not.ok(existsSync(`${blob}.lock`));
});

test(`a build removes the other snapshots nobody made or read in ${UNUSED_DAYS} days, and keeps the rest`, () => {
  const folder = join(dir, 'unused');
  mkdirSync(folder);
  const old = new Date(Date.now() - (UNUSED_DAYS + 1) * 86_400_000);
  const recent = new Date(Date.now() - (UNUSED_DAYS - 1) * 86_400_000);
  for (const [name, time] of [['snapshot-aaa-1', old], ['snapshot-aaa-2', old], ['snapshot-bbb-3', recent]] as const) {
    writeFileSync(join(folder, `${name}.blob`), 'x');
    writeFileSync(join(folder, `${name}.key`), 'x');
    utimesSync(join(folder, `${name}.blob`), time, time);
  }
  // Read lately (its access time), made long ago: in use.
  writeFileSync(join(folder, 'snapshot-ccc-4.blob'), 'x');
  utimesSync(join(folder, 'snapshot-ccc-4.blob'), recent, old);
  // Not a snapshot: the code cache's files, anything else.
  for (const name of ['other.v8', 'snapshot-notes.txt']) {
    writeFileSync(join(folder, name), 'x');
    utimesSync(join(folder, name), old, old);
  }
  assert.ok(buildSnapshot({ blob: join(folder, 'snapshot-abc-1.blob'), key: 'k', entry: GOOD }));
  assert.equal(readdirSync(folder).sort(), ['other.v8', 'snapshot-abc-1.blob', 'snapshot-abc-1.key', 'snapshot-bbb-3.blob', 'snapshot-bbb-3.key', 'snapshot-ccc-4.blob', 'snapshot-notes.txt']);
});

test('a folder that cannot be made changes nothing but that there is no snapshot', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  assert.not.ok(buildSnapshot({ blob: join(file, 'snapshot-abc-1.blob'), key: 'k', entry: GOOD }));
});

test('a builder asked for by a run that started before another builder settled the key does nothing; one asked for after does its job', () => {
  // As in a loop of first runs: the run going on when the first snapshot lands asks for one too.
  const blob = join(dir, 'four', 'snapshot-abc-1.blob');
  const asked = Date.now() - 60_000;
  assert.ok(buildSnapshot({ blob, key: 'k', entry: GOOD, asked }));
  const made = statSync(blob);
  assert.not.ok(buildSnapshot({ blob, key: 'k', entry: GOOD, asked }), 'made again');
  assert.is(statSync(blob).ino, made.ino);
  assert.equal(readdirSync(join(dir, 'four')).sort(), ['snapshot-abc-1.blob', 'snapshot-abc-1.key']);
  writeFileSync(keyFileOf(blob), 'failed k\n');
  assert.not.ok(buildSnapshot({ blob, key: 'k', entry: GOOD, asked }), 'made after the launcher found it does not fit');
  assert.is(readFileSync(keyFileOf(blob), 'utf8'), 'failed k\n');
  assert.ok(buildSnapshot({ blob, key: 'k2', entry: GOOD, asked }), 'another key is another package or node');
  assert.is(readFileSync(keyFileOf(blob), 'utf8'), 'k2\n');
  // Asked for after the key was written: the launcher found the snapshot wanting (older than an upgraded node).
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(keyFileOf(blob), old, old);
  const again = statSync(blob).ino;
  assert.ok(buildSnapshot({ blob, key: 'k2', entry: GOOD, asked }));
  assert.is.not(statSync(blob).ino, again);
});

test('a cache folder given as a relative path (SISFLOW_COMPILE_CACHE_DIR=cache) is the one the launcher looks in, under the folder the command ran in', () => {
  const job = snapshotRequest('/p/dist/cli-snapshot.cjs', { SISFLOW_SNAPSHOT_TO: 'cache/snapshot-x-1.blob', SISFLOW_SNAPSHOT_KEY: 'x 1 /usr/bin/node' });
  // The builder runs in the package's folder: a relative path there would be another file.
  assert.is(job?.blob, join(process.cwd(), 'cache/snapshot-x-1.blob'));
});

test("the launcher's request and the builder's job are taken out of the environment, and only a whole one counts", () => {
  const env: NodeJS.ProcessEnv = { SISFLOW_SNAPSHOT_TO: '/c/snapshot-x-1.blob', SISFLOW_SNAPSHOT_KEY: 'x 1 /usr/bin/node', OTHER: '1' };
  const before = Date.now();
  const request = snapshotRequest('/p/dist/cli-snapshot.cjs', env);
  assert.ok(request?.asked !== undefined && request.asked >= before, 'when it was asked for');
  assert.equal(request, { blob: '/c/snapshot-x-1.blob', key: 'x 1 /usr/bin/node', entry: '/p/dist/cli-snapshot.cjs', asked: request!.asked });
  assert.equal(env, { OTHER: '1' });
  assert.is(snapshotRequest('/e', { SISFLOW_SNAPSHOT_TO: '/c/s.blob' }), undefined, 'no key');
  assert.is(snapshotRequest('/e', { SISFLOW_SNAPSHOT_TO: '/c/s.blob', SISFLOW_SNAPSHOT_KEY: 'a\nb' }), undefined, 'a key of two lines');
  const job = { blob: '/c/s.blob', key: 'k', entry: '/e' };
  const jobEnv: NodeJS.ProcessEnv = { SISFLOW_SNAPSHOT_BUILD: JSON.stringify(job) };
  assert.equal(snapshotBuildJob(jobEnv), job);
  assert.equal(jobEnv, {});
  assert.is(snapshotBuildJob({ SISFLOW_SNAPSHOT_BUILD: '{"blob":1}' }), undefined);
  assert.is(snapshotBuildJob({ SISFLOW_SNAPSHOT_BUILD: JSON.stringify({ ...job, asked: 'now' }) }), undefined);
  assert.is(snapshotBuildJob({ SISFLOW_SNAPSHOT_BUILD: 'not json' }), undefined);
  assert.is(snapshotBuildJob({}), undefined);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
