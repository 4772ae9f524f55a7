// The reading worker's entry (worker-source.ts starts it; the packed CLI bundles it as an entry of
// its own): reads the job's rows with the in-thread reader's code, sends them in batches
// (row-batch.ts), at most READ_AHEAD ahead of the consumer, and sends the reader's context calls
// and errors for the main thread to replay.
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { RunContext } from '@sisflow/core';
import { openSourceDatabase } from '../sqlite/load.js';
import { BatchEncoder, transferList } from './row-batch.js';
import { READ_AHEAD, type ContextCall, type CsvJob, type SourceJob, type SqliteJob, type WorkerError, type WorkerMessage } from './source-job.js';

const port = parentPort!;
let credits = READ_AHEAD;
let wake: (() => void) | undefined;
port.on('message', () => {
  credits++;
  wake?.();
});

let calls: ContextCall[] = [];
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => {
  port.postMessage(m, transfer);
  calls = [];
};

/** Sends a batch, then waits while the consumer is READ_AHEAD batches behind. */
async function send(encoder: BatchEncoder, lines?: number[]): Promise<void> {
  const batch = encoder.take();
  const transfer = transferList(batch);
  if (lines) {
    const l = Float64Array.from(lines);
    transfer.push(l.buffer as ArrayBuffer);
    post({ type: 'batch', calls, batch, lines: l }, transfer);
  } else post({ type: 'batch', calls, batch }, transfer);
  credits--;
  while (credits <= 0) await new Promise<void>((r) => (wake = r));
  wake = undefined;
}

async function readSqliteJob(job: SqliteJob): Promise<void> {
  const db = openSourceDatabase(job.file);
  try {
    const stmt = db.prepare(job.sql).raw(true);
    const encoder = new BatchEncoder(job.batchSize * stmt.columns().length);
    const bools = job.bools;
    for (const values of stmt.iterate(job.params) as Iterable<unknown[]>) {
      for (const i of bools) values[i] = values[i] === null ? null : values[i] === 1;
      encoder.add(values);
      if (encoder.rows >= job.batchSize) await send(encoder);
    }
    if (encoder.rows > 0) await send(encoder);
  } finally {
    db.close();
  }
}

async function readCsvJob(job: CsvJob): Promise<void> {
  // Loaded for CSV only, and only the reading part of core (@sisflow/core/reading): a SQLite
  // worker never loads core, a CSV worker not the rest of it.
  const { readCsv, CsvFileError } = await import('../csv/csv-reader.js');
  isCsvFileError = (e) => e instanceof CsvFileError;
  // The context the reader calls: everything it says is replayed in the main thread, in order.
  const ctx = {
    signal: new AbortController().signal,
    baseDir: '',
    startedAt: '',
    warn: (text: string) => void calls.push({ call: 'warn', text }),
    log: (text: string) => void calls.push({ call: 'log', text }),
    absent: (text: string) => void calls.push({ call: 'absent', text }),
    reject: (reject: Parameters<RunContext['reject']>[0]) => void calls.push({ call: 'reject', reject }),
    count: (event: string, n?: number) => void calls.push({ call: 'count', event, ...(n !== undefined ? { n } : {}) }),
    afterSuccess: () => {
      throw new Error('a reading worker cannot schedule work after the run');
    },
  } satisfies RunContext;
  const stream = createReadStream(job.path, { highWaterMark: 256 * 1024 });
  const encoder = new BatchEncoder(job.batchSize * job.keys.length);
  const keys = job.keys;
  const values: unknown[] = new Array(keys.length);
  try {
    for await (const { rows, lines } of readCsv(stream, job.options, ctx, job.batchSize, job.label)) {
      for (const row of rows) {
        for (let i = 0; i < keys.length; i++) values[i] = row[keys[i]!];
        encoder.add(values);
      }
      await send(encoder, lines);
    }
  } finally {
    stream.destroy();
  }
}

/** Whether an error is a CsvFileError (csv-header.ts), which a SQLite worker never loads. */
let isCsvFileError = (_: Error) => false;

function describe(e: unknown): WorkerError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), props: {}, csvFile: false };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k] = v;
  return { name: e.name, message: e.message, props, csvFile: isCsvFileError(e) };
}

const job = workerData as SourceJob;
try {
  await (job.kind === 'sqlite' ? readSqliteJob(job) : readCsvJob(job));
  post({ type: 'done', calls });
} catch (e) {
  post({ type: 'error', calls, error: describe(e) });
}
port.close();
