// Rows into CSV text: a header, then each batch of rows, in the schema's column order. The output
// is byte for byte what csv-stringify writes with the same settings (a property test checks it
// against csv-stringify), but built by hand: csv-stringify normalises its options for every cell
// that needs per-column quoting, which made it 10x slower than the rest of a run (bench/run.ts).
// UTF-8 output is written straight into bytes (utf8Writer): building each batch as one text and
// encoding it cost the Destiny run's main thread ~0.8 s more at 1 M rows (7.3-7.6 s -> 6.4-6.8 s,
// interleaved runs, load average 5).
import { asciiStops, encodeUtf8, type Row, type RowSchema, type RunContext, type SinkWriteRequest } from '@sisflow/core';
import { csvWriteOptions, type CsvWriteOptions } from './csv-settings.js';
import { describeCharacter, textEncoder, type TextEncoder } from './text-encoder.js';

export interface CsvFormatter {
  /** The BOM and header row ('' when there is none). */
  start(): string;
  rows(rows: Row[]): string;
  /** `rows(rows)` in UTF-8, written straight into bytes (a new buffer each call). */
  utf8(rows: Row[]): Buffer;
}

/** Node's Buffer#utf8Write: what Buffer#write calls after checking its arguments. */
interface Utf8Writable {
  utf8Write(text: string, offset: number): number;
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
    utf8: utf8Writer(names, field, quoteColumn, safe, d, eol),
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
 * Rows as UTF-8 CSV bytes: the bytes of the text `field` makes, encoded. A text with no delimiter,
 * quote, line break or lone surrogate (nearly every value of a school export, accented names
 * included), and no formula start where that matters, is encoded code unit by code unit into the
 * buffer; any other value goes through `field` and is encoded where it lands. No text is built per
 * row or per batch.
 */
function utf8Writer(names: string[], field: (v: unknown, quoted: boolean, safe: boolean) => string, quoteColumn: boolean[], safe: boolean, d: string, eol: string): (rows: Row[]) => Buffer {
  const delimiter = d.charCodeAt(0);
  /** What `field` must write: the delimiter, a quote, a line break. */
  const stops = asciiStops([delimiter, 0x22, 0x0a, 0x0d]);
  let buf = Buffer.allocUnsafe(0) as Buffer & Utf8Writable;
  let at = 0;
  /** The size of the last batch's bytes: the next batch's buffer starts a little larger. */
  let last = 1 << 14;
  const reserve = (n: number): void => {
    if (buf.length - at >= n) return;
    const more = Buffer.allocUnsafe(Math.max(buf.length * 2, at + n)) as Buffer & Utf8Writable;
    buf.copy(more, 0, 0, at);
    buf = more;
  };
  const text = (s: string): void => {
    reserve(s.length * 3);
    at += buf.utf8Write(s, at);
  };
  /** A cell, after the delimiter unless it is the first of its line. Small, so a line's calls are inlined. */
  const cell = (v: unknown, quoted: boolean, first: boolean): void => {
    if (typeof v === 'string' && v.length !== 0) {
      const n = v.length;
      const c0 = v.charCodeAt(0);
      // = + - @ TAB CR: what a spreadsheet-safe cell gets a ' before (past ASCII: only full-width ones).
      if (!(safe && (c0 === 0x3d || c0 === 0x2b || c0 === 0x2d || c0 === 0x40 || c0 === 0x09 || c0 === 0x0d || (c0 >= 0xff0b && FORMULA_START.has(v[0]!))))) {
        if (buf.length - at < 3 * n + 3) reserve(3 * n + 3);
        const b = buf;
        let p = at;
        if (!first) b[p++] = delimiter;
        if (quoted) b[p++] = 0x22;
        let j = 0;
        for (; j < n; j++) {
          const c = v.charCodeAt(j);
          if (c >= 0x80 || c === delimiter || c === 0x22 || c === 0x0a || c === 0x0d) break;
          b[p++] = c;
        }
        if (j < n && v.charCodeAt(j) >= 0x80) {
          p = encodeUtf8(v, j, b, p, stops);
          if (p >= 0) j = n;
        }
        if (j === n) {
          if (quoted) b[p++] = 0x22;
          at = p;
          return;
        }
      }
    }
    other(v, quoted, first);
  };
  /** Any other cell: its text from `field`, encoded where it lands. */
  const other = (v: unknown, quoted: boolean, first: boolean): void => {
    if (!first) {
      reserve(1);
      buf[at++] = delimiter;
    }
    const s = field(v, quoted, safe);
    if (s !== '') text(s);
  };
  const end = (): void => text(eol);
  // One property read site per column, as `line` in csvFormatter.
  const row = new Function('cell', 'end', `return (r) => { ${names.map((n, j) => `cell(r[${JSON.stringify(n)}], ${quoteColumn[j]}, ${j === 0});`).join(' ')} end(); };`)(cell, end) as (r: Row) => void;
  return (rows) => {
    buf = Buffer.allocUnsafe(last + (last >> 3)) as Buffer & Utf8Writable;
    at = 0;
    for (let i = 0; i < rows.length; i++) row(rows[i]!);
    last = Math.max(at, 1 << 10);
    const out = buf.subarray(0, at);
    buf = Buffer.allocUnsafe(0) as Buffer & Utf8Writable;
    return out;
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
    await write(options.encoding === 'utf-8' ? format.utf8(fit) : encoder.encode(format.rows(fit)));
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
