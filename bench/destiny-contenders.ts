// The Destiny workload (examples/destiny/patrons.yaml over the bench's SQLite database) against
// what a district engineer would pick instead of sisflow: a plain Python 3 script (stdlib sqlite3 +
// csv, bench/python/patrons.py) and DuckDB (one COPY (SELECT …) TO through @duckdb/node-api), each
// from the SQLite database and from the same rows exported as CSV files (LOC.csv, STU.csv, STF.csv,
// made by makeCsvExport before any clock starts; their folder comes in BENCH_CSV).
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify';
import { DESTINY_GUARD, ROOT, runExampleCli } from './sqlite-contenders.js';
import { SCHOOLS } from './students.js';

/** What a contender that runs in another process returns: its output and that process's peak RSS. */
export interface Measured {
  path: string;
  maxRssMb: number;
}

/** The columns the job reads, as a district's Aeries export would hold them (and their CSV types). */
const EXPORT: Record<string, { order: string; spec: string; columns: Record<string, string> }> = {
  LOC: { order: 'CD', spec: 'CD, NM, SNM', columns: { CD: 'int', NM: 'string', SNM: 'string?', DEL: 'bool' } },
  STU: {
    order: 'SC, SN',
    spec: 'ID, SC, LN, FN, MN, NM, GR, SX, BD, TG, ENR, TE, SEM',
    columns: { ID: 'int', SC: 'int', SN: 'int', LN: 'string', FN: 'string', MN: 'string?', NM: 'string?', GR: 'int', SX: 'string', BD: 'date?', TG: 'string', ENR: 'date?', TE: 'string?', SEM: 'string?', DEL: 'bool' },
  },
  STF: { order: 'ID', spec: 'ID, LN, FN, MN, EM, PSC, TI, TG', columns: { ID: 'int', LN: 'string', FN: 'string', MN: 'string?', EM: 'string?', PSC: 'int', TI: 'string?', TG: 'string', DEL: 'bool' } },
};

const csvDir = () => {
  const p = process.env.BENCH_CSV;
  if (!p) throw new Error('BENCH_CSV is not set');
  return p;
};

/** Writes the tables the job reads from the SQLite database `db` as CSV files in `dir` (header, 0/1, ISO dates, NULL as empty). */
export async function makeCsvExport(db: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const d = new Database(db, { readonly: true });
  try {
    for (const [table, { order, columns }] of Object.entries(EXPORT)) {
      const out = createWriteStream(join(dir, `${table}.csv`));
      const csv = stringify({ header: true, columns: Object.keys(columns), cast: { boolean: (b) => (b ? '1' : '0') } });
      csv.pipe(out);
      for (const row of d.prepare(`SELECT ${Object.keys(columns).join(', ')} FROM ${table} ORDER BY ${order}`).iterate()) {
        if (!csv.write(row)) await new Promise((r) => csv.once('drain', r));
      }
      csv.end();
      await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
    }
  } finally {
    d.close();
  }
}

/** sisflow running the Destiny example through its CLI, its three tables read from the CSV export instead. */
export async function runSisflowCsv(_rows: number, dir: string, guard = true): Promise<Measured> {
  const replace: [string, string][] = [['use: sqlite\n    demo: true', `use: files\n    dir: ${csvDir()}`], ...(guard ? [] : [DESTINY_GUARD])];
  for (const [table, { spec, columns }] of Object.entries(EXPORT)) {
    const typed = Object.entries(columns).filter(([c]) => c !== 'SN').map(([c, t]) => `${c}: ${t}`).join(', ');
    replace.push([`table: ${table}\n    columns: [${spec}]`, `path: ${table}.csv\n    columns: { ${typed} }`]);
  }
  return runExampleCli('destiny/patrons.yaml', replace, dir, 'out/patrons.csv');
}

/** The same without its guard: the job the Python script and DuckDB do, no more. */
export async function runSisflowCsvUnguarded(rows: number, dir: string): Promise<Measured> {
  return runSisflowCsv(rows, dir, false);
}

/** Whether python3 runs here (the bench skips the Python contender with a message where it does not). */
export function havePython(): boolean {
  return spawnSync('python3', ['--version']).status === 0;
}

/**
 * Runs the script unchanged in its own Python process; a neutral wrapper reports that process's
 * peak RSS (the figure the bench compares), since Node cannot read a child's.
 */
function python(mode: 'sqlite' | 'csv', source: string, dir: string): Measured {
  const out = join(dir, 'patrons.csv');
  const wrapper = 'import resource, runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__"); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)';
  const r = spawnSync('python3', ['-c', wrapper, join(ROOT, 'bench/python/patrons.py'), mode, source, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr || r.error}`);
  return { path: out, maxRssMb: Number(r.stdout.trim()) / 1024 };
}

/** The Python 3 script from SQLite (BENCH_DB). Its peak RSS is the Python process's (see child.ts). */
export async function runPythonSqlite(_rows: number, dir: string): Promise<Measured> {
  return python('sqlite', process.env.BENCH_DB!, dir);
}

export async function runPythonCsv(_rows: number, dir: string): Promise<Measured> {
  return python('csv', csvDir(), dir);
}

/** DuckDB: one SQL statement over the CSV export, written as a SQL-minded engineer would. */
export async function runDuckdbCsv(_rows: number, dir: string): Promise<string> {
  const out = join(dir, 'patrons.csv');
  // Loaded here, not at the top: its native library would otherwise count in every contender's memory.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // Never let DuckDB fetch an extension over the network.
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const con = await db.connect();
  const src = (t: string) => `read_csv('${join(csvDir(), `${t}.csv`)}', header = true)`;
  const schools = SCHOOLS.join(', ');
  await con.run(`CREATE MACRO safe(x) AS CASE WHEN left(x, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || x ELSE x END`);
  await con.run(`CREATE MACRO mail(x) AS CASE WHEN regexp_full_match(lower(trim(x)), '[^\\s@]+@[^\\s@]+\\.[^\\s@]+') THEN lower(trim(x)) END`);
  await con.run(`
    COPY (
      WITH site AS (SELECT CD, SNM FROM ${src('LOC')} WHERE NOT DEL),
      patrons AS (
        SELECT 0 AS part, row_number() OVER (ORDER BY s.SC, s.SN) AS seq,
          site.SNM AS "Site Short Name", CAST(s.ID AS VARCHAR) AS "Barcode", CAST(s.ID AS VARCHAR) AS "District ID",
          s.LN AS "Last Name", s.FN AS "First Name", s.MN AS "Middle Name", s.NM AS "Nickname",
          'Student' AS "Patron Type", 'Student' AS "Access Level", 'A' AS "Status",
          CASE WHEN s.SX IN ('M', 'F') THEN s.SX ELSE 'U' END AS "Gender", s.TE AS "Homeroom",
          CASE WHEN s.GR = -3 THEN 'IT' WHEN s.GR = -2 THEN 'PK' WHEN s.GR = -1 THEN 'TK' WHEN s.GR = 0 THEN 'KG'
               WHEN s.GR BETWEEN 1 AND 13 THEN lpad(CAST(s.GR AS VARCHAR), 2, '0') WHEN s.GR > 13 THEN 'Other' ELSE 'UG' END AS "Grade Level",
          '06/30/2027' AS "Card Expires", CAST(2027 + 12 - s.GR AS VARCHAR) AS "Graduation Year",
          strftime(s.BD, '%m/%d/%Y') AS "Birth Date", mail(s.SEM) AS "Email 1"
        FROM ${src('STU')} s JOIN site ON site.CD = s.SC
        WHERE s.SC IN (${schools}) AND NOT s.DEL AND trim(coalesce(s.TG, '')) = ''
        UNION ALL
        SELECT 1, row_number() OVER (ORDER BY f.ID),
          site.SNM, 'T' || f.ID, 'T' || f.ID, f.LN, f.FN, f.MN, NULL,
          CASE WHEN f.TI = 'Teacher' THEN 'Teacher' ELSE 'Staff' END,
          CASE WHEN f.TI IN ('Teacher', 'Librarian', 'Principal') THEN 'Teacher' ELSE 'Staff' END,
          'A', 'U', NULL, NULL, '06/30/2027', NULL, NULL, mail(f.EM)
        FROM ${src('STF')} f JOIN site ON site.CD = f.PSC
        WHERE f.PSC IN (${schools}) AND coalesce(f.TG, '') = '' AND NOT f.DEL
      )
      SELECT safe("Site Short Name") AS "Site Short Name", safe("Barcode") AS "Barcode", safe("District ID") AS "District ID",
        safe("Last Name") AS "Last Name", safe("First Name") AS "First Name", safe("Middle Name") AS "Middle Name",
        safe("Nickname") AS "Nickname", "Patron Type", "Access Level", "Status", "Gender", safe("Homeroom") AS "Homeroom",
        "Grade Level", "Card Expires", "Graduation Year", "Birth Date", safe("Email 1") AS "Email 1"
      FROM patrons
      QUALIFY row_number() OVER (PARTITION BY "District ID" ORDER BY part, seq) = 1
      ORDER BY part, seq
    ) TO '${out}' (HEADER, FORCE_QUOTE *, NEW_LINE '\\r\\n')`);
  con.closeSync();
  db.closeSync();
  return out;
}
