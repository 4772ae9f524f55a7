// `sisflow sftp fingerprint` against a live server (the in-process ssh2 test server): it prints the
// fingerprint the connector will check, and a line ready to paste into the spec.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFaultServer, type FaultServer } from '../../connectors/test/sftp/fault-server.js';
import { freePort } from '../../connectors/test/sftp/sshd.js';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'packages/cli/dist/bin.js');
let server: FaultServer;

/** Runs the CLI without blocking this process, which serves SFTP meanwhile. */
function sisflow(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test.before(async () => {
  server = await startFaultServer();
});
test.after(async () => {
  await server.stop();
});

test('sftp fingerprint prints the pin for a server', async () => {
  const r = await sisflow(['sftp', 'fingerprint', `127.0.0.1:${server.port}`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `  ${server.fingerprint}  ssh-ed25519  (the key sisflow is shown first)`);
  assert.match(r.stdout, `    host_key: ${server.fingerprint}\n`);
  assert.is(server.logins, 0, 'nothing logged in');
});

test('sftp fingerprint: a closed port and a bad target are clear errors', async () => {
  const port = await freePort();
  const closed = await sisflow(['sftp', 'fingerprint', `127.0.0.1:${port}`]);
  assert.is(closed.code, 1);
  assert.is(closed.stderr, `error: could not reach 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  const bad = await sisflow(['sftp', 'fingerprint', 'host:99999']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, '"host:99999" is not HOST or HOST:PORT');
});

test.run();
