// Spec tests' rows from CSV files (issue 21, item 8): `given: { s: tests/s.csv }` and
// `expect: { m: tests/m.csv }` through `sisflow test`, typed like the source, a bad cell reported
// at its file:line:col, a missing declared column and a path leaving the spec's folder refused,
// and 200,000 given rows streamed by a child process whose heap is capped below what holding
// them all would take.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'packages/cli/dist/bin.js');

function sisflow(args: string[], cwd: string, node: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...node, BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SPEC = (tests: string) => `sisflow: 1
name: files-in-tests
connections:
  src: { use: files, dir: in }
  out: { use: files, dir: out }
sources:
  s:
    from: src
    path: s.csv
    columns: { ID: int, LN: string, BD: date?, OK: bool }
    date_format: MM/dd/yyyy
steps:
  m:
    from: s
    where: OK
    columns:
      ID: ID
      Name: upper(LN)
      Born: BD
outputs:
  o: { from: m, to: out, path: o.csv }
tests:
${tests}`;

function project(tests: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-test-files-'));
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'spec.yaml'), SPEC(tests));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const S_CSV = 'ID,LN,BD,OK,Extra\n1,ada,02/16/2017,Y,x\n2,"Ortiz, Jr.",,N,y\n3,cy,12/01/2016,true,z\n';

test('given and expected rows from CSV files: typed like the source (date_format, bool spellings), compared like YAML rows', async () => {
  const dir = project('  - name: from files\n    given: { s: tests/s.csv }\n    expect: { m: tests/m.csv }\n', {
    'tests/s.csv': S_CSV,
    'tests/m.csv': 'ID,Name,Born\n1,ADA,2017-02-16\n3,CY,2016-12-01\n',
  });
  const r = await sisflow(['test', 'spec.yaml'], dir);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'ok   spec.yaml: from files');
  // A wrong expected cell fails the test, naming the row and column.
  writeFileSync(join(dir, 'tests/m.csv'), 'ID,Name,Born\n1,ADA,2017-02-16\n3,CY,\n');
  const wrong = await sisflow(['test', 'spec.yaml'], dir);
  assert.is(wrong.code, 1);
  assert.match(wrong.stdout, 'm row 2, Born: expected an empty cell, got "2016-12-01"');
});

test('a bad cell is SF750 at its file:line:col; a missing declared column SF751; a missing file SF753', async () => {
  const dir = project('  - name: bad\n    given: { s: tests/s.csv }\n    expect: { m: [] }\n', { 'tests/s.csv': 'ID,LN,BD,OK\n1,ada,,Y\n"2","b,o",2017-13-45,Y\nx3,cy,,maybe\n' });
  const r = await sisflow(['test', 'spec.yaml'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, "tests/s.csv:3:11: error SF750: BD is date?, but line 3 gives \"2017-13-45\"");
  assert.match(r.stderr, 'tests/s.csv:4:1: error SF750: ID is int, but line 4 gives "x3"');
  assert.match(r.stderr, 'tests/s.csv:4:8: error SF750: OK is bool, but line 4 gives "maybe"');
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  writeFileSync(join(dir, 'tests/s.csv'), 'ID,LN,OK\n1,ada,Y\n');
  const missing = await sisflow(['test', 'spec.yaml'], dir);
  assert.match(missing.stderr, 'tests/s.csv:1:1: error SF751: tests/s.csv has no column `BD`, which source s declares');
  const gone = await sisflow(['test', 'spec.yaml'], project('  - name: gone\n    given: { s: tests/nope.csv }\n    expect: { m: [] }\n', {}));
  assert.is(gone.code, 1);
  assert.match(gone.stderr, 'tests/nope.csv:1:1: error SF753: tests/nope.csv does not exist');
});

test('a test data path must stay in the spec folder and be a CSV file: SF752 at validate, at its line', async () => {
  for (const [path, why] of [['../s.csv', "it leaves the spec's folder"], ['/etc/passwd', 'it is absolute'], ['tests/../../s.csv', "it leaves the spec's folder"], ['tests/s.txt', 'is not a .csv file']]) {
    const dir = project(`  - name: out\n    given: { s: ${JSON.stringify(path)} }\n    expect: { m: [] }\n`, {});
    const r = await sisflow(['validate', 'spec.yaml'], dir);
    assert.is(r.code, 1, path);
    assert.match(r.stdout + r.stderr, /spec\.yaml:24:17: error SF752/, path);
    assert.match(r.stdout + r.stderr, why, path);
  }
});

test('200,000 given rows are streamed: the test passes in a process whose heap cannot hold them all', async () => {
  const dir = project('  - name: many rows\n    given: { s: tests/many.csv }\n    expect: { m: [{ ID: 199999 }] }\n', {});
  // Every row but one is filtered out by the step's where, so only the file's rows are many.
  const out = createWriteStream(join(dir, 'tests/many.csv'));
  out.write('ID,LN,BD,OK\n');
  for (let i = 0; i < 200_000; i++) out.write(`${i},name-${i}-${'x'.repeat(40)},01/02/2010,${i === 199_999 ? 'Y' : 'N'}\n`);
  await new Promise((r) => out.end(r));
  // Held in one array, these 200,000 rows alone take about 53 MB of heap (measured with
  // process.memoryUsage after building them), more than the whole process may use here.
  const r = await sisflow(['test', 'spec.yaml'], dir, ['--max-old-space-size=32']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, '1 passed, 0 failed');
});

test.run();
