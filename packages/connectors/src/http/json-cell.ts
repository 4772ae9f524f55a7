// Values of JSON records (API answers) into the declared column types: numbers as numbers or text,
// dates as `2017-04-02` or `2017-04-02T00:00:00…`, lists from arrays. A value that does not fit
// throws RowError, so the record goes to rejects with the reason.

/** A column of JSON records: how to find its value in a record, and how to type it. */
export interface JsonColumn {
  name: string;
  pick(record: unknown): unknown;
  convert(value: unknown): unknown;
}

/**
 * Rows from one page of JSON records, numbered from `first` (the record's place in the whole
 * read, used as its line); a record with a value that does not fit goes to rejects with the reason.
 */
export function jsonRows(records: readonly unknown[], columns: readonly JsonColumn[], where: string, first: number, ctx: RunContext): SourceBatch | undefined {
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
import { RowError, cellParser, parseTypeName, type Row, type RunContext, type SourceBatch, type Type } from '@sisflow/core';

export function jsonCell(typeName: string): (v: unknown) => unknown {
  return converter(parseTypeName(typeName)!);
}

function converter(type: Type): (v: unknown) => unknown {
  if (type.kind === 'list') {
    const element = converter({ ...type.element!, nullable: false });
    return (v) => {
      if (v === null || v === undefined) return type.nullable ? null : [];
      if (!Array.isArray(v)) throw new RowError(`is ${typeof v}, not a list`);
      return v.map(element);
    };
  }
  const fromText = cellParser(type);
  return (v) => {
    if (v === null || v === undefined) return type.nullable ? null : fromText('');
    if (typeof v === 'object') throw new RowError(`is ${Array.isArray(v) ? 'a list' : 'an object'}, not a single value`);
    if (typeof v === 'boolean' && type.kind === 'bool') return v;
    if (typeof v === 'number' && (type.kind === 'int' || type.kind === 'decimal')) return fromText(String(v));
    if (typeof v === 'string' && type.kind === 'date') return fromText(v.slice(0, 10));
    if (typeof v === 'string' && type.kind === 'datetime') return fromText(v.slice(0, 19));
    return fromText(String(v));
  };
}
