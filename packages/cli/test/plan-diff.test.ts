// `sisflow plan SPEC --diff OLD` (issue 23, item 7): the changes a reviewer must see, against a
// git revision, another spec or a saved plan.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import { BASE } from './helpers.js';

async function sisflow(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t), stderrRaw: () => undefined, color: false, tty: false });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-diff-'));
  const git = (...a: string[]) => execFileSync('git', ['-C', dir, ...a], { stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(dir, 'spec.yaml'), BASE);
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qm', 'first');
  return dir;
}

const EDITED = BASE.replace('Grade: grade_label(GR)', "Grade: \"grade_label(GR, {-1: 'PK'})\"")
  .replace('where: SC in $schools', 'where: SC in $schools and GR >= 0')
  .replace('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: out, path: f.csv, quote: all }');

test('against the committed spec: the changed expression, filter with its SQL, and output setting, nothing else', async () => {
  const dir = repo();
  const spec = join(dir, 'spec.yaml');
  assert.match((await sisflow(['plan', spec, '--diff', 'HEAD', '--today', '2026-11-23'])).stdout, 'no changes');
  writeFileSync(spec, EDITED);
  const r = await sisflow(['plan', spec, '--diff', 'HEAD', '--today', '2026-11-23', '--json']);
  assert.is(r.code, 0, r.stderr);
  const { changes } = JSON.parse(r.stdout) as { changes: { kind: string; what: string; before?: string; after?: string }[] };
  assert.equal(changes.map((c) => c.what), ['source stu: where', 'source stu: where (sqlite)', 'step m: column Grade', 'output f: settings']);
  assert.is(changes[2]!.after, "grade_label(GR, {-1: 'PK'})");
  assert.match(changes[1]!.after!, '"GR" >= @p2');
  const text = (await sisflow(['plan', spec, '--diff', 'HEAD', '--today', '2026-11-23'])).stdout;
  assert.match(text, "~ step m: column Grade\n    was: grade_label(GR)\n    now: grade_label(GR, {-1: 'PK'})");
});

test('against a saved plan or another spec; an unknown revision is a clear error', async () => {
  const dir = repo();
  const spec = join(dir, 'spec.yaml');
  assert.is((await sisflow(['plan', spec, '-o', join(dir, 'plan.json'), '--today', '2026-11-23'])).code, 0);
  writeFileSync(join(dir, 'edited.yaml'), EDITED);
  const fromPlan = await sisflow(['plan', join(dir, 'edited.yaml'), '--diff', join(dir, 'plan.json'), '--today', '2026-11-23']);
  assert.match(fromPlan.stdout, '4 change(s)');
  const fromSpec = await sisflow(['plan', join(dir, 'edited.yaml'), '--diff', spec, '--today', '2026-11-23']);
  assert.is(fromSpec.stdout.replace(spec, 'X'), fromPlan.stdout.replace(join(dir, 'plan.json'), 'X'));
  const bad = await sisflow(['plan', spec, '--diff', 'no-such-rev']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, 'neither a file nor a git revision');
});

test('plan -o says where it wrote', async () => {
  const dir = repo();
  const r = await sisflow(['plan', join(dir, 'spec.yaml'), '-o', join(dir, 'p.json')]);
  assert.match(r.stdout, `to ${join(dir, 'p.json')}`);
});

test.run();
