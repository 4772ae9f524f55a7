// The sftp connector against a real OpenSSH sshd on 127.0.0.1: specs that upload and read back,
// host-key pinning checked against ssh-keygen's own fingerprint, kept versions, globbed sources
// archived after success, and never a temporary file left behind.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { probeHostKeys, TEMP_PREFIX } from '@sisflow/connectors';
import { readBundle } from '@sisflow/connectors/oneroster';
import { names, registry, runSpec, tempDir } from './sftp-helpers.js';
import { SSHD, sshdRequired, startSshd, type Sshd } from './sftp/sshd.js';
import { BUNDLE_SPEC, writeStudents } from './oneroster/held-bundle-spec.js';

let sshd: Sshd;
let local: string;

const connection = (extra = '') => `  drop:
    use: sftp
    host: 127.0.0.1
    port: ${sshd.port}
    username: ${sshd.username}
    private_key: \${secret:sftp_key}
    host_key: ${sshd.fingerprint}
    dir: ${sshd.root}
    retry_delay_seconds: 0.05
${extra}`;

const UPLOAD = () => `sisflow: 1
name: upload
connections:
  here: { use: files, dir: . }
${connection()}
sources:
  patrons:
    from: here
    path: patrons.csv
    columns: { ID: int, Name: string }
steps:
  out:
    from: patrons
    columns: { Barcode: text(ID), Name: upper(Name) }
outputs:
  destiny: { from: out, to: drop, path: destiny/patrons.csv, keep_versions: 2, quote: text }
`;

const secrets = () => ({ sftp_key: sshd.privateKey });

test.before(async () => {
  local = await tempDir('sisflow-sftp-local-');
  sshd = await startSshd();
});

test.after(async () => {
  await sshd?.stop();
});

test('the host key fingerprint is the one ssh-keygen prints', async () => {
  const keys = await probeHostKeys('127.0.0.1', sshd.port);
  assert.is(keys[0]!.fingerprint, sshd.fingerprint);
  assert.is(keys[0]!.type, 'ssh-ed25519');
});

test('a spec uploads its output atomically; kept versions are pruned to keep_versions', async () => {
  for (const [i, name] of ['Ada', 'Bo', 'Cy', 'Di'].entries()) {
    await writeFile(join(local, 'patrons.csv'), `ID,Name\n${i + 1},${name}\n`);
    const { report } = await runSpec(UPLOAD(), secrets(), { baseDir: local });
    assert.ok(report.ok, report.error);
    assert.is(report.outputs.destiny!.files[0]!.path, `sftp://127.0.0.1:${sshd.port}/${sshd.root.slice(1)}/destiny/patrons.csv`);
    assert.is(await readFile(join(sshd.root, 'destiny/patrons.csv'), 'utf8'), `"Barcode","Name"\r\n"${i + 1}","${name.toUpperCase()}"\r\n`);
    if (i < 3) await new Promise((r) => setTimeout(r, 1100)); // version names have one-second resolution
  }
  const left = await names(join(sshd.root, 'destiny'));
  assert.is(left.length, 3, left.join(' '));
  assert.is(left[0], 'patrons.csv');
  assert.match(left[1]!, /^patrons\.csv\.\d{8}T\d{6}Z$/);
  assert.is(await readFile(join(sshd.root, 'destiny', left[2]!), 'utf8'), '"Barcode","Name"\r\n"3","CY"\r\n');
  assert.not.ok(left.some((n) => n.startsWith(TEMP_PREFIX)));
});

test('a dry run logs in and uploads nothing', async () => {
  await writeFile(join(local, 'patrons.csv'), 'ID,Name\n9,Zed\n');
  const before = await readFile(join(sshd.root, 'destiny/patrons.csv'), 'utf8');
  const { report, logs } = await runSpec(UPLOAD(), secrets(), { baseDir: local, dryRun: true });
  assert.ok(report.ok, report.error);
  assert.is(await readFile(join(sshd.root, 'destiny/patrons.csv'), 'utf8'), before);
  assert.ok(logs.some((l) => l.includes('accepted the login')), logs.join('\n'));
  assert.not.ok((await names(join(sshd.root, 'destiny'))).some((n) => n.startsWith(TEMP_PREFIX)));
});

test('a wrong pin is refused at once, naming the key the server showed; nothing is uploaded or retried', async () => {
  const wrong = 'SHA256:' + 'A'.repeat(43);
  const spec = UPLOAD().replace(`host_key: ${sshd.fingerprint}`, `host_key: ${wrong}`).replace('destiny/patrons.csv', 'pinned/patrons.csv');
  const { report } = await runSpec(spec, secrets(), { baseDir: local });
  assert.not.ok(report.ok);
  assert.match(report.error!, `connection drop (used by output destiny): the host key of 127.0.0.1:${sshd.port} is ${sshd.fingerprint} (ssh-ed25519), not the pinned ${wrong}`);
  assert.equal(report.events, {});
  assert.equal(await names(join(sshd.root, 'pinned')), []);
});

test('a refused key login is not retried and the key never shows in the error', async () => {
  const other = (await import('node:child_process')).execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(local, 'other_key')]);
  void other;
  const key = await readFile(join(local, 'other_key'), 'utf8');
  const { report } = await runSpec(UPLOAD(), { sftp_key: key }, { baseDir: local });
  assert.not.ok(report.ok);
  assert.is(report.error, `connection drop (used by output destiny): 127.0.0.1:${sshd.port} refused the login of ${sshd.username} (wrong password or key?)`);
  assert.equal(report.events, {});
});

const READ = (path: string, extra = '') => `sisflow: 1
name: import
connections:
  here: { use: files, dir: out }
${connection()}
sources:
  tables:
    from: drop
    path: ${path}
    columns: { SSID: string, Grade: int }
${extra}
outputs:
  copy: { from: tables, to: here, path: all.csv, line_ending: lf }
`;

test('a globbed source reads every match in name order, then archives them after the run', async () => {
  await mkdir(join(sshd.root, 'incoming'), { recursive: true });
  await writeFile(join(sshd.root, 'incoming/tableB.csv'), 'SSID,Grade\nb1,2\n');
  await writeFile(join(sshd.root, 'incoming/tableA.csv'), 'Grade,SSID\n1,a1\nx,bad\n');
  await writeFile(join(sshd.root, 'incoming/notes.txt'), 'not csv');
  const { report } = await runSpec(READ('incoming/table*.csv', '    after: archive\n    archive_dir: done'), secrets(), { baseDir: local });
  assert.ok(report.ok, report.error);
  assert.is(await readFile(join(local, 'out/all.csv'), 'utf8'), 'SSID,Grade\na1,1\nb1,2\n');
  assert.is(report.rejects.count, 1);
  assert.equal(await names(join(sshd.root, 'incoming')), ['notes.txt']);
  const archived = await names(join(sshd.root, 'done'));
  assert.is(archived.length, 2);
  assert.match(archived[0]!, /^tableA\.csv\.\d{8}T\d{6}Z$/);
});

test('a missing input fails the run, or reads as empty with a warning when allowed', async () => {
  const failed = await runSpec(READ('incoming/none*.csv'), secrets(), { baseDir: local });
  assert.not.ok(failed.report.ok);
  assert.is(failed.report.error, `source tables: no file incoming/none*.csv on 127.0.0.1:${sshd.port} in ${sshd.root}`);
  const empty = await runSpec(READ('incoming/none.csv', '    missing: empty'), secrets(), { baseDir: local });
  assert.ok(empty.report.ok, empty.report.error);
  assert.match(empty.report.warnings.join('\n'), 'no file incoming/none.csv');
});

test('a OneRoster bundle is delivered over SFTP as the same zip a local run writes, in delta mode too', async () => {
  const spec = readFileSync(fileURLToPath(new URL('../../../examples/oneroster/csv-export.yaml', import.meta.url)), 'utf8');
  const localDir = await tempDir('sisflow-oneroster-local-');
  const here = await runSpec(spec, {}, { baseDir: localDir });
  assert.ok(here.report.ok, here.report.error);
  const sftp = `sftp: { host: 127.0.0.1, port: ${sshd.port}, username: ${sshd.username}, private_key: "\${secret:sftp_key}", host_key: "${sshd.fingerprint}", dir: ${sshd.root} }`;
  const remote = spec.replace('bundle: { use: oneroster-csv, path: out/oneroster.zip }', `bundle: { use: oneroster-csv, path: rostering/oneroster.zip, ${sftp} }`);
  assert.ok(remote !== spec);
  const dir = await tempDir('sisflow-oneroster-remote-');
  const { report } = await runSpec(remote, secrets(), { baseDir: dir });
  assert.ok(report.ok, report.error);
  assert.ok((await readFile(join(sshd.root, 'rostering/oneroster.zip'))).equals(await readFile(join(localDir, 'out/oneroster.zip'))));
  assert.equal(await names(join(sshd.root, 'rostering')), ['oneroster.zip']);
  assert.match(report.outputs.users!.files[0]!.path, `sftp://127.0.0.1:${sshd.port}/`);
  // Delta over SFTP: the snapshot stays on this side; a rerun has no changes, so every file is
  // declared absent and only the manifest is sent.
  const delta = remote.replace('path: rostering/oneroster.zip,', 'path: rostering/oneroster.zip, mode: delta,');
  for (let i = 0; i < 2; i++) assert.ok((await runSpec(delta, secrets(), { baseDir: dir })).report.ok);
  const rerun = readBundle(join(sshd.root, 'rostering/oneroster.zip'));
  assert.equal([...rerun.keys()], ['manifest.csv']);
  assert.match(Buffer.from(rerun.get('manifest.csv')!).toString('utf8'), 'file.users,absent');
  assert.ok(existsSync(join(dir, '.oneroster.zip.snapshot.zip')));
  assert.equal(await names(join(sshd.root, 'rostering')), ['oneroster.zip']);
});

test('a held OneRoster bundle waits on the SFTP server under a held name; approving publishes the zip a local run writes', async () => {
  const sftp = `sftp: { host: 127.0.0.1, port: ${sshd.port}, username: ${sshd.username}, private_key: "\${secret:sftp_key}", host_key: "${sshd.fingerprint}", dir: ${sshd.root} }`;
  const spec = BUNDLE_SPEC(`path: held/oneroster.zip, ${sftp}`);
  const dir = await tempDir('sisflow-oneroster-held-');
  writeStudents(dir, 1, 30);
  assert.ok((await runSpec(spec, secrets(), { baseDir: dir })).report.ok);
  const before = await readFile(join(sshd.root, 'held/oneroster.zip'));
  writeStudents(dir, 1, 20);
  const { report } = await runSpec(spec, secrets(), { baseDir: dir, review: async () => 'hold' });
  assert.ok(report.ok, report.error);
  assert.ok((await readFile(join(sshd.root, 'held/oneroster.zip'))).equals(before), 'nothing published');
  assert.ok((await names(join(sshd.root, 'held'))).some((n) => n.startsWith('.sisflow-held-oneroster.zip.')));
  const sink = registry.get('oneroster-csv')!.sink!;
  const connection = { path: 'held/oneroster.zip', sftp: { host: '127.0.0.1', port: sshd.port, username: sshd.username, private_key: sshd.privateKey, host_key: sshd.fingerprint, dir: sshd.root } };
  const ctx = { connection, signal: new AbortController().signal, log: () => undefined };
  for (const stage of Object.values(report.approval!)) await sink.publishHeld!(stage, ctx);
  assert.equal(await names(join(sshd.root, 'held')), ['oneroster.zip']);
  const ref = await tempDir('sisflow-oneroster-held-ref-');
  writeStudents(ref, 1, 20);
  assert.ok((await runSpec(BUNDLE_SPEC(), {}, { baseDir: ref })).report.ok);
  assert.ok((await readFile(join(sshd.root, 'held/oneroster.zip'))).equals(await readFile(join(ref, 'out/oneroster.zip'))));
  // A second held run, discarded: the server keeps the published zip and no held file.
  writeStudents(dir, 1, 5);
  const discarded = await runSpec(spec, secrets(), { baseDir: dir, review: async () => 'hold' });
  for (const stage of Object.values(discarded.report.approval!)) await sink.discardHeld!(stage, ctx);
  assert.equal(await names(join(sshd.root, 'held')), ['oneroster.zip']);
});

test('a bundle delivered over SFTP must be a zip, and its key must be a secret', async () => {
  const { compile } = await import('@sisflow/core');
  const { defaultRegistry } = await import('@sisflow/connectors');
  const spec = readFileSync(fileURLToPath(new URL('../../../examples/oneroster/csv-export.yaml', import.meta.url)), 'utf8');
  const r = compile(spec.replace('bundle: { use: oneroster-csv, path: out/oneroster.zip }', 'bundle: { use: oneroster-csv, path: rostering, sftp: { host: h, username: u, password: hunter2, host_key: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } }'), 'spec.yaml', { registry: defaultRegistry(), today: '2026-11-23' });
  assert.equal(r.diagnostics.map((d) => `${d.code} ${d.message}`).sort(), ['SF407 `sftp.password` of connections.bundle is written in clear text', 'SF408 a bundle delivered over SFTP must be a zip']);
});

test('a held upload waits on the server and is published later exactly as uploaded; refused once gone or when the destination changed', async () => {
  await writeFile(join(local, 'patrons.csv'), 'ID,Name\n1,Ada\n');
  const first = await runSpec(UPLOAD(), secrets(), { baseDir: local });
  assert.ok(first.report.ok, first.report.error);
  const before = await readFile(join(sshd.root, 'destiny/patrons.csv'), 'utf8');
  await writeFile(join(local, 'patrons.csv'), 'ID,Name\n2,Bo\n');
  const { report } = await runSpec(UPLOAD(), secrets(), { baseDir: local, review: async () => 'hold' });
  assert.ok(report.ok, report.error);
  const stage = report.approval!.destiny!;
  assert.is(await readFile(join(sshd.root, 'destiny/patrons.csv'), 'utf8'), before, 'nothing published');
  const heldName = (await names(join(sshd.root, 'destiny'))).find((n) => n.startsWith('.sisflow-held-patrons.csv.'));
  assert.ok(heldName, 'the upload waits on the server under a held name');
  const sink = registry.get('sftp')!.sink!;
  const ctx = { connection: { host: '127.0.0.1', port: sshd.port, username: sshd.username, private_key: sshd.privateKey, host_key: sshd.fingerprint, dir: sshd.root }, signal: new AbortController().signal, log: () => undefined };
  // Another upload of the same spec (not held) changes the destination: the held one is refused.
  await writeFile(join(sshd.root, 'destiny/patrons.csv'), 'changed by someone else\n');
  assert.match(String(await sink.publishHeld!(stage, ctx).then(() => 'published', (e: Error) => e.message)), /changed since the run was held/);
  await writeFile(join(sshd.root, 'destiny/patrons.csv'), before);
  const { utimes } = await import('node:fs/promises');
  const original = readFileSync(join(sshd.root, 'destiny', heldName!), 'utf8');
  // Restoring the bytes is not enough if the times differ; restore both as they were.
  // A stage keeps each of its uploads as a part (a CSV with a Destiny properties file has two).
  const stateBefore = (stage.state as { parts: { before: { mtime: number } }[] }).parts[0]!.before;
  await utimes(join(sshd.root, 'destiny/patrons.csv'), stateBefore.mtime / 1000, stateBefore.mtime / 1000); // ms → s
  await sink.publishHeld!(stage, ctx);
  assert.is(await readFile(join(sshd.root, 'destiny/patrons.csv'), 'utf8'), original);
  assert.is(original, '"Barcode","Name"\r\n"2","BO"\r\n');
  assert.not.ok((await names(join(sshd.root, 'destiny'))).some((n) => n.startsWith('.sisflow-held-')));
  assert.match(String(await sink.publishHeld!(stage, ctx).then(() => 'published', (e: Error) => e.message)), /is gone/);
  assert.ok(existsSync(join(sshd.root, 'destiny/patrons.csv')));
});

if (SSHD) test.run();
else if (sshdRequired()) throw new Error('OpenSSH sshd is not installed; .ci/run installs openssh-server');
else console.warn('SKIPPED sftp-openssh.test.ts: no OpenSSH sshd here (apt-get install openssh-server)');
