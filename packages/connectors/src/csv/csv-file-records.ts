// The CSV record reader spec tests use for rows in files (`given: { students: tests/students.csv }`):
// csv-parse over a file stream, each record with the line it starts on and its raw text, so core
// can type the cells and point at a bad one.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { CsvRecord } from '@sisflow/core';

export async function* csvFileRecords(path: string, signal?: AbortSignal): AsyncIterable<CsvRecord> {
  const input = createReadStream(path, signal ? { signal } : {});
  // The file's own error (no such file) is the one to report, not the parser's.
  let failure: Error | undefined;
  const parser = parse({ bom: true, raw: true, info: true, relax_column_count: true });
  input.on('error', (e) => {
    failure = e;
    parser.destroy(e);
  });
  input.pipe(parser);
  let end = 0;
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
      // info.lines is the line the record ends on; a quoted cell may span lines.
      const spans = r.raw.replace(/\r?\n$/, '').split('\n').length;
      const line = Math.max(end + 1, r.info.lines - spans + 1);
      end = r.info.lines;
      yield { line, cells: r.record, raw: r.raw };
    }
  } catch (e) {
    const err = failure ?? (e as Error);
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path} does not exist` : code === 'EACCES' ? `${path} cannot be read (permission denied)` : `${path} is not a readable CSV file: ${err.message}`);
  } finally {
    input.destroy();
  }
}
