// Rows into CSV text: a header, then each batch of rows, in the schema's column order. The output
// is byte for byte what csv-stringify writes with the same settings (a property test checks it
// against csv-stringify), but built by plain string concatenation: csv-stringify normalises its
// options for every cell that needs per-column quoting, which made it 10x slower than the rest
// of a run (bench/run.ts).
import type { Row, RowSchema, RunContext, SinkWriteRequest } from '@sisflow/core';
import { csvWriteOptions, type CsvWriteOptions } from './csv-settings.js';
import { describeCharacter, textEncoder, type TextEncoder } from './text-encoder.js';

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
  // One scan of a value for what makes csv-stringify quote it (the delimiter, a quote, a line break).
  const special = new RegExp(`[${d.replace(/[\\\]^-]/g, '\\$&')}"\n\r]`);
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
    if (!special.test(s)) return quoted ? `"${s}"` : s;
    return `"${s.includes('"') ? s.replaceAll('"', '""') : s}"`;
  };
  // One line of a row, generated with a property read per column: each read site sees one name, so
  // V8 keeps it fast, where a loop over the names read every column through one slow site.
  const safe = o.spreadsheetSafe;
  const line = new Function(
    'field',
    'quoteColumn',
    'safe',
    'd',
    `return (r) => ${names.map((n, j) => `field(r[${JSON.stringify(n)}], quoteColumn[${j}], safe)`).join(' + d + ') || "''"};`,
  )(field, quoteColumn, safe, d) as (r: Row) => string;
  return {
    start: () => {
      if (!o.header) return o.bom ? '\uFEFF' : '';
      const header = names.map((n) => field(n, o.quote !== 'needed', false)).join(d);
      return (o.bom ? '\uFEFF' : '') + header + eol;
    },
    rows: (rows) => {
      let out = '';
      for (let i = 0; i < rows.length; i++) out += line(rows[i]!) + eol;
      return out;
    },
  };
}

/**
 * Formats a sink's rows as CSV into `write`, a batch at a time, in the output's encoding; returns
 * the number of rows written. A row holding a character the encoding lacks is rejected (the run's
 * rejects, with the column named) and left out.
 */
export async function writeCsvRows(req: SinkWriteRequest, ctx: RunContext, write: (chunk: Buffer) => Promise<void>): Promise<number> {
  const options = csvWriteOptions(req.settings, req.forPeople);
  const format = csvFormatter(req.schema, options);
  const encoder = textEncoder(options.encoding);
  const header = format.start();
  const badHeader = encoder.unencodable(header);
  if (badHeader) throw new Error(`the header holds ${describeCharacter(badHeader)}, which ${options.encoding} cannot hold`);
  let rows = 0;
  let seen = 0;
  await write(encoder.encode(header));
  const strings = req.schema.filter((c) => c.type.kind === 'string').map((c) => c.name);
  for await (const batch of req.rows) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('the run was cancelled');
    let fit = batch;
    if (options.encoding !== 'utf-8') {
      fit = [];
      for (const row of batch) {
        seen++;
        const why = unencodableCell(row, strings, encoder, options.encoding);
        if (why) ctx.reject({ line: seen, reason: why, data: row, kind: 'invalid' });
        else fit.push(row);
      }
    }
    rows += fit.length;
    await write(encoder.encode(format.rows(fit)));
  }
  return rows;
}

function unencodableCell(row: Row, columns: string[], encoder: TextEncoder, encoding: string): string | undefined {
  for (const c of columns) {
    const v = row[c];
    if (typeof v !== 'string') continue;
    const ch = encoder.unencodable(v);
    if (ch) return `column ${c} holds ${describeCharacter(ch)}, which ${encoding} cannot hold`;
  }
  return undefined;
}
