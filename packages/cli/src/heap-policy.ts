// The `sisflow` command's heap policy. With V8's defaults a streaming run's heap grows to several
// times what it holds: the old generation to about 4× the data a full collection keeps before the
// next one, the young generation to two 16 MB semi-spaces. The Destiny example over 1,000,000 rows
// holds about 20 MB, yet peaked at 214 MB RSS. The command asks V8 for less: the old generation may
// grow by a quarter of what a full collection kept, and the young generation stops growing once it
// is 16 MB (two 8 MB semi-spaces). Measured on that run: 152–155 MB, at about the same CPU time
// (docs/performance.md); a quarter instead of half, 161.5-166.4 -> 159.5-162.9 MB (with the SQLite
// reading worker's young generation at 3 MB), CPU time the same within the noise. Only the executable sets this, never the libraries: a program embedding
// @sisflow/core keeps its own heap policy.
//
// V8 reads these two flags each time it decides, so a running process can set them
// (`--max-semi-space-size` is fixed at start-up; stopping the young generation's growth once it
// reaches the size is the same in effect). SISFLOW_HEAP=default keeps V8's own policy, and a heap
// flag given to node itself (on its command line or in NODE_OPTIONS) wins over this one.
import { createRequire } from 'node:module';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { CHECK_VERBS, verbOf } from './optimizer-deferral.js';

/** The young generation's size (both semi-spaces) where it stops growing. */
export const YOUNG_GENERATION_MAX = 16 * 1024 * 1024;
/** How much the old generation may grow past what the last full collection kept, in per cent. */
export const OLD_GENERATION_GROWTH = 25;
/**
 * The semi-space size, in MB, a worker thread's young generation starts at (its resource limits
 * permitting): the policy stops every isolate's young generation from growing, so a worker would
 * otherwise keep V8's first 1 MB. The CSV reading worker (24 MB of young generation allowed) then
 * collected every 1.8 MB it allocated, promoting most of each batch: 2,900 scavenges and 48 full
 * collections over 1 M rows; at 8 MB, 314 and a few (docs/operations.md, "Memory").
 */
export const WORKER_SEMI_SPACE_MB = 8;

/**
 * The flags this process's policy set, as V8 takes them (empty until applyHeapPolicy sets any).
 * Kept on the process, not in this module: the command's loader and its bundle each hold a copy
 * of this module, and V8's flags are the process's.
 */
const set: string[] = ((globalThis as { [k: symbol]: string[] })[Symbol.for('sisflow.heapPolicyFlags')] ??= []);

/**
 * Runs `fn` with the flags the policy set back at V8's defaults, then sets them again. A V8 code
 * cache records the flags it was made under and the next start, which has not set them yet,
 * refuses a cache made under others (compile-cache.ts makes its cache through this).
 */
export function underV8Defaults<T>(fn: () => T): T {
  if (set.length === 0) return fn();
  const defaults = set.map((f) => f.replace(/=.*$/, `=${V8_DEFAULTS[f.replace(/=.*$/, '')]}`));
  setFlagsFromString(defaults.join(' '));
  try {
    return fn();
  } finally {
    setFlagsFromString(set.join(' '));
  }
}

const V8_DEFAULTS: Record<string, number> = { '--heap-growing-percent': 0, '--semi-space-growth-factor': 2, '--min-semi-space-size': 0 };

function setFlag(flag: string): void {
  setFlagsFromString(flag);
  set.push(flag);
}

export function applyHeapPolicy(env: NodeJS.ProcessEnv = process.env, nodeFlags: string[] = [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)], args: string[] = process.argv.slice(2)): void {
  if (env.SISFLOW_HEAP === 'default') return;
  const given = (name: string) => nodeFlags.some((f) => f.replaceAll('_', '-').startsWith(`--${name}`));
  if (!given('heap-growing-percent')) setFlag(`--heap-growing-percent=${OLD_GENERATION_GROWTH}`);
  // Starting a worker thread (the reading worker) undoes flags set at run time: set this policy's
  // again once it runs (measured: without this, the main thread's young generation grew to V8's own
  // two 16 MB semi-spaces as soon as the reading worker started).
  process.on('worker', (worker) => worker.once('online', () => set.length > 0 && setFlagsFromString(set.join(' '))));
  if (given('max-semi-space-size') || given('semi-space-growth-factor') || given('min-semi-space-size')) return;
  // A checking verb (validate, plan, schema) reads specs, not rows: its young generation never
  // nears the size, and watching collections would load Node's perf_hooks, about 1 % of a cold
  // `sisflow validate` (issue 24).
  const verb = verbOf(args);
  if (verb !== undefined && CHECK_VERBS.has(verb)) return;
  // Read when an isolate is made: this process's own heap is made already, a worker's is not.
  setFlag(`--min-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
  // The young generation grows at scavenges: a look after each collection sees it reach the size
  // before it doubles again (a timer every 25 ms missed a doubling when rows came fast). Watching
  // collections never keeps the process alive; it stops once its work is done.
  // Required here, not imported: the command's starter imports this module, and a checking verb never gets here.
  const { PerformanceObserver } = createRequire(import.meta.url)('node:perf_hooks') as typeof import('node:perf_hooks');
  const watch = new PerformanceObserver(() => {
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (!young || young.space_size < YOUNG_GENERATION_MAX) return;
    setFlag('--semi-space-growth-factor=1');
    watch.disconnect();
  });
  watch.observe({ entryTypes: ['gc'] });
}
