// A real Redis for the tests (Debian's redis-server): on a free port on 127.0.0.1, its own data
// folder, append-only file fsynced on every write (a restart loses nothing), restartable in place.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild, untilPrinted } from '../../../service/test/servers/postgres-server.js';

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM: it writes its files) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** Stops it without starting again. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const orphan = () => child?.kill('SIGKILL');
  process.on('exit', orphan);
  const up = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stderr!.resume();
    await untilPrinted(c, c.stdout!, 'Ready to accept connections', 'redis-server');
  };
  await up();
  const down = async () => {
    if (child) await stopChild(child, 'SIGTERM');
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await down();
      await up();
    },
    down,
    up,
    stop: async () => {
      await down();
      process.off('exit', orphan);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
