// Reads a source in a worker thread, so that reading (SQLite building values, CSV decoding, parsing
// and typing cells) runs on the second core while the main thread maps and writes. The rows, their
// order and types, the reject lines and reasons, warnings and errors are those of the in-thread
// reader: the worker runs the same code and its context calls are replayed here, in order.
// SISFLOW_READ_WORKER=auto, the default, reads sources of WORKER_MIN_BYTES or more in a worker
// where a second CPU is there to run it (usable-cpus.ts); =on any source (tests); =off none.
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunContext, SourceBatch } from '@sisflow/core';
import { CsvFileError } from '../csv/csv-header.js';
import { batchDecoder } from './row-batch.js';
import { usableCpus } from './usable-cpus.js';
import type { ContextCall, SourceJob, WorkerError, WorkerMessage } from './source-job.js';

/**
 * Inputs smaller than this are read in the main thread: a worker costs about 30 ms to start (in
 * the packed CLI, measured), which reading 4 MB of CSV or SQLite in the main thread also costs.
 */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/**
 * `auto`: measured on the Destiny run over 1,000,000 rows, the worker takes a third of the main
 * thread's CPU time away and cuts the wall time by about 30 % where a second core is free
 * (SQLite: 13.5 -> 9.4-9.8 s at load 1.4), for a fixed 12-17 MB more peak RSS with SQLite
 * (156-161 MB) and 16-26 MB with CSV (164-173 MB): the worker's own heap and Node environment,
 * not a cost per row.
 */
const DEFAULT_MODE = 'auto';

let cpus: number | undefined;

/** Whether to read an input of this many bytes in a worker (SISFLOW_READ_WORKER: off, on, auto). */
export function readInWorker(bytes: number): boolean {
  const mode = (process.env.SISFLOW_READ_WORKER || DEFAULT_MODE).toLowerCase();
  if (mode === 'off' || mode === '0' || mode === 'false') return false;
  // A program that bundled these modules without the worker's entry reads in its own thread.
  if (!existsSync(workerEntry())) return false;
  if (mode === 'on' || mode === '1' || mode === 'true') return true;
  // One CPU (a container's quota included): the two threads would only take turns.
  return bytes >= WORKER_MIN_BYTES && (cpus ??= usableCpus()) >= 2;
}

/**
 * The worker's entry file: beside this module, with its extension (.ts from the sources, .js from
 * the build); beside the packed CLI's CommonJS bundle (cli.cjs), an ES module of its own (.mjs).
 */
function workerEntry(): URL {
  const ext = extname(fileURLToPath(import.meta.url));
  return new URL(`./source-worker-entry${ext === '.cjs' ? '.mjs' : ext}`, import.meta.url);
}

/** The rows `job` reads, with `keys` in that order, read in a worker thread. */
export async function* workerSource(job: SourceJob, keys: readonly string[], ctx: RunContext): AsyncIterable<SourceBatch> {
  const decode = batchDecoder(keys);
  const worker = startWorker(job);
  const inbox: (WorkerMessage | { type: 'crash'; error: Error } | { type: 'exit' })[] = [];
  let wake: (() => void) | undefined;
  const put = (m: (typeof inbox)[number]) => {
    inbox.push(m);
    wake?.();
  };
  worker.on('message', (m: WorkerMessage) => put(m));
  worker.on('error', (error: Error) => put({ type: 'crash', error }));
  worker.on('exit', () => put({ type: 'exit' }));
  const stop = () => void worker.terminate();
  ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const m = inbox.shift()!;
      if (m.type === 'crash') throw m.error;
      if (m.type === 'exit') {
        if (ctx.signal.aborted) return;
        throw new Error(`${job.kind === 'csv' ? job.label : 'the SQLite source'}: its reading thread stopped unexpectedly`);
      }
      replay(m.calls, ctx);
      if (m.type === 'error') throw rebuild(m.error);
      if (m.type === 'done') return;
      const rows = decode(m.batch);
      // While the consumer holds the batch, the worker alone must not keep the process alive (a
      // consumer may stop iterating without returning); it reads ahead up to READ_AHEAD batches.
      worker.unref();
      yield m.lines ? { rows, lines: Array.from(m.lines) } : { rows };
      worker.ref();
      worker.postMessage(1);
      if (ctx.signal.aborted) return;
    }
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    await worker.terminate();
  }
}

function startWorker(job: SourceJob): Worker {
  const entry = workerEntry();
  // The values the worker reads live only until their batch is sent. SQLite's rows leave almost
  // nothing alive at a scavenge (27 KB measured): 1 MB semi-spaces, scavenged often and cheaply
  // while the worker waits on the main thread anyway (2 MB cost 1-2 MB of peak RSS). The CSV reader holds a batch of
  // parsed rows while it fills the next: with less than 8 MB semi-spaces most of each batch was
  // promoted and collected again in full collections (2 s more CPU over 1 M rows, for 15 MB of
  // RSS). A young generation is three semi-spaces' worth (two, and as much for large objects).
  const resourceLimits = { maxYoungGenerationSizeMb: job.kind === 'csv' ? 24 : 3 };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: job, resourceLimits });
  // Run from the TypeScript sources (tests): the worker registers the same loader first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: job, resourceLimits });
}

function replay(calls: ContextCall[], ctx: RunContext): void {
  for (const c of calls) {
    if (c.call === 'reject') ctx.reject(c.reject);
    else if (c.call === 'count') ctx.count(c.event, c.n);
    else if (c.call === 'warn') ctx.warn(c.text);
    else if (c.call === 'log') ctx.log(c.text);
    else ctx.absent?.(c.text);
  }
}

/** The error the in-thread reader would have thrown: same class where it matters, message, code. */
function rebuild(e: WorkerError): Error {
  const error = e.csvFile ? new CsvFileError(e.message) : new Error(e.message);
  if (!e.csvFile && e.name !== 'Error') Object.defineProperty(error, 'name', { value: e.name, configurable: true, writable: true });
  return Object.assign(error, e.props);
}
