// A small fleet for the tests: a real PostgreSQL and Redis, a local Aeries API (the runs' source,
// which a test can hold mid-read), district projects whose secrets (the API key, the history
// password) live in a secrets folder per district, and the CLI's `worker` and `serve --queue` as
// child processes whose JSON log lines the tests wait on.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { defaultRegistry } from '@sisflow/connectors';
import { FleetScheduler, loadFleetProjects } from '@sisflow/fleet';
import { AeriesApiServer, SIRAS_AREAS } from '../../connectors/test/aeries/api-server.js';
import { startPostgres, stopChild, type PostgresServer } from '../../service/test/servers/postgres-server.js';
import { startRedis, type RedisServer } from './servers/redis-server.js';

export const API_KEY = 'f1e2d3c4b5a69788796a5b4c3d2e1f00';
const BIN = join(import.meta.dirname, '../../cli/src/bin.ts');

export interface Fleet {
  pg: PostgresServer;
  redis: RedisServer;
  api: AeriesApiServer;
  historyUrl: string;
  /** Folder of district project folders. */
  root: string;
  secretsDir: string;
  addDistrict(name: string, specs?: Record<string, string>): string;
  stop(): Promise<void>;
}

export function rosterSpec(name = 'roster', school = 994, timezone = 'America/Los_Angeles', cron = '30 2 * * *'): string {
  return `sisflow: 1
name: ${name}
sources:
  students:
    from: aeries
    endpoint: schools/{school}/students
    schools: [${school}]
    columns: { StudentID: int, LastName: string, FirstName: string }
outputs:
  roster:
    from: students
    to: outbox
    path: ${name}.csv
schedule:
  cron: "${cron}"
  timezone: ${timezone}
`;
}

export async function startFleet(): Promise<Fleet> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  await pg.createDatabase('fleet');
  const api = new AeriesApiServer(new Map([[API_KEY, new Set(SIRAS_AREAS)]]));
  const base = mkdtempSync(join(tmpdir(), 'sisflow-fleet-'));
  await api.start(base);
  process.env.AERIES_CA = api.ca;
  const root = join(base, 'districts');
  const secretsDir = join(base, 'secrets');
  mkdirSync(root);
  mkdirSync(secretsDir);
  const historyUrl = `postgres://${pg.user}:\${secret:PG_PASSWORD}@127.0.0.1:${pg.port}/fleet`;
  return {
    pg,
    redis,
    api,
    historyUrl,
    root,
    secretsDir,
    addDistrict(name, specs = { roster: rosterSpec() }) {
      const dir = join(root, name.toLowerCase().replace(/\W+/g, '-'));
      mkdirSync(join(dir, 'specs'), { recursive: true });
      writeFileSync(
        join(dir, 'sisflow.yaml'),
        `sisflow_project: 1
district: { name: ${name}, timezone: America/Los_Angeles }
specs: [specs/*.yaml]
history: { url: "${historyUrl}" }
connections:
  aeries: { use: aeries-api, base_url: "${api.baseUrl}", cert: "\${secret:AERIES_API_CERT}", ca: "\${env:AERIES_CA}" }
  outbox: { use: files, dir: ../out }
`,
      );
      for (const [file, text] of Object.entries(specs)) writeFileSync(join(dir, 'specs', `${file}.yaml`), text);
      const secrets = join(secretsDir, name);
      mkdirSync(secrets, { recursive: true });
      writeFileSync(join(secrets, 'AERIES_API_CERT'), API_KEY);
      writeFileSync(join(secrets, 'PG_PASSWORD'), pg.password);
      return dir;
    },
    async stop() {
      await api.stop();
      await Promise.all([redis.stop(), pg.stop()]);
    },
  };
}

export interface LogLine {
  msg: string;
  [k: string]: unknown;
}

/** A `sisflow` child process whose JSON log lines can be waited on. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  private waiters: { match: (l: LogLine) => boolean; done: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--conditions=sisflow-source', '--import', 'tsx', BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    this.child.stderr!.on('data', (d) => (err += d));
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
    void this.exited.then(() => err && !this.killed && process.stderr.write(`[${args[0]} ${this.child.pid}] ${err}`));
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => !(w.match(line) && (w.done(line), true)));
    });
  }

  killed = false;

  get pid(): number {
    return this.child.pid!;
  }

  /** The next line printed. */
  nextLine(): Promise<LogLine> {
    return new Promise((done) => this.waiters.push({ match: () => true, done }));
  }

  /** The first line (already printed or to come) that matches. */
  waitFor(match: (l: LogLine) => boolean): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((done, fail) => {
      this.waiters.push({ match, done });
      void this.exited.then((code) => fail(new Error(`process ${this.pid} exited (${code}) before the line came; its lines:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}`)));
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.killed = true;
    await stopChild(this.child, signal);
  }
}

export function worker(fleet: Fleet, args: string[]): CliProcess {
  return new CliProcess(['worker', '--queue', fleet.redis.url, '--lock-seconds', '2', ...args], { SISFLOW_SECRETS_DIR: fleet.secretsDir });
}

export function serveQueue(fleet: Fleet, args: string[]): CliProcess {
  return new CliProcess(['serve', '--queue', fleet.redis.url, ...args], { SISFLOW_SECRETS_DIR: fleet.secretsDir });
}

/** A gate for the API: `arrived` resolves at each held request; `open()` lets every held and later request through. */
export function gate(api: AeriesApiServer) {
  const arrivals: string[] = [];
  let wake: (() => void) | undefined;
  let opened!: () => void;
  const open = new Promise<void>((r) => (opened = r));
  api.hold = async (path) => {
    arrivals.push(path);
    wake?.();
    await open;
  };
  return {
    arrivals,
    /** Resolves once n requests have arrived at the gate. */
    async arrived(n: number): Promise<void> {
      while (arrivals.length < n) await new Promise<void>((r) => (wake = r));
    },
    open() {
      api.hold = undefined;
      opened();
    },
  };
}

/** Waits until what the processes printed, all together, satisfies the check. */
export async function until(processes: CliProcess[], check: (lines: LogLine[]) => boolean): Promise<void> {
  while (!check(processes.flatMap((p) => p.lines))) await Promise.race(processes.map((p) => p.nextLine()));
}

/** What one reconcile of `serve --queue` with these folders does (schedulers and the record of what the fleet serves), in this process. */
export async function serveOnce(fleet: Fleet, folders: string[]): Promise<void> {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const scheduler = new FleetScheduler({ connection: { url: fleet.redis.url, maxRetriesPerRequest: null }, registry: defaultRegistry(), log: quiet });
  try {
    await scheduler.reconcile(loadFleetProjects({ folders, registry: defaultRegistry() }));
  } finally {
    await scheduler.close();
  }
}
