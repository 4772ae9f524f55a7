// Where the demo district's SQLite database lives: one per project folder, in
// `.sisflow/demo/`, so that imports into it in one checkout never change another's, and rebuilt
// when the generator's version changes. The project folder of a run is the nearest folder, from
// the run's base folder (the spec's) up, that holds `sisflow.yaml` (a project file) or `.git` (a
// checkout); without one, the base folder itself. SISFLOW_DEMO_DIR names the folder instead.
// (`.sisflow/` itself is no mark: a spec's folder gets one for its publish journal.)
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeDemoDatabase } from './sqlite-demo.js';

/** Bump when the demo generator's output changes, so demo databases are rebuilt. */
export const DEMO_VERSION = 3; // 2: the catalog's lengths and ranges as CHECK constraints; 3: records-transfer tables (TST, CST, CTS, HIS)

export const DEFAULT_STUDENTS_PER_SCHOOL = 400;

const MARKERS = ['sisflow.yaml', '.git'];

/** The project folder a run with this base folder belongs to. */
export function projectFolder(baseDir: string): string {
  const start = resolve(baseDir);
  for (let dir = start; ; dir = dirname(dir)) {
    if (MARKERS.some((m) => existsSync(join(dir, m)))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** The folder holding the demo databases for runs with this base folder. */
export function demoFolder(baseDir: string): string {
  return process.env.SISFLOW_DEMO_DIR ? resolve(process.env.SISFLOW_DEMO_DIR) : join(projectFolder(baseDir), '.sisflow', 'demo');
}

/** The demo database of that size for runs with this base folder; built when missing. */
export function demoDatabase(baseDir: string, studentsPerSchool = DEFAULT_STUDENTS_PER_SCHOOL): string {
  const dir = demoFolder(baseDir);
  const file = join(dir, `aeries-v${DEMO_VERSION}-${studentsPerSchool}.db`);
  if (!existsSync(file)) {
    removeDemoDatabases(dir, (name) => !name.startsWith(`aeries-v${DEMO_VERSION}-`));
    writeDemoDatabase(file, { studentsPerSchool });
  }
  return file;
}

/**
 * Starts the demo district over (`sisflow demo --reset`): removes every demo database of the
 * project folder, so the next run builds it fresh. Returns the files removed.
 */
export function resetDemo(baseDir: string): string[] {
  return removeDemoDatabases(demoFolder(baseDir), () => true);
}

function removeDemoDatabases(dir: string, which: (name: string) => boolean): string[] {
  const removed: string[] = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    // The database and SQLite's side files (-journal, -wal, -shm) of earlier versions or sizes.
    if (!/^aeries-v\d+-\d+\.db/.test(name) || !which(name)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}
