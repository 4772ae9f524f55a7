// What a reading worker is asked to do, and what it answers: plain data, as it crosses threads.
import type { CsvReadOptions } from '../csv/csv-settings.js';
import type { EncodedBatch } from './row-batch.js';

export type SourceJob = SqliteJob | CsvJob;

export interface SqliteJob {
  kind: 'sqlite';
  file: string;
  sql: string;
  params: Record<string, unknown>;
  /** Positions of the boolean columns (stored as 0/1). */
  bools: number[];
  batchSize: number;
}

export interface CsvJob {
  kind: 'csv';
  path: string;
  /** The source's settings as the main thread read them (csvReadOptions): plain data. */
  options: CsvReadOptions;
  label: string;
  batchSize: number;
  /** The keys of every row read, in order. */
  keys: string[];
}

/** A call the reader made on the run context, replayed on the main thread in the same order. */
export type ContextCall = { call: 'warn' | 'log' | 'absent'; text: string } | { call: 'reject'; reject: Parameters<import('@sisflow/core').RunContext['reject']>[0] } | { call: 'count'; event: string; n?: number };

export interface WorkerError {
  name: string;
  message: string;
  /** Own properties of primitive value (code, errno, path…). */
  props: Record<string, unknown>;
  /** A CsvFileError (a problem with the whole file). */
  csvFile: boolean;
}

/** Worker → main. Context calls come before the batch they preceded. */
export type WorkerMessage =
  | { type: 'batch'; calls: ContextCall[]; batch: EncodedBatch; lines?: Float64Array }
  | { type: 'done'; calls: ContextCall[] }
  | { type: 'error'; calls: ContextCall[]; error: WorkerError };

/** Batches a worker may read ahead of the consumer: bounded memory, and enough to keep both threads busy. */
export const READ_AHEAD = 3;
