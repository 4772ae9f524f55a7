// The sftp connector on a bad night, against an in-process ssh2 server with injected faults: each
// case checks the message a user sees and that the final name never holds a partial file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TEMP_PREFIX } from '@sisflow/connectors';
import { runSpec, tempDir } from './sftp-helpers.js';
import { startFaultServer, type FaultServer } from './sftp/fault-server.js';

let server: FaultServer;
let local: string;
const ROWS = 20_000;
const FINAL = '/data/out/patrons.csv';

/** The fault server as a connection named `drop`. */
const DROP = () => `  drop:
    use: sftp
    host: 127.0.0.1
    port: ${server.port}
    username: sis
    password: \${secret:sftp_password}
    host_key: ${server.fingerprint}
    dir: /data
    retries: 2
    retry_delay_seconds: 0.02
`;

const spec = (connection = '', output = '') => `sisflow: 1
name: upload
connections:
  here: { use: files, dir: . }
${DROP()}${connection}sources:
  patrons:
    from: here
    path: patrons.csv
    columns: { ID: int, Name: string }
outputs:
  destiny: { from: patrons, to: drop, path: out/patrons.csv${output} }
`;

const run = (text = spec(), password = server.password, extra = {}) => runSpec(text, { sftp_password: password }, { baseDir: local, ...extra });
const remoteNames = () => [...server.files.keys()].sort();
const finalText = () => server.files.get(FINAL)?.data.toString('utf8');
const expected = (tag: string) => 'ID,Name\r\n' + Array.from({ length: ROWS }, (_, i) => `${i},${tag}${i}\r\n`).join('');

async function seed(tag: string) {
  await writeFile(join(local, 'patrons.csv'), 'ID,Name\n' + Array.from({ length: ROWS }, (_, i) => `${i},${tag}${i}\n`).join(''));
}

test.before(async () => {
  local = await tempDir('sisflow-sftp-faults-');
  server = await startFaultServer();
});

test.before.each(async () => {
  server.faults = {};
  server.files.clear();
  server.dirs = new Set(['/', '/data']);
  await seed('old');
  const first = await run();
  assert.ok(first.report.ok, first.report.error);
  await seed('new');
});

test.after(async () => {
  await server.stop();
});

const noTemps = () => assert.not.ok(remoteNames().some((n) => n.includes(TEMP_PREFIX)), remoteNames().join(' '));

test('without posix-rename the new file still replaces the old one, and no temporary file is left', async () => {
  const { report } = await run();
  assert.ok(report.ok, report.error);
  assert.is(finalText(), expected('new'));
  assert.equal(remoteNames(), [FINAL]);
});

test('a connection dropped mid-upload is retried and the run succeeds; the retry is reported', async () => {
  server.faults = { dropAfterWritten: 100_000, drops: 1 };
  const { report } = await run();
  assert.ok(report.ok, report.error);
  assert.equal(report.events, { 'sftp retries': 1 });
  assert.is(finalText(), expected('new'));
  noTemps();
});

test('a connection that keeps dropping fails after the retries; the old file stays whole', async () => {
  server.faults = { dropAfterWritten: 100_000 };
  const { report } = await run();
  assert.not.ok(report.ok);
  assert.match(report.error!, new RegExp(`^output destiny: uploading out/patrons\\.csv on 127\\.0\\.0\\.1:${server.port} failed: .* \\(after 3 attempts\\)$`));
  assert.equal(report.events, { "sftp retries": 2 }, JSON.stringify(report.warnings));
  assert.is(finalText(), expected('old'));
  noTemps();
});

test('a server that stops answering is caught by the timeout, not waited on forever', async () => {
  server.faults = { stallWrites: true };
  const { report } = await run(spec('    timeout_seconds: 0.3\n').replace('retries: 2', 'retries: 0'));
  assert.not.ok(report.ok);
  assert.is(report.error, `output destiny: uploading out/patrons.csv on 127.0.0.1:${server.port} stalled: no progress for 0.3 s; the connection was dropped`);
  assert.is(finalText(), expected('old'));
  server.faults = {};
  noTemps();
});

test('a refused rename fails the publish; the old file stays and the upload is removed', async () => {
  server.faults = { refuseRename: true };
  const { report } = await run();
  assert.not.ok(report.ok);
  assert.match(report.error!, `output destiny could not be published to connection drop: moving /data/out/patrons.csv aside on 127.0.0.1:${server.port} failed: rename refused by policy`);
  assert.is(finalText(), expected('old'));
  noTemps();
});

test('permission denied is reported at once, without retries', async () => {
  server.faults = { denyWrite: true };
  const { report } = await run();
  assert.not.ok(report.ok);
  assert.is(report.error, `output destiny: uploading out/patrons.csv on 127.0.0.1:${server.port}: permission denied`);
  assert.equal(report.events, {});
  assert.is(finalText(), expected('old'));
});

test('a wrong password is not retried and never printed', async () => {
  const logins = server.logins;
  const { report, logs } = await run(spec(), 'not-the-password');
  assert.not.ok(report.ok);
  assert.is(report.error, `connection drop (used by output destiny): 127.0.0.1:${server.port} refused the login of sis (wrong password or key?)`);
  assert.equal(report.events, {});
  assert.is(server.logins, logins);
  assert.not.match(JSON.stringify({ report, logs }), 'not-the-password');
});

test('a server showing another host key is refused, with the key it showed', async () => {
  const pinned = 'SHA256:' + 'B'.repeat(43);
  const { report } = await run(spec().replace(`host_key: ${server.fingerprint}`, `host_key: [${pinned}, ${'SHA256:' + 'C'.repeat(43)}]`));
  assert.not.ok(report.ok);
  assert.match(report.error!, `is ${server.fingerprint} (ssh-ed25519), not the pinned ${pinned} or SHA256:CCC`);
  assert.is(finalText(), expected('old'));
});

test('a download dropped midway is fetched again whole: no row is read twice', async () => {
  server.faults = { dropAfterRead: 60_000, drops: 1 };
  const read = `sisflow: 1
name: back
connections:
  here: { use: files, dir: back }
${DROP()}sources:
  patrons:
    from: drop
    path: out/patrons.csv
    columns: { ID: int, Name: string }
outputs:
  copy: { from: patrons, to: here, path: copy.csv }
`;
  const { report } = await run(read);
  assert.ok(report.ok, report.error);
  assert.equal(report.events, { 'sftp retries': 1 });
  assert.is(report.sources.patrons!.rows, ROWS);
});

test('cancelling a run mid-upload publishes nothing', async () => {
  server.faults = { stallWrites: true };
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('SIGINT')), 200);
  const { report } = await run(spec(), server.password, { signal: controller.signal });
  assert.not.ok(report.ok);
  assert.ok(report.cancelled);
  assert.is(finalText(), expected('old'));
});

test.run();
