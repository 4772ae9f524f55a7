// A run with several file outputs killed at each instant of publishing leaves, once the next run
// of the spec has started, either every previous file or every new one (the publish journal).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, kill, pausedRun as paused } from './paused-run.js';

const FILES = ['patrons.csv', 'staff.csv', 'two-outputs.rejects.csv'];

const SPEC = `sisflow: 1
name: two-outputs
connections:
  inbox: { use: files, dir: in }
  out: { use: files, dir: out }
sources:
  people:
    from: inbox
    path: people.csv
    columns: { id: int, name: string }
steps:
  named:
    from: people
    columns: { id: id, name: name }
outputs:
  patrons: { from: named, to: out, path: patrons.csv }
  staff: { from: named, to: out, path: staff.csv }
rejects:
  max: 100%
  to: out
  path: two-outputs.rejects.csv
`;

/** A project folder whose outputs hold a previous run's files. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-journal-'));
  writeFileSync(join(dir, 'spec.yaml'), SPEC);
  mkdirSync(join(dir, 'in'));
  mkdirSync(join(dir, 'out'));
  for (const f of FILES) writeFileSync(join(dir, 'out', f), 'previous\r\n');
  return dir;
}

/** The input of a run called `name`: its outputs (and its rejects file) say which run wrote them. */
function input(dir: string, name: string): void {
  writeFileSync(join(dir, 'in/people.csv'), `id,name\n1,${name}\nnot-a-number,${name}\n`);
}

/** Which run wrote each output file: 'previous' or the name of a run. */
function writers(dir: string): string[] {
  return FILES.map((f) => {
    const text = readFileSync(join(dir, 'out', f), 'utf8');
    return text === 'previous\r\n' ? 'previous' : /,([a-z]+)"?\r\n$/.exec(text)?.[1] ?? `? ${JSON.stringify(text)}`;
  });
}

function run(dir: string, args: string[] = []) {
  const r = spawnSync(process.execPath, [BIN, 'run', join(dir, 'spec.yaml'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  // The run's summary (and why it failed) is on stdout, diagnostics and progress on stderr: look at both.
  return { code: r.status, stderr: r.stderr + r.stdout, stdout: r.stdout };
}

function leftovers(dir: string): string[] {
  const journal = join(dir, '.sisflow/publish');
  return [...readdirSync(join(dir, 'out')).filter((f) => f.startsWith('.sisflow-tmp-')), ...(existsSync(journal) ? readdirSync(journal) : [])];
}

// What the folder holds right after a kill at each instant, and once the next run has started.
const INSTANTS: [string, string[], string[]][] = [
  ['publish:staged', ['previous', 'previous', 'previous'], ['previous', 'previous', 'previous']],
  ['publish:journaled', ['previous', 'previous', 'previous'], ['first', 'first', 'first']],
  ['publish:renamed:1', ['first', 'previous', 'previous'], ['first', 'first', 'first']],
  ['publish:renamed:2', ['first', 'first', 'previous'], ['first', 'first', 'first']],
  ['publish:renamed:3', ['first', 'first', 'first'], ['first', 'first', 'first']],
];

for (const [point, atKill, afterNextStart] of INSTANTS) {
  test(`killed at ${point}, the next run of the spec starts from a complete set of outputs`, async () => {
    const dir = project();
    input(dir, 'first');
    await kill(await paused(join(dir, 'spec.yaml'), point));
    assert.equal(writers(dir), atKill, 'what the kill left');
    // The next run finishes (or ignores) the killed publish before anything else: killed in turn
    // before it publishes its own outputs, it shows exactly what its start left.
    input(dir, 'second');
    await kill(await paused(join(dir, 'spec.yaml'), 'publish:staged'));
    assert.equal(writers(dir), afterNextStart, 'what the next run\'s start left');
    const r = run(dir);
    assert.is(r.code, 0, r.stderr);
    assert.equal(writers(dir), ['second', 'second', 'second']);
    assert.equal(leftovers(dir), [], 'no staged file and no journal is left');
  });
}

test('a run finishing an interrupted publish says so in its report', async () => {
  const dir = project();
  input(dir, 'first');
  await kill(await paused(join(dir, 'spec.yaml'), 'publish:renamed:1'));
  input(dir, 'second');
  const dry = run(dir, ['--dry-run']);
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /stopped while publishing patrons, staff, rejects; the next run that is not a dry run finishes publishing them first/);
  assert.equal(writers(dir), ['first', 'previous', 'previous'], 'a dry run changes nothing');
  const r = run(dir, ['--json']);
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { warnings: string[] };
  assert.ok(report.warnings.some((w) => /stopped while publishing patrons, staff, rejects; this run finished publishing them first/.test(w)), report.warnings.join('\n'));
});

test('a run does not touch a publish that is still going on', async () => {
  const dir = project();
  input(dir, 'first');
  const other = await paused(join(dir, 'spec.yaml'), 'publish:renamed:1');
  try {
    const r = run(dir);
    assert.is(r.code, 1);
    // Refused by the run lock of the history (a run of the spec is going on), or, without a history, by the journal.
    assert.match(r.stderr, new RegExp(`(another run of two-outputs \\(process ${other.pid}\\) is publishing patrons, staff, rejects; run again once it has finished|two-outputs is already running \\(run [^)]*process ${other.pid}\\))`));
    assert.equal(writers(dir), ['first', 'previous', 'previous']);
  } finally {
    await kill(other);
  }
});

test('a staged file lost before the next run is a clear error, and nothing is written', async () => {
  const dir = project();
  input(dir, 'first');
  await kill(await paused(join(dir, 'spec.yaml'), 'publish:journaled'));
  for (const f of readdirSync(join(dir, 'out'))) if (f.startsWith('.sisflow-tmp-staff.csv.')) rmSync(join(dir, 'out', f));
  input(dir, 'second');
  const r = run(dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /stopped while publishing patrons, staff, rejects, and finishing it failed: output staff could not be published to connection out: the staged file for \S+staff\.csv is gone/);
  assert.match(r.stderr, /\.sisflow\/publish\/two-outputs\.json lists the staged files/);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(writers(dir), ['first', 'previous', 'previous'], 'patrons was renamed before the error; nothing of the new run was written');
});

test('a rename refused half-way fails the run; the next run publishes the rest', () => {
  const dir = project();
  input(dir, 'first');
  // A folder where staff.csv should go: renaming a file over it is refused.
  rmSync(join(dir, 'out/staff.csv'));
  mkdirSync(join(dir, 'out/staff.csv'));
  writeFileSync(join(dir, 'out/staff.csv/keep'), '');
  const failed = run(dir);
  assert.is(failed.code, 1);
  assert.match(failed.stderr, /output staff could not be published to connection out: .*\(already published: patrons\); the next run of this spec first publishes staff, rejects \(listed in \S+two-outputs\.json\)/);
  rmSync(join(dir, 'out/staff.csv'), { recursive: true });
  input(dir, 'second');
  const next = run(dir, ['--json']);
  assert.is(next.code, 0, next.stderr);
  assert.ok((JSON.parse(next.stdout) as { warnings: string[] }).warnings.some((w) => w.includes('this run finished publishing them first')));
  assert.equal(writers(dir), ['second', 'second', 'second']);
  assert.equal(leftovers(dir), []);
});

test.run();
