// What both stores share: a run's row as the tables hold it, its record, run ids and packed snapshots.
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Row } from '@sisflow/core';
import type { GuardReport, HeldOutput, OutputSnapshot, RunRecord, RunStatus } from './history-store.js';

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
  };
}

export function packSnapshot(s: OutputSnapshot): Buffer {
  return gzipSync(JSON.stringify({ runId: s.runId, key: s.key, rows: [...s.rows] }));
}

export function unpackSnapshot(data: Buffer): OutputSnapshot {
  const v = JSON.parse(gunzipSync(data).toString('utf8')) as { runId: string; key: string[]; rows: [string, Row][] };
  return { runId: v.runId, key: v.key, rows: new Map(v.rows) };
}

/** A fleet job whose run ended so is done: delivered again, it is not run again. */
/** A held output as both stores keep it: connection and stage as JSON, the snapshot packed. */
export interface HeldRow {
  output: string;
  use: string;
  connection: string;
  stage: string;
  snapshot: Buffer | null;
}

export function heldFromRow(h: HeldRow): HeldOutput {
  return { output: h.output, use: h.use, connection: JSON.parse(h.connection), stage: JSON.parse(h.stage), ...(h.snapshot ? { snapshot: unpackSnapshot(h.snapshot) } : {}) };
}

export const JOB_DONE: readonly RunStatus[] = ['ok', 'held', 'approved', 'discarded'];
