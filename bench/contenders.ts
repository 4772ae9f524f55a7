// The three ways to write the benchmark mapping over the same generated STU rows: (a) sisflow
// running bench/specs/mapping.yaml, (b) the script a district engineer would write (a loop with a
// csv-stringify stream), (c) a raw floor (string concatenation, one buffered write per batch).
// All three must produce the same bytes; bench/run.ts checks their sha256.
import { createWriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify';
import { compile, ConnectorRegistry, runPlan, type Connector, type Row } from '@sisflow/core';
import { filesConnector } from '@sisflow/connectors';
import { SCHOOLS, SNM, student } from './students.js';
import { runFloorSqlite, runHandWrittenSqlite, runOneRoster, runSisflowSqlite, runSisflowSqliteUnguarded } from './sqlite-contenders.js';
import { runDuckdbCsv, runPythonCsv, runPythonSqlite, runSisflowCsv, runSisflowCsvUnguarded } from './destiny-contenders.js';

const BATCH = 1000;

function generatedConnector(rows: number): Connector {
  return {
    name: 'generated',
    summary: 'generated STU and LOC rows for benchmarks',
    connection: { type: 'object' },
    source: {
      settings: { type: 'object' },
      describe: (ctx) => ({
        schema: Object.entries(ctx.settings.columns as Record<string, string>).map(([name, t]) => ({ name, type: { kind: t.replace('?', '') as 'string', nullable: t.endsWith('?') } })),
      }),
      async *read(req) {
        if (req.settings.table === 'LOC') {
          yield { rows: SCHOOLS.map((cd) => ({ CD: cd, SNM: SNM.get(cd)! })) };
          return;
        }
        for (let start = 0; start < rows; start += BATCH) {
          const batch: Row[] = [];
          for (let i = start; i < Math.min(rows, start + BATCH); i++) batch.push(student(i));
          yield { rows: batch };
        }
      },
    },
  };
}

/** (a) sisflow: the spec, compiled and run. */
export async function runSisflow(rows: number, dir: string): Promise<string> {
  const registry = new ConnectorRegistry().register(filesConnector, generatedConnector(rows));
  // bench/specs, from bench/ or bench/dist/
  const specPath = new URL(import.meta.url.includes('/dist/') ? '../specs/mapping.yaml' : './specs/mapping.yaml', import.meta.url).pathname;
  const compiled = compile(await readFile(specPath, 'utf8'), specPath, { registry, today: '2026-11-23' });
  if (!compiled.plan) throw new Error(compiled.diagnostics.map((d) => d.message).join('\n'));
  const { report } = await runPlan(compiled.plan, { registry, baseDir: dir, secrets: { env: () => undefined, secret: () => undefined } });
  if (!report.ok) throw new Error(report.error);
  return join(dir, 'patrons.csv');
}

const HEADER = ['Site', 'Barcode', 'District ID', 'Last Name', 'First Name', 'Middle Name', 'Full Name', 'Patron Type', 'Gender', 'Grade Level', 'Graduation Year', 'Birth Date', 'Email', 'Upper Last', 'Status'];
const GRADES = new Map<number, string>([[-3, 'IT'], [-2, 'PK'], [-1, 'TK'], [0, 'KG'], ...Array.from({ length: 13 }, (_, i) => [i + 1, String(i + 1).padStart(2, '0')] as [number, string])]);

function mapRow(r: Row): string[] | undefined {
  if (r.TG !== '') return undefined;
  const bd = r.BD as string | null;
  const gr = r.GR as number;
  return [
    SNM.get(r.SC as number)!,
    String(r.ID),
    'S' + String(r.ID),
    r.LN as string,
    r.FN as string,
    (r.MN as string | null) ?? '',
    `${r.LN as string}, ${r.FN as string}`,
    'Student',
    r.SX === 'M' ? 'M' : r.SX === 'F' ? 'F' : 'U',
    GRADES.get(gr) ?? (gr > 13 ? 'Other' : 'UG'),
    String(2039 - gr),
    bd === null ? '' : `${bd.slice(5, 7)}/${bd.slice(8, 10)}/${bd.slice(0, 4)}`,
    ((r.SEM as string | null) ?? '').toLowerCase(),
    (r.LN as string).toUpperCase(),
    gr >= 12 ? 'G' : 'A',
  ];
}

/** (b) hand-written: a loop over the rows into a csv-stringify stream. */
export async function runHandWritten(rows: number, dir: string): Promise<string> {
  const path = join(dir, 'patrons.csv');
  const out = createWriteStream(path);
  const csv = stringify({ header: true, columns: HEADER, quoted: true, record_delimiter: 'windows', escape_formulas: false });
  csv.pipe(out);
  for (let i = 0; i < rows; i++) {
    const rec = mapRow(student(i));
    if (rec && !csv.write(rec)) await new Promise((r) => csv.once('drain', r));
  }
  csv.end();
  await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
  return path;
}

const quote = (s: string) => (s === '' ? '' : s.includes('"') ? `"${s.replaceAll('"', '""')}"` : `"${s}"`);

/** (c) the floor: strings concatenated by hand, one write per batch. */
export async function runFloor(rows: number, dir: string): Promise<string> {
  const path = join(dir, 'patrons.csv');
  const f = await open(path, 'w');
  await f.write(HEADER.map(quote).join(',') + '\r\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const rec = mapRow(student(i));
    if (rec) {
      let line = quote(rec[0]!);
      for (let j = 1; j < rec.length; j++) line += ',' + quote(rec[j]!);
      buf += line + '\r\n';
    }
    if (buf.length > 1 << 20) {
      await f.write(buf);
      buf = '';
    }
  }
  await f.write(buf);
  await f.close();
  return path;
}

export const CONTENDERS = {
  sisflow: runSisflow,
  'hand-written': runHandWritten,
  floor: runFloor,
  'sisflow-sqlite': runSisflowSqlite,
  'sisflow-sqlite-unguarded': runSisflowSqliteUnguarded,
  'hand-written-sqlite': runHandWrittenSqlite,
  'floor-sqlite': runFloorSqlite,
  oneroster: runOneRoster,
  'sisflow-csv': runSisflowCsv,
  'sisflow-csv-unguarded': runSisflowCsvUnguarded,
  'python-sqlite': runPythonSqlite,
  'python-csv': runPythonCsv,
  'duckdb-csv': runDuckdbCsv,
} as const;
export type ContenderName = keyof typeof CONTENDERS;
