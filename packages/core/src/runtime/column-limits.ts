// What a destination column accepts, checked for every value before a table import stages it, so
// an over-long or mistyped value is refused with its column named on every database alike
// (SQLite would store it, SQL Server would fail the whole import or truncate).
import type { ColumnLimit, Row } from '../connector/connector.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Why the row does not fit the destination (the first column that does not), or undefined. */
export function columnProblem(limits: readonly ColumnLimit[], row: Row): string | undefined {
  for (const c of limits) {
    if (!(c.name in row)) continue;
    const why = valueProblem(c, row[c.name]);
    if (why) return `${c.name}: ${why} (the destination column is ${c.declared}${c.nullable && !c.key ? '' : ' NOT NULL'})`;
  }
  return undefined;
}

function valueProblem(c: ColumnLimit, v: unknown): string | undefined {
  if (v === null || v === undefined) {
    if (c.key) return 'a key column has no value';
    return c.nullable ? undefined : 'no value, and the column requires one';
  }
  switch (c.kind) {
    case 'string': {
      if (typeof v !== 'string') return `${show(v)} is not text`;
      // UTF-16 units are never fewer than characters: count characters only when it matters.
      if (c.maxLength === undefined || v.length <= c.maxLength) return undefined;
      const n = [...v].length;
      return n > c.maxLength ? `${n} characters long, at most ${c.maxLength} fit` : undefined;
    }
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return `${show(v)} is not a whole number`;
      if ((c.min !== undefined && v < c.min) || (c.max !== undefined && v > c.max)) return `${v} is outside ${c.min} to ${c.max}`;
      return undefined;
    case 'decimal':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : `${show(v)} is not a number`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : `${show(v)} is not true or false`;
    case 'date':
      return typeof v === 'string' && validDate(v) ? undefined : `${show(v)} is not a date (YYYY-MM-DD)`;
    case 'datetime':
      return typeof v === 'string' && ISO_DATETIME.test(v) && validDate(v.slice(0, 10)) ? undefined : `${show(v)} is not a date and time`;
  }
}

function validDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}
