// The run history: one interface for every caller (run, serve, approve, discard, history, show) so
// that a second store (PostgreSQL for a fleet) can be added without touching them. Every method is
// async because the next store is a network database.
import type { HeldStage, Row, RunReport } from '@sisflow/core';
import type { SnapshotChunk } from './snapshot-chunks.js';

export type { SnapshotChunk } from './snapshot-chunks.js';

export type RunStatus = 'running' | 'ok' | 'failed' | 'cancelled' | 'held' | 'approved' | 'discarded';
export type RunTrigger = 'manual' | 'schedule' | 'catch_up' | 'retry' | 'approve';

export interface RunStart {
  spec: string;
  /** The spec file (or plan file) the run came from, as given. */
  file: string;
  planHash: string;
  params: Record<string, unknown>;
  trigger: RunTrigger;
  /** When the run started (UTC, ISO 8601). */
  startedAt: string;
  /** The run this one approves (trigger 'approve'). */
  approves?: string;
  /**
   * The fleet job this run carries out (its key in the queue): a job delivered twice, or run again
   * after its worker died, is recognised by it and never published twice.
   */
  job?: string;
  /** Who asked for this run: the person behind a "run now" or an approve (absent: the schedule, or not known). */
  requestedBy?: string;
}

export interface RunRecord extends RunStart {
  id: string;
  status: RunStatus;
  durationMs?: number;
  /** The redacted run report (counts per source/step/output, files with sha256, changes, rejects, warnings). */
  report?: RunReport;
  /** Redacted. */
  error?: string;
  /** What the guard saw, for a held run (and for any run of a guarded spec). */
  guard?: GuardReport;
  /** Who approved or discarded a held run, and when. */
  decision?: { by: string; at: string; run?: string };
  pid?: number;
  host?: string;
}

/** What a guard judged for one output: counts against the last published output, and samples. */
export interface GuardOutcome {
  output: string;
  rows: number;
  /** Rows of the last published output (absent: nothing was published before). */
  previous?: number;
  removed: number;
  added: number;
  changed: number;
  /** The limits passed, in words ("12 removed, more than max_removed 10%"). */
  breaches: string[];
  sample: { removed: Row[]; added: Row[]; changed: { before: Row; after: Row }[] };
}

export interface GuardReport {
  held: boolean;
  outputs: GuardOutcome[];
}

/**
 * A guarded output's rows as last published (or as a held run would publish them): what the next
 * run is judged against, read chunk by chunk so that no reader holds every row.
 */
export interface OutputSnapshot {
  runId: string;
  /** The key columns the snapshot was made with. */
  key: string[];
  /** Rows kept (as the run streamed them: a key that came twice is there twice). */
  rows: number;
  /** Each chunk's keys and digests, in order (its `data` may be left empty): what a comparison needs. */
  index(): AsyncIterable<SnapshotChunk>;
  /** The chunks at these positions (0-based, ascending), whole: the rows a report shows. */
  chunks(seqs: readonly number[]): AsyncIterable<{ seq: number; chunk: SnapshotChunk }>;
}

/** A snapshot a run has just written (to a spool file), for a store to keep: its chunks, read one at a time. */
export interface SnapshotRows {
  runId: string;
  key: string[];
  chunks(): Iterable<SnapshotChunk>;
}

export interface HeldOutput {
  output: string;
  /** The connector (`use:`) that staged it and can publish it. */
  use: string;
  /** The output's connection settings as the plan has them (`${secret:…}` references unresolved). */
  connection: Record<string, unknown>;
  stage: HeldStage;
  /** The snapshot the output becomes once published. */
  snapshot?: OutputSnapshot;
}

/** A held output as a run hands it to the store: its snapshot as the run wrote it. */
export type HeldOutputWrite = Omit<HeldOutput, 'snapshot'> & { snapshot?: SnapshotRows };

export interface RunQuery {
  spec?: string;
  status?: RunStatus;
  /** The runs of one fleet job. */
  job?: string;
  limit?: number;
}

/**
 * What one spec's runs of one status add up to, summed by the store (an aggregate query, never by
 * loading every run): what `/metrics` exports.
 */
export interface RunTotals {
  spec: string;
  status: RunStatus;
  runs: number;
  /** Runs with a duration (every finished run). */
  timed: number;
  /** The durations of the timed runs, added up. */
  durationMs: number;
  /** For each bound given to `totals()`, in order: how many timed runs took at most that long. */
  buckets: number[];
  /** Rows read, rows written, rows rejected by runs that moved data (approve runs repeat their held run's report: not counted). */
  rowsRead: number;
  rowsWritten: number;
  rejects: number;
  /** Outputs staged by held runs (0 for other statuses). */
  heldOutputs: number;
  /** When the last timed run ended (ms since 1970). */
  lastEndMs?: number;
}

export interface HistoryStore {
  /**
   * Records a run as running, unless a run of the same spec is running: then it returns that run
   * instead (a run whose process is gone is marked failed first, so a dead process keeps no lock;
   * the PostgreSQL store knows this across machines: the lock is a session lock of the run's connection).
   */
  /**
   * A run of a fleet job (`job` given) that already ended ok, held, approved or discarded is returned
   * as busy too, so a job delivered twice is never run (and published) twice.
   */
  begin(run: RunStart): Promise<{ run: RunRecord; busy?: undefined } | { run?: undefined; busy: RunRecord }>;
  /** Ends a running run: its status, duration, report, error, guard; the held stages of a held run; the snapshots a published run leaves. */
  finish(id: string, end: { status: Exclude<RunStatus, 'running'>; durationMs: number; report?: RunReport; error?: string; guard?: GuardReport; held?: HeldOutputWrite[]; snapshots?: Map<string, SnapshotRows> }): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  list(query?: RunQuery): Promise<RunRecord[]>;
  /** The newest run of a spec with this status (the last ok run, for the zero-row alert). */
  last(spec: string, status: RunStatus): Promise<RunRecord | undefined>;
  held(id: string): Promise<HeldOutput[]>;
  /** Marks a held run approved or discarded; false when it is no longer held (a second approve). */
  decide(id: string, decision: { status: 'approved' | 'discarded'; by: string; at: string; run?: string }): Promise<boolean>;
  /** The snapshot a guarded output is judged against (chunks are read when asked for). */
  snapshot(spec: string, output: string): Promise<OutputSnapshot | undefined>;
  /** Per spec and status, every run the store keeps, summed; `bucketsMs` are the duration histogram's upper bounds. Sorted by spec, then status. */
  totals(bucketsMs: readonly number[]): Promise<RunTotals[]>;
  /** Forgets finished runs that started before this instant (held runs are kept); returns how many. */
  prune(before: string): Promise<number>;
  close(): Promise<void>;
}
