// A small district project in a temporary folder: sisflow.yaml with shared connections, one spec
// reading in/students.csv into out/roster.csv with a guard, and a schedule.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROSTER_SPEC = `sisflow: 1
name: roster
sources:
  students:
    from: inbox
    path: students.csv
    columns: { ID: int, LN: string }
outputs:
  roster:
    from: students
    to: outbox
    path: roster.csv
    guard: { key: ID, max_removed: 10%, min_rows: 1 }
schedule:
  cron: "0 4 * * 1-5"
  timezone: America/Los_Angeles
`;

export function projectFile(extra = ''): string {
  return `sisflow_project: 1
district:
  name: Test Unified
  cds_code: "1234567"
  timezone: America/Los_Angeles
specs: [specs/*.yaml]
connections:
  inbox: { use: files, dir: ../in }
  outbox: { use: files, dir: ../out }
${extra}`;
}

/** The project folder, with students 1..n in in/students.csv. */
export function makeProject(n = 100, options: { spec?: string; project?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-project-'));
  mkdirSync(join(dir, 'specs'));
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'sisflow.yaml'), options.project ?? projectFile());
  writeFileSync(join(dir, 'specs', 'roster.yaml'), options.spec ?? ROSTER_SPEC);
  writeStudents(dir, 1, n);
  return dir;
}

export function writeStudents(dir: string, from: number, to: number): void {
  const lines = ['ID,LN'];
  for (let i = from; i <= to; i++) lines.push(`${i},Name${i}`);
  writeFileSync(join(dir, 'in', 'students.csv'), `${lines.join('\n')}\n`);
}

/** An Out that keeps what the CLI prints. */
export function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    out: { stdout: (t: string) => void stdout.push(t), stderr: (t: string) => void stderr.push(t), stderrRaw: () => undefined, color: false, tty: false },
    text: () => stdout.join('\n'),
    errors: () => stderr.join('\n'),
    clear: () => {
      stdout.length = 0;
      stderr.length = 0;
    },
  };
}
