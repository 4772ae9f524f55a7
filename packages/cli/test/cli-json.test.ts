// Where output goes (issue 23, item 6): every verb takes --json (and `--format json`, its older
// spelling) and then prints exactly one JSON document on stdout, with diagnostics and progress on
// stderr; in text mode results are on stdout too, so `sisflow run … > run.log` holds the report.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import { startFaultServer } from '../../connectors/test/sftp/fault-server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

async function sisflow(args: string[], signal?: AbortSignal, onStdout?: (t: string) => void) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const write = (t: string) => {
    stdout.push(t);
    onStdout?.(t);
  };
  const code = await main(args, { stdout: write, stderr: (t) => void stderr.push(t), stderrRaw: (t) => void stderr.push(t), color: false, tty: false }, signal);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** Runs a verb with --json: stdout must be one JSON document, and stderr must hold none of it. */
async function json(args: string[], expectCode = 0): Promise<Record<string, unknown> & { ok?: boolean }> {
  const r = await sisflow([...args, '--json']);
  assert.is(r.code, expectCode, `${args.join(' ')}: exit ${r.code}\n${r.stderr}\n${r.stdout}`);
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch (e) {
    assert.unreachable(`${args.join(' ')} --json: stdout is not JSON (${(e as Error).message}):\n${r.stdout.slice(0, 400)}`);
  }
  assert.not.match(r.stderr, /^\s*[{[]/m, `${args.join(' ')} --json printed JSON on stderr:\n${r.stderr}`);
  return doc as Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'sisflow-json-'));
const spec = join(dir, 'patrons.yaml');

test('init, validate, plan, test, schedule, grants, doctor, access check, schema: --json gives one JSON document on stdout', async () => {
  const init = await json(['init', 'destiny', dir]);
  assert.equal(init.wrote, [spec, join(dir, 'sisflow.schema.json')]);
  assert.is((await json(['validate', spec])).ok, true);
  const plan = await json(['plan', spec]);
  assert.is(plan.name, 'destiny-patrons');
  const tests = await json(['test', spec]);
  assert.is(tests.ok, true);
  assert.is(tests.failed, 0);
  assert.ok((tests.passed as number) > 0);
  const schedule = await json(['schedule', spec, '--count', '2']);
  assert.is((schedule.next as string[]).length, 2);
  const grants = (await json(['grants', spec, '--profile', 'production'])) as { grants: { connection: string; sql: string }[] };
  assert.is(grants.grants[0]!.connection, 'aeries');
  assert.match(grants.grants[0]!.sql, 'GRANT SELECT');
  assert.is((await json(['doctor', spec])).ok, true);
  assert.is((await json(['access', 'check', spec])).ok, true);
  assert.is((await json(['schema'])).type, 'object');
});

test('--format json is the same switch as --json, on every verb', async () => {
  const a = await sisflow(['schedule', spec, '--format', 'json']);
  assert.is(a.code, 0, a.stderr);
  assert.is((JSON.parse(a.stdout) as { name: string }).name, 'destiny-patrons');
  const v = await sisflow(['validate', spec, '--format', 'json']);
  assert.is((JSON.parse(v.stdout) as { ok: boolean }).ok, true);
});

test('a verb that cannot produce its result still prints JSON on stdout: ok false, with the diagnostics or the error', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'sisflow: 1\nname: bad\nsources: {}\nbogus: 1\n');
  for (const verb of [['validate'], ['plan'], ['run', '--dry-run'], ['test'], ['schedule'], ['grants'], ['doctor'], ['access', 'check']]) {
    const doc = await json([...verb, bad], 1);
    assert.is(doc.ok, false, verb.join(' '));
    const said = doc.diagnostics ?? doc.error ?? (doc.files as { error?: string }[] | undefined)?.[0]?.error;
    assert.match(JSON.stringify(said), /SF\d{3}/, verb.join(' '));
  }
  const r = await sisflow(['plan', bad, '--json']);
  assert.match(r.stderr, /bad\.yaml:\d+:\d+: error SF/, 'people still read the diagnostics on stderr');
  assert.is((await json(['init', 'nothing', dir], 2)).ok, false);
  assert.is((await json(['init', 'destiny', dir], 1)).ok, false);
  assert.is((await json(['history', '-C', join(dir, 'nowhere')], 1)).ok, false);
  assert.is((await json(['oneroster', 'check', join(dir, 'nowhere')], 2)).ok, false);
  assert.is((await json(['sftp', 'fingerprint', 'no:such:host'], 2)).ok, false);
});

test('run, history, show, approve, discard and demo --json; a guard-held run is approved and another discarded', async () => {
  const first = await json(['run', spec]);
  assert.is(first.ok, true);
  const runId = first.run as string;
  const runs = (await json(['history', '-C', dir])) as unknown as { id: string; status: string }[];
  assert.equal(runs.map((r) => [r.id, r.status]), [[runId, 'ok']]);
  assert.is(((await json(['show', runId, '-C', dir])) as { id: string }).id, runId);
  // One school instead of five removes far more than the guard's 10 %: held (exit 3).
  const held = await json(['run', spec, '--param', 'schools=991'], 3);
  assert.ok(held.approval, 'held for approval');
  const approved = await json(['approve', held.run as string, '-C', dir]);
  assert.is(approved.decision, 'approved');
  assert.ok((approved.outputs as { path: string }[]).some((o) => o.path.endsWith('patrons.csv')));
  const again = await json(['run', spec, '--param', 'schools=992'], 3);
  assert.is((await json(['discard', again.run as string, '-C', dir])).decision, 'discarded');
  assert.is((await json(['approve', again.run as string, '-C', dir], 1)).ok, false);

  const cwd = process.cwd();
  const demoDir = join(dir, 'demo');
  mkdirSync(demoDir);
  process.chdir(demoDir);
  try {
    const demo = (await json(['demo'])) as { ok: boolean; test: { passed: number }; run: { ok: boolean }; output: { firstLines: string[] } };
    assert.is(demo.ok, true);
    assert.ok(demo.test.passed > 0);
    assert.is(demo.run.ok, true);
    assert.match(demo.output.firstLines[0]!, 'District ID');
  } finally {
    process.chdir(cwd);
  }
});

test('oneroster check and sftp fingerprint --json', async () => {
  const bundle = join(dir, 'bundle');
  mkdirSync(bundle);
  const files = ['academicSessions', 'categories', 'classes', 'classResources', 'courses', 'courseResources', 'demographics', 'enrollments', 'lineItems', 'orgs', 'resources', 'results', 'users'];
  writeFileSync(join(bundle, 'manifest.csv'), ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.1', ...files.map((f) => `file.${f},${f === 'orgs' ? 'bulk' : 'absent'}`)].join('\n') + '\n');
  writeFileSync(join(bundle, 'orgs.csv'), 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd1,,,District,district,,\n');
  assert.is((await json(['oneroster', 'check', bundle])).ok, true);
  const server = await startFaultServer();
  try {
    const fp = (await json(['sftp', 'fingerprint', `127.0.0.1:${server.port}`])) as { host_key: string };
    assert.is(fp.host_key, server.fingerprint);
  } finally {
    await server.stop();
  }
});

test('serve --json writes its log as JSON lines on stdout until it is stopped', async () => {
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'sisflow.yaml'), 'sisflow_project: 1\ndistrict: { name: Test USD, timezone: America/Los_Angeles }\nspecs: ["*.yaml"]\n');
  writeFileSync(join(project, 'patrons.yaml'), readFileSync(spec, 'utf8').replace(/^schedule:[\s\S]*?\n(?=\S)/m, ''));
  const stop = new AbortController();
  const r = await sisflow(['serve', project, '--json'], stop.signal, (line) => {
    if (line.includes('sisflow serve started')) stop.abort();
  });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.ok(lines.length >= 2);
  for (const l of lines) assert.type((JSON.parse(l) as { msg: string }).msg, 'string');
});

test('text results are on stdout: validate says ok there, and `run … > run.log` holds the report', () => {
  const v = spawnSync(process.execPath, [BIN, 'validate', spec], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.is(v.status, 0, v.stderr);
  assert.match(v.stdout, `${spec}: ok (plan `);
  assert.is(v.stderr, '');
  const log = join(dir, 'run.log');
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" run "${spec}" --dry-run > "${log}"`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.is(r.status, 0, r.stderr);
  assert.match(readFileSync(log, 'utf8'), /destiny-patrons: dry run finished \(nothing published\)[\s\S]*output patrons_csv: \d+ row\(s\) would go to/);
});

test('every verb of `sisflow --help` offers --json', async () => {
  const leaves: string[][] = [];
  const walk = async (path: string[]) => {
    const help = (await sisflow([...path, '--help'])).stdout;
    const commands = help.split('Commands:\n')[1];
    if (!commands) return void leaves.push(path);
    for (const m of commands.matchAll(/^  (\S+)/gm)) if (m[1] !== 'help') await walk([...path, m[1]!]);
  };
  await walk([]);
  assert.ok(leaves.length >= 25, leaves.map((l) => l.join(' ')).join(', '));
  for (const verb of leaves) assert.match((await sisflow([...verb, '--help'])).stdout, '--json', `sisflow ${verb.join(' ')} has no --json`);
});

test.run();
