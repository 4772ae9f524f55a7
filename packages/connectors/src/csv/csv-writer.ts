// Rows into CSV text with csv-stringify: a header, then each batch of rows, in the schema's column order.
import { stringify, type Options } from 'csv-stringify/sync';
import type { Row, RowSchema, RunContext, SinkWriteRequest } from '@sisflow/core';
import { csvWriteOptions, type CsvWriteOptions } from './csv-settings.js';

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

/** Formats a sink's rows as CSV into `write`, a batch at a time; returns the number of rows. */
export async function writeCsvRows(req: SinkWriteRequest, ctx: RunContext, write: (chunk: Buffer) => Promise<void>): Promise<number> {
  const format = csvFormatter(req.schema, csvWriteOptions(req.settings));
  let rows = 0;
  await write(Buffer.from(format.start(), 'utf8'));
  for await (const batch of req.rows) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('the run was cancelled');
    rows += batch.length;
    await write(Buffer.from(format.rows(batch), 'utf8'));
  }
  return rows;
}
