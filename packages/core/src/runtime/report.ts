// What a run did: rows per step, files written, rejects, warnings, and how long it took.
import type { Row, SinkResult, WrittenFile } from '../connector/connector.js';
import type { Reject, RejectKind } from './rejects.js';
import type { StepCounts } from './step-runner.js';
import type { HeldReport } from './held.js';

export interface RunReport {
  name: string;
  planHash: string;
  ok: boolean;
  dryRun: boolean;
  /** When the run started (UTC, ISO 8601). */
  startedAt: string;
  /** Why the run failed (secret values redacted). */
  error?: string;
  cancelled?: boolean;
  durationMs: number;
  /** Rows read from each source, rejected there, and dropped by its `where` where sisflow (not the database) applied it. */
  sources: Record<string, { rows: number; rejected: number; filtered?: number }>;
  steps: Record<string, StepCounts>;
  outputs: Record<string, { rows: number; files: WrittenFile[]; committed: boolean; changes?: SinkResult['changes']; sample?: Row[] }>;
  /** Rejected rows: how many, by source and kind (for import logs), a sample, and the rejects file. */
  rejects: { count: number; bySource: Record<string, Partial<Record<RejectKind, number>>>; sample: Reject[]; files: WrittenFile[] };
  warnings: string[];
  /**
   * Per table import, the slices left as they were because a row of theirs was refused (or the
   * whole output, with the first cause), each with why. Empty when nothing was held.
   */
  held: Record<string, HeldReport>;
  /** Events connectors counted (retries, reconnects). */
  events: Record<string, number>;
  /** Notifications the spec asked for: sent, skipped (dry or cancelled run) or failed. */
  notifications: Record<string, { sent: boolean; to: string; skipped?: string; error?: string }>;
}
