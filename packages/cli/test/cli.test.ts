// The `sisflow` executable as an operator meets it: exit codes, JSON output, no stack traces,
// reproducible outputs, and a killed run that leaves the previous file in place.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const EXAMPLE = join(ROOT, 'examples/destiny/patrons.yaml');

function sisflow(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-cli-'));
  cpSync(EXAMPLE, join(dir, 'patrons.yaml'));
  return dir;
}

test('validate: ok exits 0; errors exit 1 with file:line:col and no stack trace', () => {
  assert.is(sisflow(['validate', EXAMPLE]).code, 0);
  const dir = workdir();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, readFileSync(EXAMPLE, 'utf8').replace('Grade Level: grade_label(GR)', 'Grade Level: grade_lable(GR)'));
  const r = sisflow(['validate', bad]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /bad\.yaml:\d+:\d+: error SF303: unknown function `grade_lable`/);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  const json = sisflow(['validate', '--format', 'json', bad]);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; diagnostics: { code: string; span: { start: { line: number } } }[] };
  assert.is(parsed.ok, false);
  assert.is(parsed.diagnostics[0]!.code, 'SF303');
});

test('a missing file, a folder and a binary file are diagnostics, not crashes', () => {
  const missing = sisflow(['validate', '/nonexistent/spec.yaml']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'SF100');
  assert.match(sisflow(['validate', ROOT]).stderr, 'SF520'); // a folder must be a project folder
  const dir = workdir();
  writeFileSync(join(dir, 'bin.yaml'), Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x01]));
  const bin = sisflow(['validate', join(dir, 'bin.yaml')]);
  assert.is(bin.code, 1);
  assert.match(bin.stderr, 'SF106');
});

test('usage errors exit 2; --version and --help exit 0', () => {
  assert.is(sisflow(['frobnicate']).code, 2);
  assert.is(sisflow(['run']).code, 2);
  assert.is(sisflow(['--version']).code, 0);
  assert.is(sisflow(['--help']).code, 0);
  const badParam = sisflow(['validate', EXAMPLE, '--param', 'schools=abc']);
  assert.is(badParam.code, 1);
  assert.match(badParam.stderr, 'SF501');
});

test('plan --json is deterministic and free of secrets', () => {
  const a = sisflow(['plan', EXAMPLE, '--json', '--today', '2026-11-23']);
  const b = sisflow(['plan', EXAMPLE, '--json', '--today', '2026-11-23']);
  assert.is(a.code, 0);
  assert.is(a.stdout, b.stdout);
  const plan = JSON.parse(a.stdout) as { hash: string; steps: { name: string; filter?: { pushdown?: { sql: string } } }[] };
  assert.match(plan.hash, /^[0-9a-f]{64}$/);
  assert.match(plan.steps.find((s) => s.name === 'students')!.filter!.pushdown!.sql, '"SC" IN (@p1');
});

test('run twice on the demo data: byte-identical patrons.csv; spec tests pass', () => {
  const dir = workdir();
  const args = ['run', join(dir, 'patrons.yaml'), '--param', 'as_of=2026-11-23'];
  const first = sisflow(args);
  assert.is(first.code, 0, first.stderr);
  const bytes = readFileSync(join(dir, 'out/patrons.csv'));
  assert.is(sisflow(args).code, 0);
  assert.ok(bytes.equals(readFileSync(join(dir, 'out/patrons.csv'))), 'same bytes');
  const text = bytes.toString('utf8');
  assert.ok(text.startsWith('"Site Short Name","Barcode","District ID","Last Name"'));
  assert.ok(text.includes('\r\n'));
  const ids = text.split('\r\n').slice(1, -1).map((l) => l.split(',')[2]);
  assert.is(new Set(ids).size, ids.length, 'one row per District ID');
  assert.equal(readdirSync(join(dir, 'out')).filter((f) => f.startsWith('.sisflow-tmp')), [], 'no temporary files left');
  const tests = sisflow(['test', join(dir, 'patrons.yaml')]);
  assert.is(tests.code, 0, tests.stdout);
  assert.match(tests.stdout, '7 passed, 0 failed');
});

test('a failing spec test makes `sisflow test` exit 1 and says what differed', () => {
  const dir = workdir();
  const spec = join(dir, 'patrons.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('Grade Level: "03"', 'Grade Level: "3"'));
  const r = sisflow(['test', spec]);
  assert.is(r.code, 1);
  assert.match(r.stdout, 'Grade Level: expected "3", got "03"');
});

test('a dry run publishes nothing', () => {
  const dir = workdir();
  const r = sisflow(['run', join(dir, 'patrons.yaml'), '--dry-run']);
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(existsSync(join(dir, 'out/patrons.csv')));
});

/**
 * Resolves once `child` has its temporary output file in `dir`: it is writing rows. Waits on the
 * process itself, not on a time budget (a loaded machine may take long to get there); fails only
 * if the process ends before it started writing.
 */
async function writing(dir: string, child: ChildProcess): Promise<void> {
  const pid = child.pid!;
  while (child.exitCode === null && child.signalCode === null) {
    if (readdirSync(dir).some((f) => f.startsWith('.sisflow-tmp-patrons.csv.') && f.includes(`.${pid}.`))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`process ${pid} ended (${child.exitCode ?? child.signalCode}) before it started writing`);
}

test('a run killed mid-write leaves the previous patrons.csv intact', async () => {
  const dir = workdir();
  const spec = join(dir, 'patrons.yaml');
  // A bigger district, so the kill lands while rows are being written.
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('    demo: true\n', '    demo: true\n    students_per_school: 40000\n'));
  writeFileSync(join(dir, 'out.previous'), 'previous');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'out'), { recursive: true });
  writeFileSync(join(dir, 'out/patrons.csv'), 'previous file\r\n');
  sisflow(['validate', spec]); // builds the demo database outside the timed part
  const child = spawn(process.execPath, [BIN, 'run', spec], { stdio: 'ignore' });
  await writing(join(dir, 'out'), child);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.is(readFileSync(join(dir, 'out/patrons.csv'), 'utf8'), 'previous file\r\n');
  const orphans = readdirSync(join(dir, 'out')).filter((f) => f.includes(`.${child.pid}.`));
  const sigint = spawn(process.execPath, [BIN, 'run', spec], { stdio: 'ignore' });
  await writing(join(dir, 'out'), sigint);
  sigint.kill('SIGINT');
  const code = await new Promise((r) => sigint.on('exit', r));
  assert.is(readFileSync(join(dir, 'out/patrons.csv'), 'utf8'), 'previous file\r\n');
  assert.is(code, 130);
  assert.equal(readdirSync(join(dir, 'out')).filter((f) => f.includes(`.${sigint.pid}.`)), [], 'Ctrl-C removes the temporary file');
  // The next run clears what the killed one left behind.
  assert.is(sisflow(['run', spec, '--limit', '10']).code, 0);
  const left = readdirSync(join(dir, 'out')).filter((f) => f.startsWith('.sisflow-tmp'));
  assert.equal(left, [], `orphans of the killed run (${orphans.join(', ')}) are gone`);
});

test('on a terminal a run shows progress; a dry run shows the first rows of each output', async () => {
  const { main } = await import('../src/cli.js');
  const dir = workdir();
  const spec = join(dir, 'patrons.yaml');
  // The size the kill test built, so the demo database is already there.
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('    demo: true\n', '    demo: true\n    students_per_school: 40000\n'));
  const raw: string[] = [];
  const std: string[] = [];
  const out = { stdout: (t: string) => void std.push(t), stderr: () => undefined, stderrRaw: (t: string) => void raw.push(t), color: false, tty: true };
  assert.is(await main(['run', spec, '--dry-run'], out), 0);
  assert.ok(raw.some((t) => /^\r\x1b\[2K {2}[\d,]+ rows read \([\d,]+ rows\/s\)$/.test(t)), `progress lines: ${JSON.stringify(raw.slice(0, 3))}`);
  assert.is(raw[raw.length - 1], '\r\x1b[2K', 'the progress line is cleared before the report');
  const report = std.join('\n');
  assert.match(report, /first 5 row\(s\):\n {6}\{"Site Short Name":/);
  assert.not.ok(existsSync(join(dir, 'out/patrons.csv')));
});

test('grants prints a least-privilege role for the production profile', () => {
  const r = sisflow(['grants', EXAMPLE, '--profile', 'production', '--login', 'sisflow_destiny'], { AERIES_DATABASE: 'DST26000AUSD' });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'USE [DST26000AUSD];\n');
  assert.match(r.stdout, 'GRANT SELECT ON [dbo].[STU] ([ID], [SC], [LN], [FN], [MN], [NM], [GR], [SX], [BD], [TG], [ENR], [TE], [SEM], [DEL]) TO [sisflow_destiny_patrons];');
  assert.match(r.stdout, 'ALTER ROLE [sisflow_destiny_patrons] ADD MEMBER [sisflow_destiny];');
  assert.not.match(r.stdout, /INSERT|UPDATE|DELETE|db_datareader/);
  const demo = sisflow(['grants', EXAMPLE]);
  assert.is(demo.code, 1);
  assert.match(demo.stderr, 'no SQL Server (`use: mssql`) connection');
});

test('init destiny writes a starter spec that validates, tests and runs; it never overwrites', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-init-'));
  const r = sisflow(['init', 'destiny', dir]);
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(join(dir, 'patrons.yaml'), 'utf8'), '# yaml-language-server: $schema=./sisflow.schema.json');
  assert.is(JSON.parse(readFileSync(join(dir, 'sisflow.schema.json'), 'utf8')).title, 'sisflow integration spec (language v1)');
  assert.is(sisflow(['validate', join(dir, 'patrons.yaml')]).code, 0);
  assert.is(sisflow(['test', join(dir, 'patrons.yaml')]).code, 0);
  assert.is(sisflow(['run', join(dir, 'patrons.yaml'), '--limit', '20']).code, 0);
  assert.ok(existsSync(join(dir, 'out/patrons.csv')));
  const again = sisflow(['init', 'destiny', dir]);
  assert.is(again.code, 1);
  assert.match(again.stderr, 'already exist');
  assert.is(sisflow(['init', 'nope', dir]).code, 2);
});

test('demo validates, tests and runs the Destiny example into ./out, and shows what it wrote', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-demo-'));
  const r = spawnSync(process.execPath, [BIN, 'demo'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /generated on first use: \S+\/aeries-v\d+-400\.db\)/, 'says where its database lives');
  const csv = readFileSync(join(dir, 'out/patrons.csv'), 'utf8');
  assert.ok(csv.startsWith('"Site Short Name","Barcode"'));
  assert.match(r.stdout, `4. the first lines of ${join(dir, 'out', 'patrons.csv')}`);
  assert.match(r.stdout, csv.split('\r\n')[1]!);
});

test('oneroster check: names file, line and column of each problem; a conforming bundle exits 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-or-'));
  const files = ['academicSessions', 'categories', 'classes', 'classResources', 'courses', 'courseResources', 'demographics', 'enrollments', 'lineItems', 'orgs', 'resources', 'results', 'users'];
  const manifest = ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.1', ...files.map((f) => `file.${f},${f === 'orgs' ? 'bulk' : 'absent'}`)].join('\n');
  writeFileSync(join(dir, 'manifest.csv'), manifest + '\n');
  writeFileSync(join(dir, 'orgs.csv'), 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd1,,,District,district,,\n');
  const ok = sisflow(['oneroster', 'check', dir]);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, 'conforms to OneRoster 1.1 CSV');
  writeFileSync(join(dir, 'orgs.csv'), 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd1,,,District,county,,d0\n');
  const bad = sisflow(['oneroster', 'check', dir]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, `${dir}/orgs.csv:2:5: error OR112: type "county" is not one of department, school, district, local, state, national`);
  assert.match(bad.stderr, `${dir}/orgs.csv:2:7: error OR115: parentSourcedId d0 is not a sourcedId in orgs.csv`);
  const json = JSON.parse(sisflow(['oneroster', 'check', dir, '--format', 'json']).stdout) as { ok: boolean; problems: unknown[] };
  assert.is(json.ok, false);
  assert.is(json.problems.length, 2);
  // One missing parent repeated down the file: the first three in full, then a count; JSON has all.
  const rows = Array.from({ length: 50 }, (_, i) => `s${i},,,School ${i},school,,d0\n`).join('');
  writeFileSync(join(dir, 'orgs.csv'), `sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd1,,,District,district,,\n${rows}`);
  const grouped = sisflow(['oneroster', 'check', dir]);
  assert.is(grouped.code, 1);
  assert.is(grouped.stderr.split('\n').filter((l) => l.includes('error OR115')).length, 3);
  assert.match(grouped.stderr, '  … and 47 more OR115 in orgs.csv column 7 (lines 6, 7, 8, 9, 10, …)');
  assert.match(grouped.stdout, '50 error(s); --json lists every one');
  const all = JSON.parse(sisflow(['oneroster', 'check', dir, '--format', 'json']).stdout) as { errors: number; problems: unknown[] };
  assert.is(all.problems.length, 50);
  assert.is(all.errors, 50);
});

test('schedule shows the next runs in the district time zone', () => {
  const r = sisflow(['schedule', EXAMPLE, '--count', '3']);
  assert.is(r.code, 0);
  assert.match(r.stdout, '"30 5 * * 1-5" in America/Los_Angeles');
  const runs = r.stdout.split('\n').filter((l) => /^\s+(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 05:30 P[SD]T/.test(l));
  assert.is(runs.length, 3);
});

test('schema prints the language schema with every connector', () => {
  const r = sisflow(['schema']);
  assert.is(r.code, 0);
  const schema = JSON.parse(r.stdout) as { $id: string };
  assert.match(schema.$id, 'sisflow');
  assert.match(r.stdout, '"sqlite"');
});

test.run();
