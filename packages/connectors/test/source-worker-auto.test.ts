// SISFLOW_READ_WORKER=auto, the default: a large source is read in a worker where a second CPU is
// there to run it, a small one (a small table of a large database included) in the main thread;
// and how many CPUs a process has, its container's CPU quota included.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T, type RunContext } from '@sisflow/core';
import { sqliteConnector } from '@sisflow/connectors';
import { cgroupCpuQuota, usableCpus } from '../src/source-worker/usable-cpus.js';

const dir = mkdtempSync(join(tmpdir(), 'sisflow-source-worker-auto-'));
const threads = () => readdirSync('/proc/self/task').length;

const context = (): RunContext => ({
  signal: new AbortController().signal,
  baseDir: dir,
  log: () => undefined,
  warn: () => undefined,
  reject: () => undefined,
  count: () => undefined,
  startedAt: '2026-11-23T05:30:00.000Z',
  afterSuccess: () => undefined,
});

// A database past the worker's 4 MB threshold: a table of 30,000 rows and one of 12.
{
  const d = new Database(join(dir, 'district.db'));
  d.exec('CREATE TABLE BIG (ID INTEGER, NM TEXT); CREATE TABLE SMALL (ID INTEGER, NM TEXT)');
  const big = d.prepare('INSERT INTO BIG VALUES (?, ?)');
  const small = d.prepare('INSERT INTO SMALL VALUES (?, ?)');
  d.transaction(() => {
    for (let i = 0; i < 30000; i++) big.run(i, `${i} `.padEnd(160, 'x'));
    for (let i = 0; i < 12; i++) small.run(i, `school ${i}`);
  })();
  d.close();
}

/** Reads `table` with SISFLOW_READ_WORKER unset; the threads the process had beyond `before` while it read. */
async function extraThreadsWhileReading(table: string): Promise<{ rows: number; extra: number }> {
  delete process.env.SISFLOW_READ_WORKER;
  const before = threads();
  let rows = 0;
  let extra = 0;
  const source = sqliteConnector.source!.read({ connection: { path: 'district.db' }, settings: { table }, schema: [{ name: 'ID', type: T.int }, { name: 'NM', type: T.string }], batchSize: 1000 }, context());
  for await (const b of source) {
    rows += b.rows.length;
    extra = Math.max(extra, threads() - before);
  }
  assert.is(threads(), before, 'no thread outlives the read');
  return { rows, extra };
}

test('by default a large table is read in a worker where a second CPU can run it', async () => {
  const r = await extraThreadsWhileReading('BIG');
  assert.is(r.rows, 30000);
  if (usableCpus() >= 2) assert.ok(r.extra > 0, 'a reading thread ran beside the main thread');
  else assert.is(r.extra, 0, 'one CPU: read in the main thread');
});

test('a small table of the same large database is read in the main thread', async () => {
  const r = await extraThreadsWhileReading('SMALL');
  assert.is(r.rows, 12);
  assert.is(r.extra, 0);
});

test('SISFLOW_READ_WORKER=off reads a large table in the main thread', async () => {
  process.env.SISFLOW_READ_WORKER = 'off';
  const before = threads();
  let extra = 0;
  const source = sqliteConnector.source!.read({ connection: { path: 'district.db' }, settings: { table: 'BIG' }, schema: [{ name: 'ID', type: T.int }], batchSize: 1000 }, context());
  for await (const _ of source) extra = Math.max(extra, threads() - before);
  delete process.env.SISFLOW_READ_WORKER;
  assert.is(extra, 0);
});

/** A cgroup file tree under a fresh folder: `files` maps paths below it to their text. */
function cgroupTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, 'cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('a cgroup v2 CPU quota is the least along the cgroup path', () => {
  const root = cgroupTree({
    'proc-self-cgroup': '0::/system.slice/sisflow.service\n',
    'fs/cpu.max': 'max 100000\n',
    'fs/system.slice/cpu.max': '150000 100000\n',
    'fs/system.slice/sisflow.service/cpu.max': 'max 100000\n',
  });
  assert.is(cgroupCpuQuota(join(root, 'fs'), join(root, 'proc-self-cgroup')), 1.5);
  assert.is(usableCpus(join(root, 'fs'), join(root, 'proc-self-cgroup')), 1, '1.5 CPUs is one whole CPU');
});

test('a cgroup v1 CFS quota counts, -1 is no limit, and a container sees its own cgroup at the root', () => {
  const v1 = cgroupTree({
    'proc-self-cgroup': '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n',
    // The container's own cgroup mounted at the root (a cgroup namespace): /docker/abc is not there.
    'fs/cpu,cpuacct/cpu.cfs_quota_us': '300000\n',
    'fs/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
  });
  assert.is(cgroupCpuQuota(join(v1, 'fs'), join(v1, 'proc-self-cgroup')), 3);
  assert.is(usableCpus(join(v1, 'fs'), join(v1, 'proc-self-cgroup')), Math.min(3, availableParallelism()));
  const unlimited = cgroupTree({
    'proc-self-cgroup': '4:cpu,cpuacct:/\n',
    'fs/cpu/cpu.cfs_quota_us': '-1\n',
    'fs/cpu/cpu.cfs_period_us': '100000\n',
  });
  assert.is(cgroupCpuQuota(join(unlimited, 'fs'), join(unlimited, 'proc-self-cgroup')), undefined);
  assert.is(usableCpus(join(unlimited, 'fs'), join(unlimited, 'proc-self-cgroup')), availableParallelism());
});

test('no cgroup files: the CPUs the process may run on', () => {
  assert.is(cgroupCpuQuota(join(dir, 'none'), join(dir, 'none', 'cgroup')), undefined);
  assert.is(usableCpus(join(dir, 'none'), join(dir, 'none', 'cgroup')), availableParallelism());
});

test.run();
