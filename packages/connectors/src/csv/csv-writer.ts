// Rows into CSV text: a header, then each batch of rows, in the schema's column order. The output
// is byte for byte what csv-stringify writes with the same settings (a property test checks it
// against csv-stringify), but built by plain string concatenation: csv-stringify normalises its
// options for every cell that needs per-column quoting, which made it 10x slower than the rest
// of a run (bench/run.ts).
import type { Row, RowSchema, RunContext, SinkWriteRequest } from '@sisflow/core';
import { csvWriteOptions, type CsvWriteOptions } from './csv-settings.js';

export interface CsvFormatter {
  /** The BOM and header row ('' when there is none). */
  start(): string;
  rows(rows: Row[]): string;
}

/** First characters a spreadsheet would run as a formula (as csv-stringify's escape_formulas). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

export function csvFormatter(schema: RowSchema, o: CsvWriteOptions): CsvFormatter {
  const names = schema.map((c) => c.name);
  const eol = o.lineEnding === 'crlf' ? '\r\n' : '\n';
  const d = o.delimiter;
  const quoteColumn = schema.map((c) => o.quote === 'all' || (o.quote === 'text' && c.type.kind === 'string'));
  const needsQuotes = (s: string) => s.includes(d) || s.includes('"') || s.includes('\n') || s.includes('\r');
  const field = (v: unknown, quoted: boolean, safe: boolean): string => {
    if (v === null || v === undefined) return '';
    let s: string;
    if (typeof v === 'string') {
      if (v === '') return '';
      s = safe && FORMULA_START.has(v[0]!) ? `'${v}` : v;
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      s = String(v); // never a formula: a leading '-' of a number is left alone
    } else if (typeof v === 'boolean') {
      s = v ? 'true' : 'false';
    } else {
      s = String(v);
    }
    const hasQuote = s.includes('"');
    if (hasQuote) s = s.replaceAll('"', '""');
    return quoted || hasQuote || needsQuotes(s) ? `"${s}"` : s;
  };
  return {
    start: () => {
      if (!o.header) return o.bom ? '\uFEFF' : '';
      const header = names.map((n) => field(n, o.quote !== 'needed', false)).join(d);
      return (o.bom ? '\uFEFF' : '') + header + eol;
    },
    rows: (rows) => {
      let out = '';
      const n = names.length;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        let line = field(r[names[0]!], quoteColumn[0]!, o.spreadsheetSafe);
        for (let j = 1; j < n; j++) line += d + field(r[names[j]!], quoteColumn[j]!, o.spreadsheetSafe);
        out += line + eol;
      }
      return out;
    },
  };
}

/** Formats a sink's rows as CSV into `write`, a batch at a time; returns the number of rows. */
export async function writeCsvRows(req: SinkWriteRequest, ctx: RunContext, write: (chunk: Buffer) => Promise<void>): Promise<number> {
  const format = csvFormatter(req.schema, csvWriteOptions(req.settings, req.forPeople));
  let rows = 0;
  await write(Buffer.from(format.start(), 'utf8'));
  for await (const batch of req.rows) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('the run was cancelled');
    rows += batch.length;
    await write(Buffer.from(format.rows(batch), 'utf8'));
  }
  return rows;
}
