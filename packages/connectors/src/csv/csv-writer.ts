// Rows into CSV text with csv-stringify: a header, then each batch of rows, in the schema's column order.
import { stringify, type Options } from 'csv-stringify/sync';
import type { Row, RowSchema } from '@sisflow/core';
import type { CsvWriteOptions } from './csv-settings.js';

export interface CsvFormatter {
  /** The BOM and header row ('' when there is none). */
  start(): string;
  rows(rows: Row[]): string;
}

export function csvFormatter(schema: RowSchema, o: CsvWriteOptions): CsvFormatter {
  const names = schema.map((c) => c.name);
  const textColumns = schema.map((c) => c.type.kind === 'string');
  const base: Options = {
    delimiter: o.delimiter,
    record_delimiter: o.lineEnding === 'crlf' ? 'windows' : 'unix',
    escape_formulas: o.spreadsheetSafe,
    quoted: o.quote === 'all',
    cast: {
      boolean: (v) => (v ? 'true' : 'false'),
      number: (v) => String(v),
      ...(o.quote === 'text' ? { string: (v: string, ctx: { index: number }) => (textColumns[ctx.index] ? { value: v, quoted: true } : v) } : {}),
    },
  };
  return {
    start: () => (o.bom ? '\uFEFF' : '') + (o.header ? stringify([names], { ...base, quoted: o.quote !== 'needed', escape_formulas: false, cast: {} }) : ''),
    rows: (rows) => {
      const records = new Array<unknown[]>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const rec = new Array<unknown>(names.length);
        for (let j = 0; j < names.length; j++) rec[j] = r[names[j]!];
        records[i] = rec;
      }
      return stringify(records, base);
    },
  };
}
