// Slices held whole. A row refused anywhere on the way to a table import (an unreadable line, an
// unmatched lookup, a broken rule, a duplicate, a value its column cannot take) travels on as a
// *held row* beside the good ones, through the same steps, so the import learns which slice
// (`delete_missing: { within }`, `number: { within }`) it belonged to and leaves that slice as it
// was. What cannot be known about a held row (cells of an unreadable line) stays unknown; a slice
// that depends on an unknown value holds the whole import.
import type { HeldSlices, Row } from '../connector/connector.js';
import { lookupKey } from './step-runner.js';

export interface HeldRow {
  /** The row as far as it is known, in the shape of the node it is at. */
  row: Row;
  /** Columns of `row` whose values are not known, or 'all' when nothing can be said about it. */
  unknown: ReadonlySet<string> | 'all';
  source: string;
  line: number;
  /** Why the row was refused (the reject's reason). */
  reason: string;
  /**
   * Read from a line that could not be read whole: even its known cells are a best reading (a
   * line cut short is assumed to have lost its end), so a slice they do not name is no proof
   * that it belongs to none.
   */
  partial?: true;
}

export const NOTHING_UNKNOWN: ReadonlySet<string> = new Set();

/**
 * A refused source line as a held row: the cells that could be read are known, the others not;
 * with no cells at all (a line that did not parse) nothing is known.
 */
export function heldFromSource(columns: readonly string[], fields: Row | undefined, whole: Row | undefined, source: string, line: number, reason: string): HeldRow {
  if (whole) return { row: whole, unknown: NOTHING_UNKNOWN, source, line, reason };
  if (!fields) return { row: {}, unknown: 'all', source, line, reason };
  const row: Row = {};
  const unknown = new Set<string>();
  for (const c of columns) {
    if (fields[c] === undefined) unknown.add(c);
    row[c] = fields[c] ?? null;
  }
  return { row, unknown, source, line, reason, partial: true };
}

/** What the run report says about an import's held slices. */
export interface HeldReport {
  /** Why the whole output was held (its first cause), when it was. */
  all?: string;
  slices: { slice: Row; reasons: string[] }[];
}

/** The held slices of one table import, gathered from the held rows that reach it. */
export class HeldCollector {
  private all: string | undefined;
  private readonly slices = new Map<unknown, { slice: Row; reasons: string[] }>();

  constructor(readonly slice: readonly string[]) {}

  add(h: HeldRow): void {
    const cause = `${h.source} line ${h.line}: ${h.reason}`;
    const unknown = h.unknown === 'all' || this.slice.length === 0 || this.slice.some((c) => (h.unknown as ReadonlySet<string>).has(c));
    if (unknown) {
      this.all ??= this.slice.length === 0 ? cause : `${cause} (which ${this.slice.join(', ')} it belongs to cannot be known)`;
      return;
    }
    const values = this.slice.map((c) => h.row[c]);
    // A slice value that is null names no row of the destination (key columns are never null):
    // a whole row that names none belongs to none. A partly read one may have been misread (a
    // cell missing before its key shifts the rest), so it holds everything.
    if (values.some((v) => v === null || v === undefined)) {
      if (h.partial) this.all ??= `${cause} (which ${this.slice.join(', ')} it belongs to cannot be known)`;
      return;
    }
    const key = lookupKey(values);
    const entry = this.slices.get(key) ?? this.slices.set(key, { slice: Object.fromEntries(this.slice.map((c, i) => [c, values[i]])), reasons: [] }).get(key)!;
    if (!entry.reasons.includes(cause)) entry.reasons.push(cause);
  }

  get empty(): boolean {
    return this.all === undefined && this.slices.size === 0;
  }

  /** For the sink. */
  held(): HeldSlices {
    return { all: this.all !== undefined, slices: this.all !== undefined ? [] : [...this.slices.values()].map((s) => s.slice) };
  }

  /** For the report: slices in a stable order (by their values). */
  report(): HeldReport {
    if (this.all !== undefined) return { all: this.all, slices: [] };
    const slices = [...this.slices.entries()].sort(([a], [b]) => compare(a, b)).map(([, s]) => s);
    return { slices };
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
