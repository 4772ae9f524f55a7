// CSV bytes into typed rows (records by csv-records.ts): columns matched by header name, cells parsed by their
// declared types; a row that cannot be read goes to rejects with its line number, the rest stream on.
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import type { Row, RunContext, SourceBatch } from '@sisflow/core';
import { RowError } from '@sisflow/core/reading';
import type { CsvReadOptions } from './csv-settings.js';
import { CsvFileError, matchHeader, type ColumnReader } from './csv-header.js';
import { csvRecords, physicalLines, type ParseError } from './csv-records.js';

export { CsvFileError } from './csv-header.js';

export async function* readCsv(input: Readable, options: CsvReadOptions, ctx: RunContext, batchSize: number, label: string): AsyncIterable<SourceBatch> {
  // Parse errors are signalled as the parser meets them, ahead of the records still queued for
  // this loop: they wait here and are handled in file order (by the records read before them).
  const skipped: ParseError[] = [];
  const records = csvRecords(decoded(input, options.encoding, label), options, (err) => void skipped.push(err));

  // Every physical line is accounted for: read into a row, blank, or rejected. Lines a parse
  // error swallowed (a stray quote) are rejected one by one, so each counts against rejects.max.
  let accounted = 0;
  let layout: ColumnReader[] | undefined;
  const lose = (upTo: number, raw: string, reason: string) => {
    const n = upTo - accounted;
    if (n <= 0) return;
    const texts = physicalLines(raw).slice(-n);
    const of = n > 1 ? ` (lines ${accounted + 1}–${upTo} were read as one record; each is rejected)` : '';
    for (let i = 0; i < n; i++) {
      const text = texts[i - (n - texts.length)];
      ctx.reject({ line: accounted + 1 + i, reason: `${reason}${of}`, ...(text !== undefined ? { data: text } : {}) });
    }
    accounted = upTo;
  };
  const handleSkipped = (before: number) => {
    while (skipped.length > 0 && (skipped[0]!.records ?? 0) < before) {
      const err = skipped.shift()!;
      const raw = err.raw ?? '';
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
        // Everything after the quote would be one value: the file cannot be read as its sender meant.
        const last = err.lines ?? accounted + 1;
        throw new CsvFileError(`${label}: a quote opened on line ${accounted + 1} is never closed, so the ${last - accounted} line(s) from there to the end of the file cannot be read; nothing was imported`);
      }
      if (!layout) throw new CsvFileError(`${label}: its header (line ${accounted + 1}) cannot be read (${err.message}); nothing was imported`);
      lose(err.lines ?? accounted + 1, raw, `${label}: ${err.message}`);
    }
  };

  let width = 0;
  let batch: Row[] = [];
  let lines: number[] = [];
  for await (const group of records) for (const { record, end, span, raw = '', records: count } of group) {
    handleSkipped(count);
    // `end`: the record's last line (its own line end not counted)
    const start = Math.max(accounted + 1, end - span + 1);
    lose(start - 1, '', `${label}: lost after the unreadable line ${accounted}`);
    if (record.length === 1 && record[0] === '') {
      accounted = end; // a blank line
      continue;
    }
    if (!layout) {
      layout = matchHeader(record, options, ctx, label);
      width = record.length;
      accounted = end;
      continue;
    }
    let bad: string | undefined;
    // The cells of a refused record that could still be read: they say which slice of an import
    // it belonged to (its key), so only that slice is held.
    let fields: Row | undefined;
    let row: Row = {};
    if (record.length !== width) {
      bad = `${label}: the row has ${record.length} fields, the header has ${width}`;
      // A line cut short lost its end: the cells before its last one are still what they were.
      // A longer line's cells may all be shifted.
      fields = readCells(layout, record, record.length < width ? record.length - 1 : 0).row;
    } else {
      const cells = readCells(layout, record, record.length);
      row = cells.row;
      if (cells.bad) {
        bad = `${label}: ${cells.bad}`;
        fields = cells.row;
      }
    }
    if (bad) {
      // A rejected record over several lines (a stray quote that closed further down) lost every
      // line it spans: each is rejected, and counted, on its own.
      if (end > start) lose(end, raw, bad);
      else {
        ctx.reject({ line: end, reason: bad, data: record.join(options.delimiter), ...(fields ? { fields } : {}) });
        accounted = end;
      }
      continue;
    }
    accounted = end;
    if (options.lineColumn) row[options.lineColumn] = start;
    batch.push(row);
    lines.push(start);
    if (batch.length >= batchSize) {
      yield { rows: batch, lines };
      batch = [];
      lines = [];
    }
  }
  handleSkipped(Infinity);
  if (!layout) ctx.warn(`${label} is empty (no header row)`);
  if (batch.length > 0) yield { rows: batch, lines };
}

/**
 * The declared columns of a record, each parsed by its type, from cells before `readable`; a cell
 * that does not parse is left out and the first such problem returned.
 */
function readCells(layout: { name: string; index: number; parse: (t: string) => unknown }[], record: string[], readable: number): { row: Row; bad?: string } {
  const row: Row = {};
  let bad: string | undefined;
  for (const col of layout) {
    if (col.index >= readable) continue;
    const text = col.index < 0 ? '' : record[col.index]!;
    try {
      row[col.name] = col.parse(text);
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      bad ??= `column ${col.name} ${e.message}`;
    }
  }
  return bad === undefined ? { row } : { row, bad };
}

/**
 * Bytes are decoded PIECE at a time: each piece's text is an ordinary young object. The text of a
 * whole 256 KB read is a large object, which V8 frees only at a full collection: a file read as
 * hundreds of them raised a reading worker's peak RSS by 60 MB (measured on 1,000,000 rows).
 */
const PIECE = 32 * 1024;

/** Decodes bytes into text: a BOM wins over the declared encoding; bad UTF-8 fails the file, not a row. */
async function* decoded(input: Readable, encoding: string, label: string): AsyncIterable<string> {
  let td: TextDecoder | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  const pick = (head: Buffer): TextDecoder => {
    if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true });
    if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true });
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return new TextDecoder('utf-8', { fatal: true });
    return new TextDecoder(encoding === 'latin1' ? 'windows-1252' : encoding, { fatal: encoding === 'utf-8' || encoding === 'utf-16le' });
  };
  let heldCr = false;
  /** The texts of a chunk, PIECE bytes at a time; a problem is reported at the chunk's first byte. */
  function* decode(chunk: Buffer, stream: boolean): Iterable<string> {
    for (let at = 0; at < chunk.length || at === 0; at += PIECE) {
      const end = Math.min(chunk.length, at + PIECE);
      let s: string;
      try {
        s = td!.decode(chunk.subarray(at, end), { stream: stream || end < chunk.length });
      } catch {
        throw new CsvFileError(`${label} is not valid ${td!.encoding} (near byte ${offset}); set \`encoding:\` (e.g. windows-1252) to the file's encoding`);
      }
      // CR LF becomes LF (a CR at the end of a piece waits for the next), so that line numbers
      // count CR LF inside a quoted value as one line end, as everywhere else.
      if (heldCr) s = `\r${s}`;
      heldCr = (stream || end < chunk.length) && s.endsWith('\r');
      if (heldCr) s = s.slice(0, -1);
      s = s.includes('\r') ? s.replaceAll('\r\n', '\n') : s;
      if (s) yield s;
      if (end >= chunk.length) break;
    }
    offset += chunk.length;
  }
  for await (const data of input) {
    let chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    if (!td) {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 3) continue;
      td = pick(pending);
      chunk = pending;
    }
    yield* decode(chunk, true);
  }
  if (!td) {
    td = pick(pending);
    yield* decode(pending, false);
  } else yield* decode(Buffer.alloc(0), false);
}
