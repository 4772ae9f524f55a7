// CSV bytes into typed rows with csv-parse: columns matched by header name, cells parsed by their
// declared types; a row that cannot be read goes to rejects with its line number, the rest stream on.
import { Readable, Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import { cellParser, RowError, type Row, type RowSchema, type RunContext, type SourceBatch } from '@sisflow/core';
import { declaredSchema, type CsvReadOptions } from './csv-settings.js';

/** Raised for a problem with the whole file (missing columns, wrong encoding): the run fails. */
export class CsvFileError extends Error {}

export async function* readCsv(input: Readable, options: CsvReadOptions, ctx: RunContext, batchSize: number, label: string): AsyncIterable<SourceBatch> {
  const parser = parse({
    delimiter: options.delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    trim: options.trim,
  });
  parser.on('skip', (err: Error & { lines?: number }) => {
    ctx.reject({ line: err.lines ?? 0, reason: `${label}: ${err.message}` });
  });
  const decoded = input.pipe(decoder(options.encoding, label));
  decoded.on('error', (e) => parser.destroy(e));
  decoded.pipe(parser);

  const declared = declaredSchema(options.columns);
  let layout: { name: string; index: number; parse: (t: string) => unknown }[] | undefined;
  let width = 0;
  let batch: Row[] = [];
  let lines: number[] = [];
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!layout) {
      layout = matchHeader(record, declared, options, ctx, label);
      width = record.length;
      continue;
    }
    if (record.length !== width) {
      // A line cut short lost its end: the cells before its last one are still what they were,
      // and say which record it was (its key). A longer line's cells may all be shifted.
      const readable = record.length < width ? record.length - 1 : 0;
      ctx.reject({ line: info.lines, reason: `${label}: the row has ${record.length} fields, the header has ${width}`, data: record.join(options.delimiter), fields: readCells(layout, record, readable).row });
      continue;
    }
    const { row, bad } = readCells(layout, record, record.length);
    if (bad) {
      ctx.reject({ line: info.lines, reason: `${label}: ${bad}`, data: record.join(options.delimiter), fields: row });
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

function matchHeader(header: string[], declared: RowSchema, options: CsvReadOptions, ctx: RunContext, label: string) {
  const position = new Map<string, number>();
  header.forEach((h, i) => {
    const key = h.trim();
    if (!position.has(key)) position.set(key, i);
  });
  const missing = declared.filter((c) => !position.has(c.name));
  const missingRequired = missing.filter((c) => !c.type.nullable);
  if (missingRequired.length > 0) {
    throw new CsvFileError(`${label} has no column ${missingRequired.map((c) => `"${c.name}"`).join(', ')} (its header: ${header.join(', ')})`);
  }
  if (missing.length > 0) ctx.warn(`${label} has no column ${missing.map((c) => `"${c.name}"`).join(', ')}; read as empty`);
  const extra = header.filter((h) => !declared.some((c) => c.name === h.trim()));
  if (extra.length > 0) ctx.warn(`${label}: ignoring column(s) the spec does not declare: ${extra.join(', ')}`);
  return declared.map((c) => ({
    name: c.name,
    index: position.get(c.name) ?? -1,
    parse: cellParser(c.type, options.dateFormat ? { dateFormat: options.dateFormat } : {}),
  }));
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
