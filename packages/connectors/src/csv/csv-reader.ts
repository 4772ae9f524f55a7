// CSV bytes into typed rows with csv-parse: columns matched by header name, cells parsed by their
// declared types; a row that cannot be read goes to rejects with its line number, the rest stream on.
import { Readable, Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import { RowError, type Row, type RunContext, type SourceBatch } from '@sisflow/core';
import type { CsvReadOptions } from './csv-settings.js';
import { CsvFileError, matchHeader, type ColumnReader } from './csv-header.js';

export { CsvFileError } from './csv-header.js';

interface ParseError extends Error {
  code?: string;
  lines?: number;
  raw?: string;
}

export async function* readCsv(input: Readable, options: CsvReadOptions, ctx: RunContext, batchSize: number, label: string): AsyncIterable<SourceBatch> {
  const parser = parse({
    delimiter: options.delimiter,
    bom: true,
    info: true,
    // The raw text of each record: a record that swallowed several lines (a stray quote) is
    // rejected line by line, each with its own text, so no line is lost uncounted.
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    trim: options.trim,
  });
  let openQuote: CsvFileError | undefined;
  parser.on('skip', (err: ParseError) => {
    const lost = physicalLines(err.raw ?? '');
    const first = (err.lines ?? 0) - lost.length + 1;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      // Everything after the quote would be one value: the file cannot be read as its sender meant.
      openQuote = new CsvFileError(`${label}: a quote opened on line ${first} is never closed, so the ${lost.length} line(s) from there to the end of the file cannot be read; nothing was imported`);
      parser.destroy(openQuote);
      return;
    }
    rejectLines(ctx, first, lost, `${label}: ${err.message}`);
  });
  const decoded = input.pipe(decoder(options.encoding, label));
  decoded.on('error', (e) => parser.destroy(e));
  decoded.pipe(parser);

  let layout: ColumnReader[] | undefined;
  let width = 0;
  let batch: Row[] = [];
  let lines: number[] = [];
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      if (!layout) {
        layout = matchHeader(record, options, ctx, label);
        width = record.length;
        continue;
      }
      let bad: string | undefined;
      const row: Row = {};
      if (record.length !== width) bad = `${label}: the row has ${record.length} fields, the header has ${width}`;
      else {
        for (const col of layout) {
          const text = col.index < 0 ? '' : record[col.index]!;
          try {
            row[col.name] = col.parse(text);
          } catch (e) {
            if (!(e instanceof RowError)) throw e;
            bad = `${label}: column ${col.name} ${e.message}`;
            break;
          }
        }
      }
      if (bad) {
        // A rejected record over several lines (a stray quote that closed further down) lost
        // every line it swallowed: each is rejected, and counted, on its own.
        const spanned = physicalLines(raw);
        if (spanned.length > 1) rejectLines(ctx, info.lines - spanned.length + 1, spanned, bad);
        else ctx.reject({ line: info.lines, reason: bad, data: record.join(options.delimiter) });
        continue;
      }
      if (options.lineColumn) row[options.lineColumn] = info.lines;
      batch.push(row);
      lines.push(info.lines);
      if (batch.length >= batchSize) {
        yield { rows: batch, lines };
        batch = [];
        lines = [];
      }
    }
  } catch (e) {
    throw openQuote ?? e;
  }
  if (openQuote) throw openQuote;
  if (!layout) ctx.warn(`${label} is empty (no header row)`);
  if (batch.length > 0) yield { rows: batch, lines };
}

/** The physical lines of a record's raw text (its own line end not counted as one more). */
function physicalLines(raw: string): string[] {
  const parts = raw.split(/\r\n|\n|\r/);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** One reject per physical line lost, so each counts against `rejects.max` and shows in the rejects file. */
function rejectLines(ctx: RunContext, first: number, lost: string[], reason: string): void {
  const of = lost.length > 1 ? ` (lines ${first}–${first + lost.length - 1} were read as one record; each is rejected)` : '';
  lost.forEach((text, i) => ctx.reject({ line: first + i, reason: `${reason}${of}`, data: text }));
}

/** Decodes bytes into text: a BOM wins over the declared encoding; bad UTF-8 fails the file, not a row. */
function decoder(encoding: string, label: string): Transform {
  let td: TextDecoder | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  const pick = (head: Buffer): TextDecoder => {
    if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true });
    if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true });
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return new TextDecoder('utf-8', { fatal: true });
    return new TextDecoder(encoding === 'latin1' ? 'windows-1252' : encoding, { fatal: encoding === 'utf-8' || encoding === 'utf-16le' });
  };
  const decode = (chunk: Buffer, stream: boolean): string => {
    try {
      const s = td!.decode(chunk, { stream });
      offset += chunk.length;
      return s;
    } catch {
      throw new CsvFileError(`${label} is not valid ${td!.encoding} (near byte ${offset}); set \`encoding:\` (e.g. windows-1252) to the file's encoding`);
    }
  };
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, done) {
      try {
        if (!td) {
          pending = Buffer.concat([pending, chunk]);
          if (pending.length < 3) return done();
          td = pick(pending);
          chunk = pending;
        }
        done(null, decode(chunk, true));
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      try {
        if (!td) {
          td = pick(pending);
          done(null, decode(pending, false));
        } else done(null, decode(Buffer.alloc(0), false));
      } catch (e) {
        done(e as Error);
      }
    },
  });
}
