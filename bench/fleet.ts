// The fleet bench (`pnpm bench -- --fleet`, or alone: `node --conditions=sisflow-source --import tsx
// bench/fleet.ts --districts 300`): N district projects × 3 specs on generated data, their schedules
// registered by `serve --queue`'s library and all made due at the same instant, run by 1, 2 and 4
// `sisflow worker` processes (compiled CLI, --concurrency 2 each) against a real Redis and
// PostgreSQL. Reports runs per minute, schedule lag p50/p99, Redis memory, history rows written per
// second, the slowest district's wait (its last run's start after the instant), and where the CPU
// went: CPU-seconds per run in the workers (their own resource usage, start-up excluded), in
// PostgreSQL (postmaster and its backends, from /proc) and in Redis — the measure a larger worker
// machine is sized by. `--workers 1,2` picks the rounds; FLEET_BENCH_PROFILE=DIR writes a CPU
// profile of each worker of the 1-worker round there.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { defaultRegistry } from '@sisflow/connectors';
import { FleetScheduler, loadFleetProjects, QUEUE_NAME, type FleetJob } from '@sisflow/fleet';
import { startPostgres } from '../packages/service/test/servers/postgres-server.js';
import { startRedis } from '../packages/fleet/test/servers/redis-server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ROWS = 2_000;
const SPECS = ['roster', 'patrons', 'sped'] as const;

function spec(name: (typeof SPECS)[number]): string {
  return `sisflow: 1
name: ${name}
sources:
  students:
    from: inbox
    path: students.csv
    columns: { ID: int, LN: string, FN: string, GR: int, SC: int }
outputs:
  ${name}:
    from: students
    to: outbox
    path: ${name}.csv
schedule:
  cron: "30 2 * * *"
  timezone: America/Los_Angeles
`;
}

function makeDistricts(root: string, n: number): string[] {
  const dirs: string[] = [];
  for (let d = 0; d < n; d++) {
    const dir = join(root, `d${String(d).padStart(3, '0')}`);
    mkdirSync(join(dir, 'specs'), { recursive: true });
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'sisflow.yaml'), `sisflow_project: 1\ndistrict: { name: District ${d}, timezone: America/Los_Angeles }\nspecs: [specs/*.yaml]\nconnections:\n  inbox: { use: files, dir: ../in }\n  outbox: { use: files, dir: ../out }\n`);
    for (const s of SPECS) writeFileSync(join(dir, 'specs', `${s}.yaml`), spec(s));
    const lines = ['ID,LN,FN,GR,SC'];
    for (let i = 1; i <= ROWS; i++) lines.push(`${d * 100_000 + i},Last${i},First${i},${i % 13},${990 + (i % 5)}`);
    writeFileSync(join(dir, 'in', 'students.csv'), `${lines.join('\n')}\n`);
    dirs.push(dir);
  }
  return dirs;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

interface Phases {
  slot: number;
  begin: number;
  run: number;
}

export interface FleetFigures {
  workers: number;
  runs: number;
  runsPerMinute: number;
  lagP50: number;
  lagP99: number;
  redisMb: number;
  rowsPerSecond: number;
  slowestDistrictWait: number;
  /** CPU-seconds per run: in the worker processes (start-up excluded), PostgreSQL, Redis. */
  cpuPerRun: { workers: number; postgres: number; redis: number };
  /** Median wall time of a run's phases in the worker (ms): taking the district slot, the history's begin, the run to its recorded end. */
  phasesP50: Phases;
  /** The machine's 1-minute load average when the round ended. */
  load: number;
}

/** CPU seconds used by the processes whose command line has all of `words` (and by their reaped children). */
function cpuOf(words: string[]): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (!words.every((w) => cmd.includes(w))) continue;
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime, stime, cutime, cstime (fields 14–17; here after the command name, from field 3)
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

export async function fleetBench(say: (l?: string) => void, districts: number, workerCounts = [1, 2, 4]): Promise<FleetFigures[]> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const root = mkdtempSync(join(tmpdir(), 'sisflow-fleet-bench-'));
  const dirs = makeDistricts(root, districts);
  const connection = { url: redis.url, maxRetriesPerRequest: null as null };
  const log = { info: () => undefined, warn: () => undefined, error: (_f: unknown, m: string) => console.error(m) };
  const figures: FleetFigures[] = [];
  try {
    for (const count of workerCounts) {
      await pg.createDatabase(`bench_${count}`);
      const historyUrl = `postgres://${pg.user}:\${secret:PG_PASSWORD}@127.0.0.1:${pg.port}/bench_${count}`;
      const queue = new Queue<FleetJob>(QUEUE_NAME, { connection });
      await queue.obliterate({ force: true });
      const scheduler = new FleetScheduler({ connection, registry: defaultRegistry(), log });
      await scheduler.reconcile(loadFleetProjects({ folders: dirs, history: historyUrl, registry: defaultRegistry() }));
      const profile = process.env.FLEET_BENCH_PROFILE && count === 1 ? ['--cpu-prof', '--cpu-prof-dir', process.env.FLEET_BENCH_PROFILE] : [];
      const workers = Array.from({ length: count }, () =>
        spawn(process.execPath, [...profile, join(ROOT, 'packages/cli/dist/bin.js'), 'worker', '--queue', redis.url, '--history', historyUrl, '--projects-dir', root, '--concurrency', '2', '--district-concurrency', '2'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SISFLOW_SECRET_PG_PASSWORD: pg.password } }),
      );
      const starts: { district: string; at: number }[] = [];
      const phases: Phases[] = [];
      // Each worker's CPU seconds when it started (projects read) and when it stopped.
      const cpuStarted: number[] = [];
      const cpuStopped: number[] = [];
      let ends = 0;
      let allDone!: () => void;
      const done = new Promise<void>((r) => (allDone = r));
      let ready = 0;
      let allReady!: () => void;
      const readyAll = new Promise<void>((r) => (allReady = r));
      const total = districts * SPECS.length;
      for (const w of workers) {
        createInterface({ input: w.stdout! }).on('line', (text) => {
          const l = JSON.parse(text) as { msg: string; time: string; district?: string; cpuSeconds?: number; phasesMs?: Phases };
          if (l.phasesMs) phases.push(l.phasesMs);
          if (process.env.FLEET_BENCH_DEBUG) console.error(text);
          if (l.msg === 'sisflow worker started') cpuStarted.push(l.cpuSeconds!);
          if (l.msg === 'sisflow worker stopped') cpuStopped.push(l.cpuSeconds!);
          if (l.msg === 'sisflow worker started' && ++ready === count) allReady();
          if (l.msg === 'run started') starts.push({ district: l.district!, at: Date.parse(l.time) });
          if (/^run (ok|failed|held)$/.test(l.msg) && ++ends === total) allDone();
        });
      }
      await readyAll;
      // Every district's every spec due at the same instant, as at the top of the night's minute.
      const due = await queue.getDelayed(0, -1);
      const pgWords = ['postgres', `-p ${pg.port}`];
      const redisWords = ['redis-server', `:${redis.port}`];
      const [pg0, redis0] = [cpuOf(pgWords), cpuOf(redisWords)];
      const t0 = Date.now();
      await Promise.all(due.map((j) => j.promote()));
      await done;
      const elapsed = Date.now() - t0;
      const load = loadavg()[0]!;
      const r = new Redis(redis.url);
      const redisMb = Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]) / 1e6;
      r.disconnect();
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((d) => w.once('exit', d))));
      // After the workers exited: their PostgreSQL backends are reaped, counted in the postmaster's children time.
      const [pgCpu, redisCpu] = [cpuOf(pgWords) - pg0, cpuOf(redisWords) - redis0];
      const workerCpu = cpuStopped.reduce((a, b) => a + b, 0) - cpuStarted.reduce((a, b) => a + b, 0);
      await scheduler.close();
      await queue.close();
      const lags = starts.map((s) => s.at - t0);
      const byDistrict = new Map<string, number>();
      for (const s of starts) byDistrict.set(s.district, Math.max(byDistrict.get(s.district) ?? 0, s.at - t0));
      figures.push({
        workers: count,
        runs: ends,
        runsPerMinute: (ends / elapsed) * 60_000,
        lagP50: pct(lags, 50),
        lagP99: pct(lags, 99),
        redisMb,
        rowsPerSecond: ends / (elapsed / 1000),
        slowestDistrictWait: Math.max(...byDistrict.values()),
        phasesP50: { slot: pct(phases.map((p) => p.slot), 50), begin: pct(phases.map((p) => p.begin), 50), run: pct(phases.map((p) => p.run), 50) },
        cpuPerRun: { workers: workerCpu / ends, postgres: pgCpu / ends, redis: redisCpu / ends },
        load,
      });
    }
  } finally {
    await Promise.all([redis.stop(), pg.stop()]);
  }
  say(`## Fleet: ${districts} districts × ${SPECS.length} specs (${ROWS.toLocaleString('en')} students each), all due at once`);
  say();
  say(`${cpus().length} cores; load average (1 min) at the end of each round: ${figures.map((f) => f.load.toFixed(1)).join(', ')}.`);
  say();
  say('| worker processes (× concurrency 2) | runs | runs/minute | schedule lag p50 | p99 | slowest district waited | Redis memory | history rows/s | CPU-s per run: workers | PostgreSQL | Redis | run p50 wall: slot / begin / run |');
  say('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const f of figures) {
    say(`| ${f.workers} | ${f.runs} | ${f.runsPerMinute.toFixed(0)} | ${(f.lagP50 / 1000).toFixed(1)} s | ${(f.lagP99 / 1000).toFixed(1)} s | ${(f.slowestDistrictWait / 1000).toFixed(1)} s | ${f.redisMb.toFixed(1)} MB | ${f.rowsPerSecond.toFixed(1)} | ${f.cpuPerRun.workers.toFixed(3)} | ${f.cpuPerRun.postgres.toFixed(3)} | ${f.cpuPerRun.redis.toFixed(3)} | ${f.phasesP50.slot} / ${f.phasesP50.begin} / ${f.phasesP50.run} ms |`);
  }
  say();
  // By the same measure: a worker machine of C cores, PostgreSQL and Redis on their own servers, runs C / (worker CPU-s per run) runs a second.
  const best = Math.min(...figures.map((f) => f.cpuPerRun.workers));
  say(`By the CPU measure (worker CPU-seconds per run ${best.toFixed(3)}, the lowest round): one core runs ${(60 / best).toFixed(0)} runs/minute; a 16-core worker machine ${((16 * 60) / best).toFixed(0)} runs/minute, with PostgreSQL and Redis on their own servers (they used ${(figures[0]!.cpuPerRun.postgres + figures[0]!.cpuPerRun.redis).toFixed(3)} CPU-s per run here).`);
  say();
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  await fleetBench((l = '') => console.log(l), Number(arg('--districts') ?? 300), arg('--workers')?.split(',').map(Number));
}
