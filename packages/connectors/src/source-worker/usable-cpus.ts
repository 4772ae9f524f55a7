// How many CPUs this process can keep busy at once: those it may be scheduled on
// (os.availableParallelism: the affinity mask) and, in a container, its CPU quota (cgroup v2
// `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`, the least along its cgroup's path). A
// container given 1.5 CPUs of a 32-core host has 1: a reading worker would only take turns with
// the main thread there.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { posix } from 'node:path';

/** Whole CPUs this process can use (at least 1). `root` and `self` are for tests. */
export function usableCpus(root = '/sys/fs/cgroup', self = '/proc/self/cgroup'): number {
  const quota = cgroupCpuQuota(root, self);
  return Math.max(1, Math.min(availableParallelism(), quota === undefined ? Infinity : Math.floor(quota)));
}

/** The process's CPU quota in CPUs, the least along its cgroup's path; undefined when none is set or none can be read. */
export function cgroupCpuQuota(root = '/sys/fs/cgroup', self = '/proc/self/cgroup'): number | undefined {
  let lines: string[];
  try {
    lines = readFileSync(self, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  let least: number | undefined;
  const consider = (cpus: number | undefined) => {
    if (cpus !== undefined && cpus > 0 && (least === undefined || cpus < least)) least = cpus;
  };
  for (const line of lines) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m as unknown as [string, string, string, string];
    if (id === '0' && controllers === '') {
      for (const dir of upward(root, path)) consider(cpuMax(dir));
    } else if (controllers.split(',').includes('cpu')) {
      for (const mount of new Set([posix.join(root, controllers), posix.join(root, 'cpu')])) for (const dir of upward(mount, path)) consider(cfsQuota(dir));
    }
  }
  return least;
}

/** `base/path`, then each folder above it up to `base` (a process in a cgroup namespace sees its own cgroup as `base`). */
function* upward(base: string, path: string): Iterable<string> {
  let p = posix.normalize(`/${path}`);
  for (;;) {
    yield posix.join(base, p);
    if (p === '/') return;
    p = posix.dirname(p);
  }
}

/** cgroup v2: `cpu.max` holds `QUOTA PERIOD` (microseconds), or `max PERIOD` for no limit. */
function cpuMax(dir: string): number | undefined {
  const [quota, period] = read(posix.join(dir, 'cpu.max'))?.split(/\s+/) ?? [];
  return quota && quota !== 'max' && period ? Number(quota) / Number(period) : undefined;
}

/** cgroup v1: `cpu.cfs_quota_us` (-1 for no limit) over `cpu.cfs_period_us`. */
function cfsQuota(dir: string): number | undefined {
  const quota = Number(read(posix.join(dir, 'cpu.cfs_quota_us')));
  const period = Number(read(posix.join(dir, 'cpu.cfs_period_us')));
  return quota > 0 && period > 0 ? quota / period : undefined;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
