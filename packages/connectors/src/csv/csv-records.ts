// The records of CSV text, read by a tight scanner of our own where the text is well formed, and
// by csv-parse from the first record that is not (a stray quote, an unclosed one, a bare CR): the
// rest of the text goes to csv-parse, behind as many empty lines as were read, so its line numbers,
// messages and recovery are exactly csv-parse's. On well-formed text both give the same records
// (test/csv-records.test.ts checks that against csv-parse on generated text).
import { parse } from 'csv-parse';

/** One record: its cells, the line it ends on, and how many lines it spans. */
export interface CsvRecord {
  record: string[];
  /** The record's last line (1-based). */
  end: number;
  /** Physical lines it spans (more than 1 when a quoted value holds a line break). */
  span: number;
  /** The record's raw text; given when it spans several lines, or when csv-parse read it. */
  raw?: string;
  /** Records read so far, this one included (csv-parse's count, which its skip errors use). */
  records: number;
}

/** An error csv-parse skipped a record for (`skip_records_with_error`). */
export interface ParseError extends Error {
  code?: string;
  lines?: number;
  raw?: string;
  records?: number;
}

const QUOTE = 34;
const LF = 10;
const NEED_MORE = -1;
const NOT_MINE = -2;

/**
 * Records of `text` (decoded, CR LF already LF), in groups as the text arrives. `skipped` gets
 * each error csv-parse skipped a record for, before the group holding the records after it.
 */
export async function* csvRecords(text: AsyncIterable<string>, options: { delimiter: string; trim: boolean }, skipped: (e: ParseError) => void): AsyncIterable<CsvRecord[]> {
  const scanner = options.delimiter.length === 1 && options.delimiter !== '"' && options.delimiter !== '\n' ? new Scanner(options.delimiter.charCodeAt(0), options.trim) : undefined;
  const it = text[Symbol.asyncIterator]();
  let rest = '';
  let bom = true;
  if (scanner) {
    for (;;) {
      const next = await it.next();
      const eof = next.done === true;
      let buf = rest + (eof ? '' : next.value);
      // A BOM left in the text (csv-parse drops it) is csv-parse's to read.
      if (bom && buf.length > 0) {
        bom = false;
        if (buf.charCodeAt(0) === 0xfeff) {
          rest = buf;
          break;
        }
      }
      const group: CsvRecord[] = [];
      const at = scanner.scan(buf, eof, group);
      if (group.length > 0) yield group;
      if (at === NOT_MINE || !eof) buf = buf.slice(scanner.stoppedAt);
      rest = buf;
      if (at === NOT_MINE) break;
      if (eof) return;
    }
  }
  // csv-parse reads the rest, behind the lines already read (as empty lines it reports no record for).
  const before = scanner ? scanner.line - 1 : 0;
  const parser = parse({
    delimiter: options.delimiter,
    bom: true,
    info: true,
    // The raw text of each record, to count the lines it spans and quote the lines it lost.
    raw: true,
    relax_column_count: true,
    skip_records_with_error: true,
    trim: options.trim,
  });
  parser.on('skip', (err: ParseError) => skipped(err));
  const write = (s: string) => (parser.write(s) ? undefined : new Promise<void>((r) => parser.once('drain', () => r())));
  const feed = (async () => {
    try {
      if (before > 0 || rest) await write('\n'.repeat(before) + rest);
      for (let next = await it.next(); !next.done; next = await it.next()) await write(next.value);
      parser.end();
    } catch (e) {
      parser.destroy(e as Error);
    }
  })();
  let group: CsvRecord[] = [];
  try {
  for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number; records: number }; raw: string }>) {
    if (info.lines <= before) continue;
    group.push({ record, end: info.lines, span: physicalLines(raw).length, raw, records: info.records });
    if (group.length >= 256) {
      yield group;
      group = [];
    }
  }
  } finally {
    parser.destroy();
  }
  await feed;
  if (group.length > 0) yield group;
}

/** The physical lines of a record's raw text (its own line end not counted as one more). */
export function physicalLines(raw: string): string[] {
  const parts = raw.split('\n');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Reads well-formed records; stops where one needs more text or is not well formed. */
class Scanner {
  /** The line the next record starts on. */
  line = 1;
  records = 0;
  /** Where in the last text given the next record starts. */
  stoppedAt = 0;

  constructor(
    private readonly delimiter: number,
    private readonly trim: boolean,
  ) {}

  /** Reads the records of `buf` into `out`; NEED_MORE, or NOT_MINE where csv-parse must take over. */
  scan(buf: string, eof: boolean, out: CsvRecord[]): number {
    // A CR left after CR LF became LF: csv-parse may take it for the line end, or counts a line at it.
    const cr = buf.indexOf('\r');
    let pos = 0;
    for (;;) {
      const record: string[] = [];
      const end = this.record(buf, pos, eof, record);
      if (end === NEED_MORE || end === NOT_MINE || (cr >= 0 && cr < end)) {
        this.stoppedAt = pos;
        return end === NEED_MORE ? NEED_MORE : NOT_MINE;
      }
      if (record.length === 0) {
        // The end of the text, with no record in it.
        this.stoppedAt = buf.length;
        return NEED_MORE;
      }
      // The line breaks inside quoted values; the record's own line end is not one more line.
      const stop = buf.charCodeAt(end - 1) === LF ? end - 1 : end;
      let span = 1;
      for (let i = buf.indexOf('\n', pos); i >= 0 && i < stop; i = buf.indexOf('\n', i + 1)) span++;
      this.records++;
      const r: CsvRecord = { record, end: this.line + span - 1, span, records: this.records };
      if (span > 1) r.raw = buf.slice(pos, end);
      out.push(r);
      this.line += span;
      pos = end;
    }
  }

  /** Reads one record starting at `i` into `record`: where the next one starts, NEED_MORE or NOT_MINE. */
  private record(buf: string, i: number, eof: boolean, record: string[]): number {
    const n = buf.length;
    const d = this.delimiter;
    for (;;) {
      if (this.trim) i = this.skipSpaces(buf, i);
      if (i >= n) {
        if (!eof) return NEED_MORE;
        // The end of the text: a record ends here unless nothing of it was read.
        if (record.length > 0) record.push('');
        return n;
      }
      let c = buf.charCodeAt(i);
      if (c === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = buf.indexOf('"', from);
          if (q < 0) return eof ? NOT_MINE : NEED_MORE;
          if (q + 1 >= n && !eof) return NEED_MORE;
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += buf.slice(from, q);
          i = q + 1;
          break;
        }
        if (this.trim) i = this.skipSpaces(buf, i);
        record.push(value);
        if (i >= n) {
          if (!eof) return NEED_MORE;
          return n;
        }
        c = buf.charCodeAt(i);
        if (c === d) {
          i++;
          continue;
        }
        if (c === LF) return i + 1;
        return NOT_MINE;
      }
      let j = i;
      while (j < n) {
        c = buf.charCodeAt(j);
        if (c === d || c === LF || c === QUOTE) break;
        j++;
      }
      if (j >= n && !eof) return NEED_MORE;
      if (j < n && c === QUOTE) return NOT_MINE;
      record.push(this.trim ? buf.slice(i, j).trimEnd() : buf.slice(i, j));
      if (j >= n) return n;
      if (c === d) {
        i = j + 1;
        continue;
      }
      return j + 1;
    }
  }

  /** Past the spaces, tabs and form feeds csv-parse trims (never past the delimiter). */
  private skipSpaces(buf: string, i: number): number {
    const d = this.delimiter;
    for (;;) {
      const c = buf.charCodeAt(i);
      if ((c === 32 || c === 9 || c === 12) && c !== d) i++;
      else return i;
    }
  }
}
