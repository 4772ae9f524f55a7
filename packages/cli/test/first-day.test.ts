// A district engineer's first day (issue 23): the starter's tests survive the README's first
// edit, a vanished row is explained, `sisflow` alone prints help.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';

async function sisflow(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t), stderrRaw: () => undefined, color: false, tty: false });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

test("the starter's tests pass after setting the district's schools and statuses, with any profile", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-first-day-'));
  assert.is((await sisflow(['init', 'destiny', dir])).code, 0);
  const spec = join(dir, 'patrons.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('default: [991, 992, 993, 994, 995]', 'default: [991, 993]').replace('default: [active, pre-enrolled]', 'default: [active]'));
  for (const extra of [[], ['--profile', 'production'], ['--param', 'schools=997']]) {
    const r = await sisflow(['test', spec, ...extra]);
    assert.is(r.code, 0, `${extra.join(' ')}\n${r.stdout}`);
    assert.match(r.stdout, '7 passed, 0 failed');
  }
});

test('a test whose rows vanish says which filter dropped them, with the params it used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-first-day-'));
  assert.is((await sisflow(['init', 'destiny', dir])).code, 0);
  const spec = join(dir, 'patrons.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('params: { schools: [994] }', 'params: { schools: [995] }'));
  const r = await sisflow(['test', spec]);
  assert.is(r.code, 1);
  assert.match(r.stdout, "patrons: expected 2 row(s), got 0\n       where the rows went:\n         source staff: 2 given, 0 kept by its where `PSC in $schools and TG = '' and not DEL` ($schools = [995]");
});

test('doctor lists every missing setting and secret at once, by name, and exits 1; on the demo it finds nothing', async () => {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('SISFLOW_SECRET') || k.startsWith('DESTINY_') || k.startsWith('AERIES_')) delete process.env[k];
  try {
    const r = await sisflow(['doctor', 'examples/destiny/patrons.yaml', '--profile', 'production']);
    assert.is(r.code, 1);
    for (const name of ['${env:AERIES_SQL_SERVER}', '${env:AERIES_DATABASE}', '${env:DESTINY_SFTP_HOST}', '${env:DESTINY_SFTP_USER}', '${env:DESTINY_SFTP_HOST_KEY}', '${secret:aeries_sql_password}', '${secret:destiny_sftp_password}']) {
      assert.match(r.stdout, `MISSING  ${name}`);
    }
    assert.match(r.stdout, 'set SISFLOW_SECRET_DESTINY_SFTP_PASSWORD');
    assert.match(r.stdout, '7 problem(s) found');
    process.env.SISFLOW_SECRET_DESTINY_SFTP_PASSWORD = 'Sup3r-secret';
    const fewer = await sisflow(['doctor', 'examples/destiny/patrons.yaml', '--profile', 'production', '--json']);
    const json = JSON.parse(fewer.stdout) as { ok: boolean; missing: { name: string }[] };
    assert.is(json.ok, false);
    assert.is(json.missing.length, 6);
    assert.not.match(fewer.stdout, 'Sup3r-secret');
  } finally {
    process.env = saved;
  }
  const demo = await sisflow(['doctor', 'examples/destiny/patrons.yaml']);
  assert.is(demo.code, 0, demo.stdout);
  assert.match(demo.stdout, 'no problems found');
});

test('sisflow with no arguments prints the overview and exits 0', async () => {
  const r = await sisflow([]);
  assert.is(r.code, 0);
  assert.match(r.stdout, 'Usage: sisflow');
  assert.match(r.stdout, 'validate');
});

test('schedule takes a profile and params', async () => {
  const r = await sisflow(['schedule', 'examples/destiny/patrons.yaml', '--profile', 'production', '--count', '2']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'America/Los_Angeles; next 2 run(s)');
});

test('validate --sarif writes SARIF 2.1.0 with each diagnostic at its line; test --junit writes JUnit XML', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-first-day-'));
  assert.is((await sisflow(['init', 'destiny', dir])).code, 0);
  const spec = join(dir, 'patrons.yaml');
  const good = readFileSync(spec, 'utf8');
  writeFileSync(spec, good.replace('Last Name: LN\n', 'Last Name: LNN\n'));
  const sarifFile = join(dir, 'out.sarif');
  assert.is((await sisflow(['validate', spec, '--sarif', sarifFile])).code, 1);
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
  assert.is(sarif.version, '2.1.0');
  const [result] = sarif.runs[0].results;
  assert.is(result.ruleId, 'SF302');
  assert.is(result.level, 'error');
  const line = good.split('\n').findIndex((l: string) => l.includes('Last Name: LN')) + 1;
  assert.is(result.locations[0].physicalLocation.region.startLine, line);
  assert.match(result.locations[0].physicalLocation.artifactLocation.uri, /patrons\.yaml$/);
  assert.equal(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id), ['SF302']);

  writeFileSync(spec, good.replace('params: { schools: [994] }', 'params: { schools: [995] }'));
  const junitFile = join(dir, 'results.xml');
  assert.is((await sisflow(['test', spec, '--junit', junitFile])).code, 1);
  const xml = readFileSync(junitFile, 'utf8');
  assert.match(xml, '<testsuites name="sisflow" tests="7" failures="1">');
  assert.is(xml.match(/<testcase /g)!.length, 7);
  assert.match(xml, /<testcase classname="[^"]+patrons\.yaml" name="staff become Teacher or Staff patrons with a T-prefixed barcode">\n\s+<failure message="patrons: expected 2 row\(s\), got 0">/);
  assert.match(xml, 'PSC in $schools and TG = &apos;&apos;'.replace(/&apos;/g, "'"));
});

test('init siras: comments, a guard, a production profile, and tests that pass at once and after the first edit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-init-siras-'));
  const init = await sisflow(['init', 'siras', dir]);
  assert.is(init.code, 0, init.stderr);
  assert.match(init.stdout, 'sisflow test siras-export.yaml');
  const spec = join(dir, 'siras-export.yaml');
  const text = readFileSync(spec, 'utf8');
  assert.match(text, '# yaml-language-server: $schema=./sisflow.schema.json');
  assert.match(text, 'guard: { key: Student ID, max_removed: 10%');
  assert.match(text, '  production:');
  assert.match(text, '#   sisflow test siras-export.yaml', 'its comments name the user\'s file, not the checkout\'s');
  assert.match((await sisflow(['test', spec])).stdout, '2 passed, 0 failed');
  // The README's first edit: the district's own schools and CDS code.
  writeFileSync(spec, text.replace('default: [991, 992, 993, 994, 995]', 'default: [101, 102]').replace('district_cds_code: "0000000"', 'district_cds_code: "1964212"'));
  for (const extra of [[], ['--profile', 'production']]) {
    const r = await sisflow(['test', spec, ...extra]);
    assert.is(r.code, 0, `${extra.join(' ')}\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, '2 passed, 0 failed');
  }
  const plan = await sisflow(['plan', spec, '--profile', 'production']);
  assert.is(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, 'Student Data / Student Programs / Special Education');
  assert.match(plan.stdout, 'sftp://${env:SIRAS_SFTP_HOST}:7472/siras-demographics.csv');
});

test('init oneroster: runs on the demo district into a conforming bundle; tests pass at once and after the first edit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-init-oneroster-'));
  const init = await sisflow(['init', 'oneroster', dir]);
  assert.is(init.code, 0, init.stderr);
  const spec = join(dir, 'oneroster.yaml');
  const text = readFileSync(spec, 'utf8');
  assert.match(text, '  production:');
  assert.match((await sisflow(['test', spec])).stdout, '2 passed, 0 failed');
  writeFileSync(spec, text.replace('default: Demo Unified School District }', 'default: Prior Unified School District }').replace('school_year: { type: int, default: 2027', 'school_year: { type: int, default: 2028'));
  for (const extra of [[], ['--profile', 'production']]) {
    const r = await sisflow(['test', spec, ...extra]);
    assert.is(r.code, 0, `${extra.join(' ')}\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, '2 passed, 0 failed');
  }
  const run = await sisflow(['run', spec]);
  assert.is(run.code, 0, run.stderr + run.stdout);
  const check = await sisflow(['oneroster', 'check', join(dir, 'out', 'oneroster.zip')]);
  assert.is(check.code, 0, check.stderr);
  assert.match(check.stdout, 'conforms to OneRoster 1.1 CSV');
  assert.is((await sisflow(['validate', spec, '--profile', 'production'])).code, 0);
});

test.run();
