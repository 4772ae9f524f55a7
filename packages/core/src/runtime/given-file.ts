// A spec test's `given:` or `expect:` rows from a CSV file beside the spec
// (`given: { students: tests/students.csv }`): confined to the spec's folder, streamed batch by
// batch, each cell typed like the source it stands for, a bad cell a diagnostic at its line and
// column. Core reads no CSV itself: the caller hands in a record reader (the CLI gives the
// connectors' csv-parse one).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Row } from '../connector/connector.js';
import type { RowSchema } from '../expr/row-schema.js';
import { RowError } from '../expr/row-error.js';
import { typeToString, type Type } from '../expr/types.js';
import { cellParser, type CellOptions } from './parse-cell.js';

/** One CSV record: its cells, the line it starts on, and its raw text (to find a cell's column). */
export interface CsvRecord {
  line: number;
  cells: string[];
  raw: string;
}

/** Reads a CSV file record by record, the header first; throws an Error with a plain message when it cannot. */
export type CsvRecordReader = (path: string, signal?: AbortSignal) => AsyncIterable<CsvRecord>;

/** Bad cells reported before a file is given up on. */
const MAX_CELL_PROBLEMS = 20;
const BATCH = 1000;

/** Why a test data path may not be used (absolute, leaving the spec's folder, a control character), or undefined. */
export function testFileProblem(path: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'it has a control character';
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\')) return 'it is absolute';
  const inside = relative('/spec', resolve('/spec', path.replaceAll('\\', '/')));
  if (inside === '' || inside.startsWith('..')) return "it leaves the spec's folder";
  return undefined;
}

/** The file a test names, resolved against the spec's folder (already checked by testFileProblem). */
export function testFilePath(specDir: string, path: string): string {
  const full = resolve(specDir, path.replaceAll('\\', '/'));
  if (!full.startsWith(specDir.endsWith(sep) ? specDir : specDir + sep)) throw new GivenFileError([diagnostic('SF752', `${path} leaves the spec's folder`)]);
  return full;
}

/** Stops a test whose data file is wrong; its diagnostics say where. */
export class GivenFileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

const cellSpan = (file: string, line: number, col: number, width = 1) => ({ file, start: { line, col, offset: 0 }, end: { line, col: col + width, offset: 0 } });

/** The 1-based column where field `index` of a raw CSV record starts. */
export function cellColumn(raw: string, index: number, delimiter = ','): number {
  let field = 0;
  let quoted = false;
  let col = 1;
  for (let i = 0; i < raw.length && field < index; i++) {
    const ch = raw[i]!;
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) field++;
    if (ch === '\n') col = 1;
    else col++;
    if (field === index) return col;
  }
  return col;
}

/** The file's records; a file that cannot be read is SF753 (the reader's own words, which name the file). */
async function* records(read: CsvRecordReader, path: string, file: string, signal?: AbortSignal): AsyncIterable<CsvRecord> {
  try {
    yield* read(path, signal);
  } catch (e) {
    if (e instanceof GivenFileError) throw e;
    throw new GivenFileError([diagnostic('SF753', (e instanceof Error ? e.message : String(e)).replaceAll(path, file), { span: cellSpan(file, 1, 1) })]);
  }
}

/** The header's column positions for each declared column; a declared column the file lacks is SF751. */
function header(record: CsvRecord | undefined, schema: RowSchema, file: string, source: string, optional: ReadonlySet<string>): number[] {
  const names = record?.cells.map((c) => c.trim()) ?? [];
  const missing = schema.filter((c) => !names.includes(c.name) && !optional.has(c.name));
  if (missing.length > 0) {
    throw new GivenFileError([
      diagnostic('SF751', `${file} has no column ${missing.map((c) => `\`${c.name}\``).join(', ')}, which ${source} declares`, {
        span: cellSpan(file, record?.line ?? 1, 1),
        hint: `its header must name every column ${source} declares: ${schema.filter((c) => !optional.has(c.name)).map((c) => c.name).join(', ')}${names.length ? ` (it has ${names.join(', ')})` : ''}`,
      }),
    ]);
  }
  return schema.map((c) => names.indexOf(c.name));
}

/** A column a where tests but the source does not read, left out of the file: as a YAML row leaving it out. */
function absentValue(t: Type): unknown {
  return t.nullable ? null : t.kind === 'string' ? '' : t.kind === 'bool' ? false : t.kind === 'list' ? [] : null;
}

/** Given rows from a CSV file, typed like the source's columns (with its `date_format` and `line_column`), in batches with their line numbers. */
export async function* givenFromFile(read: CsvRecordReader, path: string, file: string, schema: RowSchema, source: string, options: CellOptions & { lineColumn?: string; optional?: ReadonlySet<string> } = {}): AsyncIterable<{ rows: Row[]; lines: number[] }> {
  const optional = options.optional ?? new Set<string>();
  // A source's `line_column` holds each record's line in the file, here as in the real read.
  const lines_ = options.lineColumn;
  if (lines_) schema = schema.filter((c) => c.name !== lines_);
  const parsers = schema.map((c) => cellParser(c.type, options));
  const problems: Diagnostic[] = [];
  let columns: number[] | undefined;
  let rows: Row[] = [];
  let lines: number[] = [];
  for await (const record of records(read, path, file)) {
    if (!columns) {
      columns = header(record, schema, file, source, optional);
      continue;
    }
    if (record.cells.length === 1 && record.cells[0]!.trim() === '') continue; // a blank line
    const row: Row = {};
    schema.forEach((c, i) => {
      const at_ = columns![i]!;
      if (at_ < 0) {
        row[c.name] = absentValue(c.type);
        return;
      }
      const text = record.cells[at_] ?? '';
      try {
        row[c.name] = parsers[i]!(text);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        problems.push(
          diagnostic('SF750', `${c.name} is ${typeToString(c.type)}, but line ${record.line} gives ${JSON.stringify(text)}: ${e.message}`, {
            span: cellSpan(file, record.line, cellColumn(record.raw, at_), Math.max(1, text.length)),
            hint: `write a value of type ${typeToString(c.type)}, as ${source} would read it`,
          }),
        );
      }
    });
    if (lines_) row[lines_] = record.line;
    if (problems.length >= MAX_CELL_PROBLEMS) break;
    if (problems.length > 0) continue;
    rows.push(row);
    lines.push(record.line);
    if (rows.length >= BATCH) {
      yield { rows, lines };
      rows = [];
      lines = [];
    }
  }
  if (!columns) header(undefined, schema, file, source, optional);
  if (problems.length > 0) throw new GivenFileError(problems);
  if (rows.length > 0) yield { rows, lines };
}

/** An empty cell of an expected-rows file: null or empty text. */
export const EMPTY_CELL = Symbol('empty cell');

/** Expected rows from a CSV file: each cell as text, compared as a test's YAML rows are; an empty cell is EMPTY_CELL. */
export async function expectFromFile(read: CsvRecordReader, path: string, file: string, schema: RowSchema | undefined, target: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let names: string[] | undefined;
  for await (const record of records(read, path, file)) {
    if (!names) {
      names = record.cells.map((c) => c.trim());
      const unknown = schema ? names.filter((n) => !schema.some((c) => c.name === n)) : [];
      if (unknown.length > 0) {
        throw new GivenFileError([diagnostic('SF751', `${file} has column ${unknown.map((n) => `\`${n}\``).join(', ')}, which ${target} does not have`, { span: cellSpan(file, record.line, 1), hint: `its columns: ${schema!.map((c) => c.name).join(', ')}` })]);
      }
      continue;
    }
    if (record.cells.length === 1 && record.cells[0]!.trim() === '') continue;
    out.push(Object.fromEntries(names.map((n, i) => [n, record.cells[i] === undefined || record.cells[i] === '' ? EMPTY_CELL : record.cells[i]])));
  }
  return out;
}
