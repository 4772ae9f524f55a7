// Columns picked from JSON records (API answers), and a page of records turned into rows. A
// column is a field (`givenName: string`) or
// a path into the record (`class.sourcedId`); `[]` after a segment walks a list
// (`terms[].sourcedId` gives the list of term ids), and `format` writes each object of a list as
// text (`{{{type}:{identifier}}}` gives `{SIS:1001}`; `{{` and `}}` are literal braces).
import { parseTypeName, RowError, type Row, type RunContext, type SourceBatch } from '@sisflow/core';
import { jsonCell } from './json-cell.js';

export type ColumnSetting = string | { path: string; type: string; format?: string };

export interface RecordColumn {
  name: string;
  type: string;
  /** Picks the column's raw JSON value from a record. */
  pick(record: unknown): unknown;
  /** Turns it into the declared type (throws RowError). */
  convert(value: unknown): unknown;
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[\])?$/;

/** Why a column setting cannot work, or undefined. */
export function columnProblem(setting: ColumnSetting): { message: string; hint: string } | undefined {
  const { path, type, format } = typeof setting === 'string' ? { path: undefined, type: setting, format: undefined } : setting;
  const t = parseTypeName(type);
  if (!t) return { message: `\`${type}\` is not a column type`, hint: 'string, int, decimal, bool, date or datetime (with ? when it may be null), or list<…> of one' };
  if (path === undefined) return t.kind === 'list' ? { message: `a list column needs a \`path\` with [] saying which list`, hint: "write e.g. `{ path: 'grades[]', type: list<string> }`" } : undefined;
  const segments = path.split('.');
  if (segments.some((s) => !SEGMENT.test(s))) return { message: `\`${path}\` is not a path`, hint: 'field names joined by dots, [] after a list: class.sourcedId, terms[].sourcedId' };
  const lists = segments.filter((s) => s.endsWith('[]')).length;
  if (lists > 1) return { message: `\`${path}\` walks more than one list`, hint: 'a column can follow one list' };
  if ((lists === 1) !== (t.kind === 'list')) return lists ? { message: `\`${path}\` gives a list, but the type is ${type}`, hint: `use list<${type.replace('?', '')}>` } : { message: `the type is a list, but \`${path}\` walks no list`, hint: 'mark the list with [] (terms[].sourcedId)' };
  if (format !== undefined && formatter(format) === undefined) return { message: `the format \`${format}\` has an unmatched brace`, hint: 'fields as {name}; literal braces as {{ and }}' };
  if (format !== undefined && (t.kind === 'list' ? t.element!.kind : t.kind) !== 'string') return { message: 'a formatted column must be string or list<string>', hint: `change the type to ${t.kind === 'list' ? 'list<string>' : 'string'}` };
  return undefined;
}

export function recordColumns(columns: Record<string, ColumnSetting>): RecordColumn[] {
  return Object.entries(columns).map(([name, setting]) => {
    const { path, type, format } = typeof setting === 'string' ? { path: name, type: setting, format: undefined } : setting;
    const fmt = format === undefined ? undefined : formatter(format)!;
    return { name, type, pick: picker(path, fmt), convert: jsonCell(type) };
  });
}

function picker(path: string, format: ((o: unknown) => string | null) | undefined): (record: unknown) => unknown {
  const segments = path.split('.');
  const at = segments.findIndex((s) => s.endsWith('[]'));
  const walk = (value: unknown, names: string[]): unknown => {
    let v = value;
    for (const n of names) {
      if (v === null || v === undefined || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[n];
    }
    return v;
  };
  const leaf = format ?? ((v: unknown) => v);
  if (at < 0) return (r) => leaf(walk(r, segments));
  const head = [...segments.slice(0, at), segments[at]!.slice(0, -2)];
  const tail = segments.slice(at + 1);
  return (r) => {
    const list = walk(r, head);
    return Array.isArray(list) ? list.map((item) => leaf(walk(item, tail))) : list;
  };
}

/** `{{{type}:{identifier}}}` → a function writing an object's fields into the text. */
function formatter(format: string): ((o: unknown) => string | null) | undefined {
  const parts: ({ text: string } | { field: string })[] = [];
  let i = 0;
  let text = '';
  while (i < format.length) {
    const c = format[i]!;
    if ((c === '{' || c === '}') && format[i + 1] === c) {
      text += c;
      i += 2;
    } else if (c === '{') {
      const end = format.indexOf('}', i);
      const field = end < 0 ? '' : format.slice(i + 1, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) return undefined;
      if (text) parts.push({ text });
      text = '';
      parts.push({ field });
      i = end + 1;
    } else if (c === '}') return undefined;
    else {
      text += c;
      i++;
    }
  }
  if (text) parts.push({ text });
  return (o) => {
    if (o === null || typeof o !== 'object') return o === undefined || o === null ? null : String(o);
    const r = o as Record<string, unknown>;
    return parts.map((p) => ('text' in p ? p.text : String(r[p.field] ?? ''))).join('');
  };
}

/**
 * Rows from one page of records, numbered from `first` (the record's place in the whole read,
 * used as its line); a record with a value that does not fit goes to rejects with the reason.
 */
export function jsonRows(records: readonly unknown[], columns: readonly RecordColumn[], where: string, first: number, ctx: RunContext): SourceBatch | undefined {
  const rows: Row[] = [];
  const lines: number[] = [];
  records.forEach((item, i) => {
    const row: Row = {};
    for (const col of columns) {
      try {
        row[col.name] = col.convert(col.pick(item));
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        ctx.reject({ line: first + i, reason: `${where}: ${col.name} ${e.message}`, data: JSON.stringify(item) });
        return;
      }
    }
    rows.push(row);
    lines.push(first + i);
  });
  return rows.length > 0 ? { rows, lines } : undefined;
}
