// A real PostgreSQL for the tests (Debian's package, installed by scripts/ensure-packages.mjs):
// initdb into a temporary folder, postgres on a free port on 127.0.0.1 with password logins, stopped
// afterwards. As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { freePort } from '../../../connectors/test/sftp/sshd.js';

export { freePort };

export interface PostgresServer {
  port: number;
  user: string;
  password: string;
  /** postgres://user:password@127.0.0.1:port/database */
  url(database?: string): string;
  /** A new empty database, for one test. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((b) => existsSync(join(b, 'postgres')));
}


/** As root, the server's processes run as the postgres user. */
function serverUser(): { uid?: number; gid?: number } {
  return userInfo().uid === 0 ? postgresUser() : {};
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (run `pnpm test`, which installs it, or apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-pg-'));
  const user = 'sisflow';
  const password = `pw-${Math.random().toString(36).slice(2, 12)}`;
  writeFileSync(join(dir, 'pwfile'), password);
  if (userInfo().uid === 0) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'pwfile'), uid, gid);
  }
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', user, '--pwfile', join(dir, 'pwfile'), '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'], { encoding: 'utf8', cwd: dir, ...serverUser() });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const argv = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
  const child = spawn(join(bin, 'postgres'), argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...serverUser() });
  // A test process that dies leaves no server behind.
  const orphan = () => child.kill('SIGQUIT');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  await untilPrinted(child, child.stderr!, 'database system is ready to accept connections', 'postgres');
  const url = (database = 'postgres') => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  return {
    port,
    user,
    password,
    url,
    async createDatabase(name) {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
      return url(name);
    },
    stop: () => stopChild(child, 'SIGINT').then(() => rmSync(dir, { recursive: true, force: true })),
  };
}

function postgresUser(): { uid: number; gid: number } {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('running the tests as root needs a `postgres` user (the postgresql package creates it)');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Signals a child and waits for it to exit. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill(signal);
  });
}

/** Resolves when the child prints text on the stream (then lets the rest flow); fails if it exits first. */
export function untilPrinted(child: ChildProcess, stream: Readable, text: string, what: string): Promise<void> {
  return new Promise<void>((ready, fail) => {
    let log = '';
    const onData = (d: Buffer) => {
      log += d;
      if (!log.includes(text)) return;
      stream.off('data', onData);
      stream.resume();
      ready();
    };
    stream.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${what} exited (${code}) before it was ready:\n${log}`)));
  });
}
