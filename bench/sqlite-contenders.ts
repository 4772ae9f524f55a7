// The Destiny example spec itself (examples/destiny/patrons.yaml, unchanged but for where its
// database and output folder are) over a SQLite database of generated students, against the
// same job written by hand with better-sqlite3 and csv-stringify, and a raw floor. And the
// OneRoster example over a 50-school district. The databases are built before the clock starts
// (makeMappingDb, makeDistrictDb); their paths come in BENCH_DB.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify';
import { AERIES_TABLES, generateDemo, insertRows, writeDemoDatabase } from '@sisflow/connectors';
import { SCHOOLS, student } from './students.js';

export const ROOT = new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url).pathname;
const AS_OF = '2026-11-23';

/** The demo district (LOC, STF, …) with its STU replaced by `rows` generated students (a few inactive, pre-enrolled, deleted). */
export function makeMappingDb(rows: number, path: string): void {
  writeDemoDatabase(path, { studentsPerSchool: 20 });
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const template = generateDemo({ studentsPerSchool: 1 }).STU[0]!;
  db.transaction(() => {
    db.exec('DELETE FROM STU');
    insertRows(
      db,
      AERIES_TABLES.find((t) => t.name === 'STU')!,
      (function* () {
        for (let i = 0; i < rows; i++) {
          const s = student(i);
          yield { ...template, ...s, SN: Math.floor(i / 5) + 1, NM: i % 20 === 0 ? 'Nick' : null, ENR: i % 40 === 1 ? '2027-08-11' : '2026-08-12', TE: i % 2 ? 'Smith, J.' : null, SEM: i % 97 === 0 ? 'n/a' : s.SEM, DEL: i % 200 === 3 };
        }
      })(),
    );
  })();
  db.close();
}

/** A district of 50 schools, 1,000 students each, 8 classes a student and 8 sections a teacher. */
export function makeDistrictDb(path: string, schools = 50): Record<string, number> {
  return writeDemoDatabase(path, { schools, studentsPerSchool: 1000, sectionsPerTeacher: 8, classesPerStudent: 8 });
}

/** An example spec's text with its connections swapped (`replace`: [what it holds, what replaces it]). */
function exampleText(example: string, replace: [string, string][]): string {
  let text = readFileSync(join(ROOT, 'examples', example), 'utf8');
  for (const [from, to] of replace) {
    if (!text.includes(from)) throw new Error(`${example} no longer holds ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  return text;
}

/**
 * sisflow as a district runs it: the `sisflow run` command (the workspace build, what `pnpm sisflow`
 * runs), with its run history, its guard and the CLI's own start-up. It runs in BENCH_PROJECT when
 * set: a folder kept from one run to the next, so that each run's guard compares with the last
 * publish as it does every night. Node flags for the CLI come from BENCH_NODE_FLAGS. Returns the
 * output and the CLI process's peak RSS.
 */
export function runExampleCli(example: string, replace: [string, string][], dir: string, output: string): { path: string; maxRssMb: number } {
  const project = process.env.BENCH_PROJECT ?? dir;
  mkdirSync(project, { recursive: true });
  const spec = join(project, 'spec.yaml');
  writeFileSync(spec, exampleText(example, replace));
  const { status, stderr, maxRssMb } = measuredChild(process.execPath, [...nodeFlags(), join(ROOT, 'packages/cli/dist/bin.js'), 'run', spec, '--today', AS_OF]);
  if (status !== 0) throw new Error(`sisflow run exited with ${status}: ${stderr}`);
  return { path: join(project, output), maxRssMb };
}

/** Node flags for the CLI process from BENCH_NODE_FLAGS (bench/oneroster-memory.ts compares heap policies). */
const nodeFlags = () => (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/**
 * Runs a command to its end and reads its peak RSS (Node cannot read a child's): through a neutral
 * Python wrapper (getrusage of its children) where python3 runs, else from a tiny `--import` hook
 * in the Node child itself.
 */
function measuredChild(node: string, args: string[]): { status: number | null; stderr: string; maxRssMb: number } {
  const wrapper = 'import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); sys.stderr.buffer.write(r.stderr); print(r.returncode); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const py = spawnSync('python3', ['-c', wrapper, node, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (!py.error) {
    const [code, kb] = py.stdout.trim().split('\n').map(Number);
    return { status: code ?? null, stderr: py.stderr, maxRssMb: kb! / 1024 };
  }
  const report = join(tmpdir(), `sisflow-bench-rss-${process.pid}.txt`);
  const r = spawnSync(node, ['--import', `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(report)},String(process.resourceUsage().maxRSS)))`, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const kb = Number(readFileSync(report, 'utf8'));
  rmSync(report, { force: true });
  return { status: r.status, stderr: r.stderr, maxRssMb: kb / 1024 };
}

const db = () => {
  const p = process.env.BENCH_DB;
  if (!p) throw new Error('BENCH_DB is not set');
  return p;
};

/** The Destiny example's guard on patrons.csv, which the `-unguarded` contenders leave out. */
export const DESTINY_GUARD: [string, string] = ['    guard:\n      key: District ID\n      max_removed: 10%\n', ''];

/** (a) sisflow running examples/destiny/patrons.yaml through its CLI (see runExampleCli). */
export async function runSisflowSqlite(_rows: number, dir: string): Promise<{ path: string; maxRssMb: number }> {
  return runExampleCli('destiny/patrons.yaml', [['use: sqlite\n    demo: true', `use: sqlite\n    path: ${db()}`]], dir, 'out/patrons.csv');
}

/** The same without its guard: the job the Python script and DuckDB do, no more. */
export async function runSisflowSqliteUnguarded(_rows: number, dir: string): Promise<{ path: string; maxRssMb: number }> {
  return runExampleCli('destiny/patrons.yaml', [['use: sqlite\n    demo: true', `use: sqlite\n    path: ${db()}`], DESTINY_GUARD], dir, 'out/patrons.csv');
}

/** examples/oneroster/csv-export.yaml through the CLI (see runExampleCli). */
export async function runOneRoster(_rows: number, dir: string): Promise<{ path: string; maxRssMb: number }> {
  return runExampleCli('oneroster/csv-export.yaml', [['aeries: { use: sqlite, demo: true }', `aeries: { use: sqlite, path: ${db()} }`]], dir, 'out/oneroster.zip');
}

const HEADER = ['Site Short Name', 'Barcode', 'District ID', 'Last Name', 'First Name', 'Middle Name', 'Nickname', 'Patron Type', 'Access Level', 'Status', 'Gender', 'Homeroom', 'Grade Level', 'Card Expires', 'Graduation Year', 'Birth Date', 'Email 1'];
const GRADES = new Map<number, string>([[-3, 'IT'], [-2, 'PK'], [-1, 'TK'], [0, 'KG'], ...Array.from({ length: 13 }, (_, i) => [i + 1, String(i + 1).padStart(2, '0')] as [number, string])]);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const email = (e: string | null) => {
  const v = (e ?? '').trim().toLowerCase();
  return EMAIL.test(v) ? v : '';
};
const mmddyyyy = (d: string | null) => (d === null ? '' : `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`);

type Stu = { ID: number; SC: number; LN: string; FN: string; MN: string | null; NM: string | null; GR: number; SX: string; BD: string | null; TG: string | null; ENR: string | null; TE: string | null; SEM: string | null };
type Stf = { ID: number; LN: string; FN: string; MN: string | null; EM: string | null; PSC: number; TI: string | null };

/** The rows of the job as string arrays, in the order the spec reads them: students by school and number, then staff. */
function* patrons(raw = false): Generator<string[]> {
  const d = new Database(db(), { readonly: true });
  try {
    const site = new Map((d.prepare('SELECT CD, SNM FROM LOC WHERE DEL = 0').all() as { CD: number; SNM: string }[]).map((r) => [r.CD, r.SNM]));
    const seen = new Set<string>();
    const students = d.prepare(`SELECT ID, SC, LN, FN, MN, NM, GR, SX, BD, TG, ENR, TE, SEM FROM STU WHERE SC IN (${SCHOOLS.join(',')}) AND DEL = 0 ORDER BY SC, SN`);
    // The floor reads arrays (cheaper than better-sqlite3 building an object per row).
    const rows = raw
      ? (function* () {
          for (const v of students.raw(true).iterate() as IterableIterator<unknown[]>) {
            yield { ID: v[0], SC: v[1], LN: v[2], FN: v[3], MN: v[4], NM: v[5], GR: v[6], SX: v[7], BD: v[8], TG: v[9], ENR: v[10], TE: v[11], SEM: v[12] } as Stu;
          }
        })()
      : (students.iterate() as IterableIterator<Stu>);
    for (const r of rows) {
      if ((r.TG ?? '').trim() !== '' || !site.has(r.SC)) continue; // inactive: not sent
      const id = String(r.ID);
      if (seen.has(id)) continue;
      seen.add(id);
      yield [site.get(r.SC)!, id, id, r.LN, r.FN, r.MN ?? '', r.NM ?? '', 'Student', 'Student', 'A', r.SX === 'M' || r.SX === 'F' ? r.SX : 'U', r.TE ?? '', GRADES.get(r.GR) ?? (r.GR > 13 ? 'Other' : 'UG'), '06/30/2027', String(2027 + 12 - r.GR), mmddyyyy(r.BD), email(r.SEM)];
    }
    const staff = d.prepare(`SELECT ID, LN, FN, MN, EM, PSC, TI FROM STF WHERE PSC IN (${SCHOOLS.join(',')}) AND TG = '' AND DEL = 0 ORDER BY ID`);
    for (const r of staff.iterate() as IterableIterator<Stf>) {
      if (!site.has(r.PSC)) continue;
      const id = `T${r.ID}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const ti = r.TI ?? '';
      yield [site.get(r.PSC)!, id, id, r.LN, r.FN, r.MN ?? '', '', ti === 'Teacher' ? 'Teacher' : 'Staff', ['Teacher', 'Librarian', 'Principal'].includes(ti) ? 'Teacher' : 'Staff', 'A', 'U', '', '', '06/30/2027', '', '', email(r.EM)];
    }
  } finally {
    d.close();
  }
}

/** (b) hand-written: better-sqlite3 rows into a csv-stringify stream. */
export async function runHandWrittenSqlite(_rows: number, dir: string): Promise<string> {
  const path = join(dir, 'patrons.csv');
  const out = createWriteStream(path);
  const csv = stringify({ header: true, columns: HEADER, quoted: true, record_delimiter: 'windows', escape_formulas: true });
  csv.pipe(out);
  for (const rec of patrons()) if (!csv.write(rec)) await new Promise((r) => csv.once('drain', r));
  csv.end();
  await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
  return path;
}

const FORMULA = new Set(['=', '+', '-', '@', '\t', '\r']);
const quote = (s: string) => {
  if (s === '') return '';
  const safe = FORMULA.has(s[0]!) ? `'${s}` : s;
  return safe.includes('"') ? `"${safe.replaceAll('"', '""')}"` : `"${safe}"`;
};

/** (c) the floor: the same rows, strings concatenated by hand, one write per megabyte. */
export async function runFloorSqlite(_rows: number, dir: string): Promise<string> {
  const path = join(dir, 'patrons.csv');
  const f = await open(path, 'w');
  await f.write(HEADER.map((h) => `"${h}"`).join(',') + '\r\n');
  let buf = '';
  for (const rec of patrons(true)) {
    let line = quote(rec[0]!);
    for (let j = 1; j < rec.length; j++) line += ',' + quote(rec[j]!);
    buf += line + '\r\n';
    if (buf.length > 1 << 20) {
      await f.write(buf);
      buf = '';
    }
  }
  await f.write(buf);
  await f.close();
  return path;
}
