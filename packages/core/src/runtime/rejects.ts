// Rows that could not be used: each with the step that refused it, its source and line, and why.
// Counted against the spec's threshold (`rejects.max`: a count or a percentage of rows read).
import type { Row } from '../connector/connector.js';
import type { RowSchema } from '../expr/row-schema.js';
import { T } from '../expr/types.js';

/**
 * Why a row was refused, in the terms an import log uses: a line that could not be read, a row a
 * required lookup found no match for, a second row with a key already seen, a row that broke a
 * rule or a type, or a record the destination refused (or would refuse) to take.
 */
export type RejectKind = 'unreadable' | 'unmatched' | 'duplicate' | 'invalid' | 'refused';

export interface Reject {
  step: string;
  source: string;
  line: number;
  kind: RejectKind;
  reason: string;
  /** The row as the step saw it, as JSON (or the raw text of an unreadable line). */
  data: string;
}

export const REJECT_SCHEMA: RowSchema = [
  { name: 'step', type: T.string },
  { name: 'source', type: T.string },
  { name: 'line', type: T.int },
  { name: 'kind', type: T.string },
  { name: 'reason', type: T.string },
  { name: 'data', type: T.string },
];

/** The threshold as written (`10`, `"2%"`), read into a test over (rejected, read). */
export function threshold(max: number | string | undefined): { exceeded(rejected: number, read: number, final: boolean): boolean; text: string } | undefined {
  if (max === undefined) return undefined;
  if (typeof max === 'number') return { exceeded: (r) => r > max, text: `${max} row(s)` };
  const pct = Number(max.replace('%', ''));
  // A percentage is only meaningful once every row has been read. 100% allows every row to be
  // refused, whatever was counted (a row refused by two outputs counts twice).
  return { exceeded: (r, n, final) => final && pct < 100 && r > (pct / 100) * n, text: `${pct}% of rows read` };
}

export function rejectData(data: Row | string | undefined): string {
  if (data === undefined) return '';
  if (typeof data === 'string') return data;
  return JSON.stringify(data, (_k, v: unknown) => (v === undefined ? null : v));
}

export function rejectRow(r: Reject): Row {
  return { step: r.step, source: r.source, line: r.line, kind: r.kind, reason: r.reason, data: r.data };
}
