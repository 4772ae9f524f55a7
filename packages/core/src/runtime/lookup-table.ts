// A lookup side held in memory for a step's hash join: each key with the columns the step reads
// (`alias.column`), in little memory. A side of 200,000 students read for 1.6 M section
// enrollments held a Map entry, a JSON key text and a row object per student (about 130 bytes);
// here a key costs a slot of a KeyIndex (key-index.ts) and each kept column a place in an array.
// Keys of two whole numbers (Aeries keys: school and student, school and section) are packed into
// one number, so they live in its table of numbers instead of as texts.
import type { Row } from '../connector/connector.js';
import { KeyIndex } from './key-index.js';

/** Two whole numbers pack into one safe integer while the first is below 2^21 and the second below 2^32. */
const FIRST_LIMIT = 2 ** 21;
const SECOND_LIMIT = 2 ** 32;

/**
 * The key a row is filed under for the values of the key columns: one column's value as it is;
 * two non-negative whole numbers packed into one number (exactly when both fit, so two different
 * pairs never share one); otherwise the JSON of the values. Filing and finding use this same
 * function, so a packed key and a JSON key of a table with the same columns never meet.
 */
export function tableKey(values: readonly unknown[]): unknown {
  if (values.length === 1) return values[0];
  if (values.length === 2) {
    const [a, b] = values;
    if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < FIRST_LIMIT && b < SECOND_LIMIT) return a * SECOND_LIMIT + b;
  }
  return JSON.stringify(values);
}

export class LookupTable {
  private readonly index = new KeyIndex();
  /** Each kept column's values, by the row's place in the table. */
  private readonly values: unknown[][];

  /** `columns`: the columns a found row has (those its consumers read). */
  constructor(private readonly columns: readonly string[]) {
    this.values = columns.map(() => []);
  }

  get size(): number {
    return this.values[0]?.length ?? this.index.size;
  }

  /** Files `row` under `key`; a key filed before keeps its first row (returns false). */
  add(key: unknown, row: Row): boolean {
    if (this.index.get(key) !== undefined) return false;
    this.index.set(key, this.index.size);
    for (let c = 0; c < this.columns.length; c++) this.values[c]!.push(row[this.columns[c]!]);
    return true;
  }

  /** The row filed under `key`: a new object with the kept columns, or undefined. */
  get(key: unknown): Row | undefined {
    const at = this.index.get(key);
    if (at === undefined) return undefined;
    const row: Row = {};
    for (let c = 0; c < this.columns.length; c++) row[this.columns[c]!] = this.values[c]![at];
    return row;
  }
}
