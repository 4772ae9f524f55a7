// What both stores share: a run's row as the tables hold it, its record, run ids and packed snapshots.
import { randomBytes } from 'node:crypto';
import type { GuardReport, HeldOutput, OutputSnapshot, RunRecord, RunStatus, RunTotals, SnapshotChunk } from './history-store.js';
import { legacySnapshot } from './legacy-snapshot.js';

export interface RunRow {
  id: string;
  spec: string;
  file: string;
  plan_hash: string;
  params: string;
  trigger: RunRecord['trigger'];
  approves: string | null;
  started_at: string;
  duration_ms: number | null;
  status: RunStatus;
  report: string | null;
  error: string | null;
  guard: string | null;
  decision: string | null;
  pid: number | null;
  host: string | null;
  job: string | null;
  requested_by: string | null;
}

/** Sortable by start time, readable, unique: `20261129-231502-3fa9c1`. */
export function runId(startedAt: string): string {
  return `${startedAt.slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
}

export function fromRow(r: RunRow): RunRecord {
  return {
    id: r.id,
    spec: r.spec,
    file: r.file,
    planHash: r.plan_hash,
    params: JSON.parse(r.params),
    trigger: r.trigger,
    ...(r.approves ? { approves: r.approves } : {}),
    startedAt: r.started_at,
    status: r.status,
    ...(r.duration_ms !== null ? { durationMs: r.duration_ms } : {}),
    ...(r.report ? { report: JSON.parse(r.report) } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.guard ? { guard: JSON.parse(r.guard) as GuardReport } : {}),
    ...(r.decision ? { decision: JSON.parse(r.decision) } : {}),
    ...(r.pid !== null ? { pid: r.pid } : {}),
    ...(r.host ? { host: r.host } : {}),
    ...(r.job ? { job: r.job } : {}),
    ...(r.requested_by ? { requestedBy: r.requested_by } : {}),
  };
}

/**
 * A held output as both stores keep it: connection and stage as JSON; its snapshot in chunks of
 * the held run (`snapshot_key`, the key columns), or, held before chunked snapshots, packed whole.
 */
export interface HeldRow {
  output: string;
  use: string;
  connection: string;
  stage: string;
  snapshot: Buffer | null;
  snapshot_key: string | null;
}

/** `chunked` reads the chunks a run keeps for an output. */
export function heldFromRow(h: HeldRow, runId: string, chunked: (runId: string, output: string, key: string[]) => OutputSnapshot): HeldOutput {
  const snapshot = h.snapshot_key ? chunked(runId, h.output, JSON.parse(h.snapshot_key) as string[]) : h.snapshot ? legacySnapshot(h.snapshot) : undefined;
  return { output: h.output, use: h.use, connection: JSON.parse(h.connection), stage: JSON.parse(h.stage), ...(snapshot ? { snapshot } : {}) };
}

/** Chunks read at once when a comparison reads a snapshot's keys and digests. */
export const SNAPSHOT_PAGE = 16;

/**
 * A snapshot kept in chunks, as both stores read it: keys and digests a page of chunks at a time
 * (`page(from)`: up to SNAPSHOT_PAGE chunks from position `from`, data left out; no statement or
 * cursor stays open between pages), whole chunks one at a time.
 */
export function chunkedSnapshot(s: {
  runId: string;
  key: string[];
  rows: number;
  page(from: number): Promise<(SnapshotChunk & { seq: number })[]>;
  one(seq: number): Promise<SnapshotChunk | undefined>;
}): OutputSnapshot {
  return {
    runId: s.runId,
    key: s.key,
    rows: s.rows,
    async *index() {
      for (let from = 0; ; ) {
        const chunks = await s.page(from);
        yield* chunks;
        if (chunks.length < SNAPSHOT_PAGE) return;
        from = chunks[chunks.length - 1]!.seq + 1;
      }
    },
    async *chunks(seqs) {
      for (const seq of seqs) {
        const chunk = await s.one(seq);
        if (chunk) yield { seq, chunk };
      }
    },
  };
}

/** A fleet job whose run ended so is done: delivered again, it is not run again. */

export const JOB_DONE: readonly RunStatus[] = ['ok', 'held', 'approved', 'discarded'];

/** How a store's SQL says what `totalsSql` needs. */
export interface TotalsDialect {
  /** The runs table (and its WHERE, for a tenant). */
  from: string;
  /** The placeholder of the i-th bucket bound. */
  param(i: number): string;
  /** How many held outputs a held run of the row `runs` has. */
  heldOutputs: string;
  /** When the run of the row ended, in whole ms since 1970. */
  endMs: string;
}

/** The aggregate query behind `HistoryStore.totals`: one row per spec and status. */
export function totalsSql(bucketsMs: readonly number[], d: TotalsDialect): string {
  const moved = (column: string) => `coalesce(sum(CASE WHEN trigger <> 'approve' THEN ${column} END), 0) AS ${column}`;
  return `SELECT spec, status, count(*) AS runs, count(duration_ms) AS timed, coalesce(sum(duration_ms), 0) AS duration_ms,
    ${bucketsMs.map((_, i) => `count(CASE WHEN duration_ms <= ${d.param(i)} THEN 1 END) AS b${i},`).join(' ')}
    ${moved('rows_read')}, ${moved('rows_written')}, ${moved('rejects')},
    coalesce(sum(CASE WHEN status = 'held' THEN ${d.heldOutputs} END), 0) AS held_outputs,
    max(${d.endMs}) AS last_end_ms
  FROM ${d.from} GROUP BY spec, status`;
}

export interface TotalsRow {
  spec: string;
  status: RunStatus;
  /** Counts and sums (PostgreSQL returns its bigints and numerics as strings). */
  [column: string]: string | number | null;
}

export function totalsFromRows(rows: TotalsRow[], bucketsMs: readonly number[]): RunTotals[] {
  return rows
    .map((r) => ({
      spec: r.spec,
      status: r.status,
      runs: Number(r.runs),
      timed: Number(r.timed),
      durationMs: Number(r.duration_ms),
      buckets: bucketsMs.map((_, i) => Number(r[`b${i}`])),
      rowsRead: Number(r.rows_read),
      rowsWritten: Number(r.rows_written),
      rejects: Number(r.rejects),
      heldOutputs: Number(r.held_outputs),
      ...(r.last_end_ms !== null ? { lastEndMs: Number(r.last_end_ms) } : {}),
    }))
    .sort((a, b) => (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
}
