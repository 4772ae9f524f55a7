// A real OpenSSH sshd for tests: 127.0.0.1, a free port, a fresh host key, key login for the user
// running the tests (its authorized key generated here), the internal-sftp subsystem. `.ci/run`
// installs openssh-server; without it these tests fail in CI and are skipped, loudly, elsewhere.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));

export interface Sshd {
  port: number;
  username: string;
  privateKey: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** A folder the test user can write, for remote files. */
  root: string;
  stop(): Promise<void>;
}

/** Whether tests that need sshd must run: always in CI. */
export function sshdRequired(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

export async function startSshd(): Promise<Sshd> {
  if (!SSHD) throw new Error('OpenSSH sshd is not installed (apt-get install openssh-server)');
  const dir = await mkdtemp(join(tmpdir(), 'sisflow-sshd-'));
  const root = join(dir, 'remote');
  await mkdir(root);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')));
  const fingerprint = execFileSync('ssh-keygen', ['-lf', join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  const port = await freePort();
  const username = userInfo().username;
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${username}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true }); // privilege separation folder
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitForPort(port, child, () => stderr);
  return {
    port,
    username,
    privateKey: await readFile(join(dir, 'client_key'), 'utf8'),
    fingerprint,
    root,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}
