// The OneRoster 1.1 CSV conformance checker: manifest, headers, required fields, enumerations,
// formats, unique sourcedIds and references between files. Every problem names the file, the line
// and the column (1-based) it is in, with a stable code. Pure: it reads the bundle's bytes only.
import { parse } from 'csv-parse/sync';
import { FILE_BY_NAME, FILES, GRADES, MANIFEST_FILES, type ColumnSpec } from './standard.js';

export interface BundleProblem {
  code: `OR${number}`;
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
} as const;

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

type Report = (code: BundleProblem['code'], file: string, line: number, column: number, message: string) => void;

interface Table {
  file: string;
  mode: string;
  rows: { line: number; values: string[] }[];
}

/** Checks a bundle given as file name (`orgs.csv`) → bytes. */
export function checkBundle(files: ReadonlyMap<string, Uint8Array | string>): BundleProblem[] {
  const problems: BundleProblem[] = [];
  const report: Report = (code, file, line, column, message) => void problems.push({ code, file, line, column, message });
  const text = (name: string) => {
    const v = files.get(name);
    return v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
  };
  const modes = readManifest(text('manifest.csv'), report);
  // Files and manifest must agree.
  for (const name of files.keys()) {
    const base = name.replace(/\.csv$/, '');
    if (name === 'manifest.csv') continue;
    if (!(MANIFEST_FILES as readonly string[]).includes(base)) report('OR103', name, 0, 0, `${name} is not a OneRoster 1.1 file`);
    else if (modes && (modes.get(base) ?? 'absent') === 'absent') report('OR103', 'manifest.csv', 0, 0, `${name} is in the bundle, but the manifest says file.${base} is absent`);
  }
  const tables = new Map<string, Table>();
  for (const [base, mode] of modes ?? []) {
    if (mode === 'absent') continue;
    const t = text(`${base}.csv`);
    if (t === undefined) {
      report('OR103', 'manifest.csv', 0, 0, `the manifest declares file.${base} as ${mode}, but ${base}.csv is not in the bundle`);
      continue;
    }
    const spec = FILE_BY_NAME.get(base);
    if (!spec) continue; // a standard file sisflow does not check the contents of (gradebook, resources)
    const table = readTable(`${base}.csv`, t, spec.columns, mode, report);
    if (table) tables.set(base, table);
  }
  checkReferences(tables, report);
  return problems.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
}

function readManifest(text: string | undefined, report: Report): Map<string, string> | undefined {
  if (text === undefined) {
    report('OR101', 'manifest.csv', 0, 0, 'the bundle has no manifest.csv');
    return undefined;
  }
  const rows = parseRows(text, 'manifest.csv', report);
  if (!rows) return undefined;
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

function parseRows(text: string, file: string, report: Report): { line: number; values: string[] }[] | undefined {
  try {
    const records = parse(text.replace(/^\uFEFF/, ''), { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map((r) => ({ line: r.info.lines, values: r.record }));
  } catch (e) {
    const err = e as Error & { lines?: number };
    report('OR118', file, err.lines ?? 0, 0, `${file} is not valid CSV: ${err.message}`);
    return undefined;
  }
}

function readTable(file: string, text: string, columns: ColumnSpec[], mode: string, report: Report): Table | undefined {
  const rows = parseRows(text, file, report);
  if (!rows) return undefined;
  const [header, ...body] = rows;
  const want = columns.map((c) => c.name);
  if (!header || header.values.join(',') !== want.join(',')) {
    const i = want.findIndex((w, k) => header?.values[k] !== w);
    report('OR110', file, 1, i + 1, `column ${i + 1} of the header must be ${want[i]}${header?.values[i] !== undefined ? `, not ${header.values[i]}` : ''} (the header is ${want.join(',')})`);
    return undefined;
  }
  const seen = new Map<string, number>();
  const out: Table = { file, mode, rows: [] };
  for (const row of body) {
    if (row.values.length !== want.length) {
      report('OR118', file, row.line, 0, `the row has ${row.values.length} fields, the header ${want.length}`);
      continue;
    }
    columns.forEach((c, i) => checkValue(c, row.values[i]!, mode, (code, message) => report(code, file, row.line, i + 1, message)));
    const id = row.values[0]!;
    if (id !== '') {
      const first = seen.get(id);
      if (first !== undefined) report('OR114', file, row.line, 1, `sourcedId ${id} is already on line ${first}`);
      else seen.set(id, row.line);
    }
    out.rows.push(row);
  }
  return out;
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

function checkReferences(tables: ReadonlyMap<string, Table>, report: Report): void {
  const ids = new Map([...tables].map(([name, t]) => [name, new Set(t.rows.map((r) => r.values[0]))]));
  for (const [name, t] of tables) {
    const columns = FILE_BY_NAME.get(name)!.columns;
    columns.forEach((c, i) => {
      if (c.rule.kind !== 'ref') return;
      const { file, list } = c.rule;
      const target = ids.get(file);
      for (const row of t.rows) {
        const v = row.values[i]!;
        if (v === '') continue;
        for (const id of list ? v.split(',').map((x) => x.trim()) : [v]) {
          if (!target) report('OR115', t.file, row.line, i + 1, `${c.name} ${id} points into ${file}.csv, which the bundle does not have`);
          else if (!target.has(id)) report('OR115', t.file, row.line, i + 1, `${c.name} ${id} is not a sourcedId in ${file}.csv`);
        }
      }
    });
  }
}

/** The files sisflow checks the contents of, for docs. */
export const CHECKED_FILES = FILES.map((f) => f.name);
