// The OneRoster 1.1 CSV conformance checker: manifest, headers, required fields, enumerations,
// formats, unique sourcedIds and references between files. Every problem names the file, the line
// and the column (1-based) it is in, with a stable code. Pure: it reads the bundle's bytes only.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { TextTable } from '@sisflow/core';
import { FILE_BY_NAME, FILES, GRADES, MANIFEST_FILES, type ColumnSpec, type FileSpec } from './standard.js';

export interface BundleProblem {
  code: `OR${number}`;
  /** Errors make a bundle non-conforming; warnings point at what a consumer may misread. */
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  message: string;
}

export const BUNDLE_CODES = {
  OR101: 'manifest.csv is missing or unreadable',
  OR102: 'a manifest entry is missing or wrong',
  OR103: 'the manifest and the files disagree',
  OR110: 'the header row is not the standard one',
  OR111: 'a required field is empty',
  OR112: 'a value is not in its enumeration',
  OR113: 'a date, year or boolean is not in the standard format',
  OR114: 'a sourcedId appears twice in one file',
  OR115: 'a reference to another file does not resolve',
  OR116: 'a grade is not a CEDS grade code',
  OR117: 'status and dateLastModified do not fit the file mode (bulk: empty; delta: filled)',
  OR118: 'a row is not valid CSV or has the wrong number of fields',
  OR119: 'a bulk file has a header but no records (warning: a consumer replacing its data removes every record of that kind)',
} as const;

/** Codes that only warn: the bundle still conforms. */
const WARNINGS = new Set<string>(['OR119']);

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

type Report = (code: BundleProblem['code'], file: string, line: number, column: number, message: string) => void;

/** A data file once read: its mode and its sourcedIds (the rows themselves are not kept). */
interface Loaded {
  mode: string;
  /** sourcedId → the line it is on (a compact table: a users file's ids are kept while the files that point into it are read). */
  ids: TextTable;
}

/**
 * A file that is in the bundle but could not be read (a wrong header, broken CSV): its own problem
 * is reported once, and references into it are not checked — the file is there, its ids unknown.
 */
const UNREADABLE = 'unreadable';
type ReadFile = Loaded | typeof UNREADABLE;

/** The data files in an order where every file comes after the files it references (itself aside). */
const READ_ORDER = (() => {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    for (const c of FILE_BY_NAME.get(name)!.columns) if (c.rule.kind === 'ref' && c.rule.file !== name) visit(c.rule.file);
    order.push(name);
  };
  for (const f of FILES) visit(f.name);
  return order;
})();

/**
 * A bundle to check without holding it: its file names, and each file's bytes as a stream (a
 * spool folder, a zip being read). The checker reads one file at a time, in one pass.
 */
export interface BundleInput {
  names: readonly string[];
  read(name: string): AsyncIterable<Uint8Array | string>;
}

/** One file the checker wants read: each record (header included) goes to `visit`. */
interface ReadRequest {
  file: string;
  visit: (line: number, values: string[]) => void;
}

/** Checks a bundle held in memory, given as file name (`orgs.csv`) → bytes. */
export function checkBundle(files: ReadonlyMap<string, Uint8Array | string>): BundleProblem[] {
  const problems: BundleProblem[] = [];
  const run = checking([...files.keys()], reporter(problems));
  let step = run.next();
  while (!step.done) {
    const v = files.get(step.value.file)!;
    step = run.next(eachRow(typeof v === 'string' ? v : Buffer.from(v).toString('utf8'), step.value.file, reporter(problems), step.value.visit));
  }
  return sortProblems(problems);
}

/** Checks a bundle read as streams, one file at a time: memory holds sourcedIds, never rows or files. */
export async function checkBundleStream(input: BundleInput): Promise<BundleProblem[]> {
  const problems: BundleProblem[] = [];
  const run = checking(input.names, reporter(problems));
  let step = run.next();
  while (!step.done) {
    const { file, visit } = step.value;
    let ok = true;
    try {
      await forEachRecordStream(input.read(file), visit);
    } catch (e) {
      const err = e as Error & { lines?: number };
      reporter(problems)('OR118', file, err.lines ?? 0, 0, `${file} is not valid CSV: ${err.message}`);
      ok = false;
    }
    step = run.next(ok);
  }
  return sortProblems(problems);
}

function reporter(problems: BundleProblem[]): Report {
  return (code, file, line, column, message) => void problems.push({ code, severity: WARNINGS.has(code) ? 'warning' : 'error', file, line, column, message });
}

function sortProblems(problems: BundleProblem[]): BundleProblem[] {
  return problems.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
}

/**
 * The checker's course through a bundle, as a generator: it yields each file it wants read (the
 * manifest first, then the data files in reference order) and is told back whether the file was
 * valid CSV. Whoever drives it reads the files, from memory or from streams.
 */
function* checking(names: readonly string[], report: Report): Generator<ReadRequest, void, boolean> {
  const present = new Set(names);
  let modes: Map<string, string> | undefined;
  if (!present.has('manifest.csv')) report('OR101', 'manifest.csv', 0, 0, 'the bundle has no manifest.csv');
  else {
    const rows: { line: number; values: string[] }[] = [];
    const ok: boolean = yield { file: 'manifest.csv', visit: (line, values) => void rows.push({ line, values }) };
    if (ok) modes = readManifest(rows, report);
  }
  // Files and manifest must agree.
  for (const name of names) {
    const base = name.replace(/\.csv$/, '');
    if (name === 'manifest.csv') continue;
    if (!(MANIFEST_FILES as readonly string[]).includes(base)) report('OR103', name, 0, 0, `${name} is not a OneRoster 1.1 file`);
    else if (modes && (modes.get(base) ?? 'absent') === 'absent') report('OR103', 'manifest.csv', 0, 0, `${name} is in the bundle, but the manifest says file.${base} is absent`);
  }
  // Without a readable manifest the files that are there are still checked, in an unknown mode:
  // their headers, values and references among them, but not what depends on bulk or delta
  // (status and dateLastModified filled or not, references into files the bundle lacks).
  const fileModes = modes ?? new Map(MANIFEST_FILES.filter((f) => present.has(`${f}.csv`)).map((f): [string, string] => [f, UNKNOWN_MODE]));
  // One pass per file, in reference order: each row is checked as it is parsed, and only the
  // sourcedIds are kept (a 400,000-row enrollments file is never held as rows).
  const loaded = new Map<string, ReadFile>();
  for (const base of READ_ORDER) {
    const mode = fileModes.get(base) ?? 'absent';
    if (mode === 'absent') continue;
    if (!present.has(`${base}.csv`)) {
      report('OR103', 'manifest.csv', 0, 0, `the manifest declares file.${base} as ${mode}, but ${base}.csv is not in the bundle`);
      continue;
    }
    const table = new TableCheck(`${base}.csv`, FILE_BY_NAME.get(base)!, mode, fileModes, loaded, report, !REFERENCED.has(base));
    const ok: boolean = yield { file: `${base}.csv`, visit: (line, values) => table.record(line, values) };
    const read = ok ? table.end() : undefined;
    // A file nobody points into kept 52-bit hashes of its ids, not the ids: a repeated hash is
    // confirmed (or not) by reading the file again for those ids only.
    const confirm = ok ? table.confirmDuplicates() : undefined;
    if (confirm) yield { file: `${base}.csv`, visit: confirm };
    loaded.set(base, read ?? UNREADABLE);
  }
  for (const [base, mode] of modes ?? []) {
    if (mode !== 'absent' && !FILE_BY_NAME.has(base) && !present.has(`${base}.csv`)) report('OR103', 'manifest.csv', 0, 0, `the manifest declares file.${base} as ${mode}, but ${base}.csv is not in the bundle`);
  }
}

/** The mode of a file in a bundle without a readable manifest: neither bulk nor delta is assumed. */
const UNKNOWN_MODE = 'unknown';

/** Files that other files refer to: their sourcedIds are kept while the bundle is checked. */
const REFERENCED = new Set(FILES.flatMap((f) => f.columns.flatMap((c) => (c.rule.kind === 'ref' && c.rule.file !== f.name ? [c.rule.file] : []))));

function readManifest(rows: { line: number; values: string[] }[], report: Report): Map<string, string> | undefined {
  const [header, ...body] = rows;
  if (!header || header.values.join(',') !== 'propertyName,value') {
    report('OR110', 'manifest.csv', 1, 1, `the header must be propertyName,value, not ${header?.values.join(',') ?? 'nothing'}`);
    return undefined;
  }
  const props = new Map(body.map((r) => [r.values[0] ?? '', { value: r.values[1] ?? '', line: r.line }]));
  const expect = (name: string, value: string) => {
    const p = props.get(name);
    if (!p) report('OR102', 'manifest.csv', 0, 0, `the manifest has no ${name} row`);
    else if (p.value !== value) report('OR102', 'manifest.csv', p.line, 2, `${name} must be ${value}, not ${p.value}`);
  };
  expect('manifest.version', '1.0');
  expect('oneroster.version', '1.1');
  const modes = new Map<string, string>();
  for (const f of MANIFEST_FILES) {
    const p = props.get(`file.${f}`);
    if (!p) {
      report('OR102', 'manifest.csv', 0, 0, `the manifest has no file.${f} row (bulk, delta or absent)`);
      continue;
    }
    if (!['bulk', 'delta', 'absent'].includes(p.value)) report('OR102', 'manifest.csv', p.line, 2, `file.${f} must be bulk, delta or absent, not ${p.value}`);
    else modes.set(f, p.value);
  }
  return modes;
}

/** Calls `row` for each record of a bundle file, header included, as it is parsed (nothing is collected); throws on broken CSV. */
export function forEachRecord(text: string, row: (line: number, values: string[]) => void): void {
  parse(text.replace(/^\uFEFF/, ''), { ...RECORD_OPTIONS, on_record: onRecord(row) });
}

/** forEachRecord over a stream of bytes, one chunk at a time. */
export async function forEachRecordStream(chunks: AsyncIterable<Uint8Array | string>, row: (line: number, values: string[]) => void): Promise<void> {
  const parser = parseStream({ ...RECORD_OPTIONS, bom: true, on_record: onRecord(row) });
  parser.resume(); // nothing is pushed (every record is handled in on_record); keep it flowing
  await pipeline(Readable.from(chunks), parser);
}

const RECORD_OPTIONS = { relax_column_count: true, skip_empty_lines: true } as const;

function onRecord(row: (line: number, values: string[]) => void) {
  return (record: string[], context: { lines: number }) => {
    row(context.lines, record);
    return undefined; // not kept
  };
}

/** forEachRecord, a broken CSV reported as OR118; false then. */
function eachRow(text: string, file: string, report: Report, row: (line: number, values: string[]) => void): boolean {
  try {
    forEachRecord(text, row);
    return true;
  } catch (e) {
    const err = e as Error & { lines?: number };
    report('OR118', file, err.lines ?? 0, 0, `${file} is not valid CSV: ${err.message}`);
    return false;
  }
}

type RefCheck = (row: string[], line: number) => void;

/** One data file checked record by record; `end` gives its ids once every record was seen. */
class TableCheck {
  private readonly want: string[];
  private readonly ids = new TextTable();
  private readonly selfRefs: { line: number; column: number; name: string; id: string }[] = [];
  private readonly refChecks: RefCheck[];
  private header: string[] | undefined;
  private headerOk = false;
  private records = 0;
  /** For a file nobody refers to: hashes of its ids (8 bytes each), checked for repeats at the end. */
  private hashes: Float64Array | undefined;
  private hashCount = 0;

  constructor(
    private readonly file: string,
    private readonly spec: FileSpec,
    private readonly mode: string,
    modes: ReadonlyMap<string, string>,
    loaded: ReadonlyMap<string, ReadFile>,
    private readonly report: Report,
    hashIds = false,
  ) {
    if (hashIds) this.hashes = new Float64Array(1024);
    this.want = spec.columns.map((c) => c.name);
    this.refChecks = spec.columns.flatMap((c, i) => {
      const check = referenceCheck(c, i, spec.name, mode, modes, loaded, (line, column, id) => this.selfRefs.push({ line, column, name: c.name, id }), (line, message) => report('OR115', file, line, i + 1, message));
      return check ? [check] : [];
    });
  }

  record(line: number, values: string[]): void {
    const { file, report } = this;
    if (!this.header) {
      this.header = values;
      const problem = headerProblem(values, this.want);
      this.headerOk = !problem;
      if (problem) report('OR110', file, 1, problem.column, problem.message);
      return;
    }
    if (!this.headerOk) return;
    this.records++;
    if (values.length !== this.header.length) {
      report('OR118', file, line, 0, `the row has ${values.length} fields, the header ${this.header.length}`);
      return;
    }
    const columns = this.spec.columns;
    for (let i = 0; i < columns.length; i++) checkValue(columns[i]!, values[i]!, this.mode, (code, message) => report(code, file, line, i + 1, message));
    const id = values[0]!;
    if (id !== '' && this.hashes) {
      if (this.hashCount === this.hashes.length) {
        const grown = new Float64Array(this.hashes.length * 2);
        grown.set(this.hashes);
        this.hashes = grown;
      }
      this.hashes[this.hashCount++] = hash52(id);
    } else if (id !== '') {
      const first = this.ids.get(id);
      if (first !== undefined) report('OR114', file, line, 1, `sourcedId ${id} is already on line ${first}`);
      else this.ids.set(id, line);
    }
    // A record to be deleted may name what is already gone.
    if (values[1] !== 'tobedeleted') for (const check of this.refChecks) check(values, line);
  }

  /**
   * For a file whose ids were hashed: a visitor for a second reading that reports the ids that
   * really repeat, when some hash repeats; undefined when none does.
   */
  confirmDuplicates(): ((line: number, values: string[]) => void) | undefined {
    if (!this.hashes || !this.headerOk) return undefined;
    const sorted = this.hashes.subarray(0, this.hashCount).sort();
    this.hashes = undefined;
    const suspects = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) suspects.add(sorted[i]!);
    if (suspects.size === 0) return undefined;
    const seen = new Map<string, number>();
    let header = true;
    return (line, values) => {
      if (header) return void (header = false);
      const id = values[0];
      if (!id || values.length !== this.header!.length || !suspects.has(hash52(id))) return;
      const first = seen.get(id);
      if (first !== undefined) this.report('OR114', this.file, line, 1, `sourcedId ${id} is already on line ${first}`);
      else seen.set(id, line);
    };
  }

  /** The file's ids, or undefined when it could not be read (empty, wrong header). */
  end(): Loaded | undefined {
    const { file, report } = this;
    if (!this.header) {
      report('OR110', file, 1, 1, `the file is empty; it needs the header ${this.want.join(',')}`);
      return undefined;
    }
    if (!this.headerOk) return undefined;
    if (this.records === 0 && this.mode === 'bulk') report('OR119', file, 1, 0, `${file} is bulk but has no records: a consumer that replaces its data with a bulk file removes every record of this kind; declare the file absent if there is nothing to say about it`);
    // References within the file (an org's parent, a user's agents) once all its ids are known.
    if (this.mode === 'bulk') for (const r of this.selfRefs) if (this.ids.get(r.id) === undefined) report('OR115', file, r.line, r.column, `${r.name} ${r.id} is not a sourcedId in ${file}`);
    return { mode: this.mode, ids: this.ids };
  }
}

/**
 * How one column's references are checked, or undefined when they cannot be: a delta file holds
 * only changes, so ids it lacks may be at the consumer already; so may those of a file the
 * bundle leaves out, when the referring file is itself a delta.
 */
function referenceCheck(c: ColumnSpec, i: number, self: string, mode: string, modes: ReadonlyMap<string, string>, loaded: ReadonlyMap<string, ReadFile>, later: (line: number, column: number, id: string) => void, bad: (line: number, message: string) => void): RefCheck | undefined {
  if (c.rule.kind !== 'ref') return undefined;
  const { file, list } = c.rule;
  const targetMode = modes.get(file) ?? 'absent';
  if (targetMode === 'delta' || ((mode === 'delta' || mode === UNKNOWN_MODE) && targetMode === 'absent')) return undefined;
  const split = (v: string) => (list ? v.split(',').map((x) => x.trim()) : [v]);
  if (file === self) return (row, line) => row[i] !== '' && split(row[i]!).forEach((id) => later(line, i + 1, id));
  const read = loaded.get(file);
  if (read === UNREADABLE) return undefined;
  const target = read?.ids;
  return (row, line) => {
    if (row[i] === '') return;
    for (const id of split(row[i]!)) {
      if (!target) bad(line, `${c.name} ${id} points into ${file}.csv, which the bundle does not have`);
      else if (target.get(id) === undefined) bad(line, `${c.name} ${id} is not a sourcedId in ${file}.csv`);
    }
  };
}

/**
 * What is wrong with a data file's header, if anything: the standard's columns, in its order,
 * then any extension columns (`metadata.…`), which the standard allows to the right.
 */
function headerProblem(values: string[], want: string[]): { column: number; message: string } | undefined {
  const expected = `the header starts ${want.join(',')}`;
  for (let k = 0; k < want.length; k++) {
    if (values[k] === want[k]) continue;
    if (values[k] === undefined) return { column: k + 1, message: `the header ends after column ${k} (${JSON.stringify(values[k - 1] ?? '')}); expected column ${k + 1} to be ${want[k]} (${expected})` };
    const elsewhere = values.indexOf(want[k]!);
    const where = elsewhere >= 0 ? `; ${want[k]} is column ${elsewhere + 1}` : `; there is no ${want[k]} column`;
    return { column: k + 1, message: `column ${k + 1} of the header is ${JSON.stringify(values[k])}, expected ${want[k]}${where} (${expected})` };
  }
  for (let k = want.length; k < values.length; k++) {
    if (!values[k]!.startsWith('metadata.')) return { column: k + 1, message: `column ${k + 1} of the header is ${JSON.stringify(values[k])}: after the standard's ${want.length} columns only extension columns named metadata.… may follow` };
  }
  return undefined;
}

/** A 52-bit hash of a text (two FNV-1a variants), exact in a double. */
function hash52(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

function checkValue(c: ColumnSpec, v: string, mode: string, report: (code: BundleProblem['code'], message: string) => void): void {
  if (c.name === 'status' || c.name === 'dateLastModified') {
    if (mode === 'bulk' && v !== '') return report('OR117', `${c.name} must be empty in a bulk file`);
    if (mode === 'delta' && v === '') return report('OR117', `${c.name} is required in a delta file`);
  }
  if (v === '') {
    if (c.required) report('OR111', `${c.name} is required`);
    return;
  }
  const r = c.rule;
  switch (r.kind) {
    case 'enum':
      if (!r.values.includes(v)) report('OR112', `${c.name} ${JSON.stringify(v)} is not one of ${r.values.join(', ')}`);
      break;
    case 'date':
      if (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) report('OR113', `${c.name} ${JSON.stringify(v)} is not a date (YYYY-MM-DD)`);
      break;
    case 'datetime':
      if (!DATETIME.test(v)) report('OR113', `${c.name} ${JSON.stringify(v)} is not an ISO 8601 date-time (2026-11-23T05:30:00Z)`);
      break;
    case 'year':
      if (!/^\d{4}$/.test(v)) report('OR113', `${c.name} ${JSON.stringify(v)} is not a year (YYYY)`);
      break;
    case 'bool':
      if (v !== 'true' && v !== 'false') report('OR113', `${c.name} ${JSON.stringify(v)} is not true or false`);
      break;
    case 'grades':
      for (const g of v.split(',').map((x) => x.trim())) if (!GRADES.includes(g)) report('OR116', `grade ${JSON.stringify(g)} is not a CEDS grade code (${GRADES.join(', ')})`);
      break;
    default:
      break;
  }
}

/** The files sisflow checks the contents of, for docs. */
export const CHECKED_FILES = FILES.map((f) => f.name);
