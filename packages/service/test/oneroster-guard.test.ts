// The guard on a OneRoster bundle through the CLI: a run whose users.csv loses more sourcedIds than
// the guard allows is held and nothing reaches the destination; `sisflow approve`, in another
// process, publishes the identical bytes a normal run writes; `init oneroster`'s starter carries
// the guard and its tests pass as written.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/src/cli.js';
import { BUNDLE_SPEC, writeStudents } from '../../connectors/test/oneroster/held-bundle-spec.js';
import { capture } from './helpers.js';

const heldNames = (dir: string) => readdirSync(join(dir, 'out')).filter((n) => n.startsWith('.sisflow-held-'));

test('users.csv shrinking past the guard holds the bundle; approve publishes the bytes a normal run writes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-or-guard-'));
  const spec = join(dir, 'roster.yaml');
  writeFileSync(spec, BUNDLE_SPEC());
  writeStudents(dir, 1, 100);
  const c = capture();
  assert.is(await main(['run', spec], c.out), 0, c.errors() + c.text());
  const zip = join(dir, 'out', 'oneroster.zip');
  const before = readFileSync(zip);
  writeStudents(dir, 1, 85); // 15 of 100 users removed, over max_removed 10%
  c.clear();
  assert.is(await main(['run', spec], c.out), 3, 'exit 3: held');
  assert.match(c.text(), 'HELD for approval');
  assert.match(c.text(), '15 row(s) removed, more than max_removed 10% of the 100 published last time');
  assert.ok(readFileSync(zip).equals(before), 'nothing reached the destination');
  assert.is(heldNames(dir).length, 1);
  const id = /sisflow approve (\S+)`/.exec(c.text())![1]!;
  const approve = spawnSync(process.execPath, ['--conditions=sisflow-source', '--import', 'tsx', join(import.meta.dirname, '../../cli/src/bin.ts'), 'approve', id, '-C', dir], { encoding: 'utf8' });
  assert.is(approve.status, 0, approve.stderr + approve.stdout);
  assert.match(approve.stdout, `run ${id} approved`);
  assert.equal(heldNames(dir), []);
  // The same data, run normally in a folder of its own.
  const ref = mkdtempSync(join(tmpdir(), 'sisflow-or-guard-ref-'));
  writeFileSync(join(ref, 'roster.yaml'), BUNDLE_SPEC());
  writeStudents(ref, 1, 85);
  c.clear();
  assert.is(await main(['run', join(ref, 'roster.yaml')], c.out), 0, c.errors());
  assert.ok(readFileSync(zip).equals(readFileSync(join(ref, 'out', 'oneroster.zip'))), 'the approved zip is the bytes a normal run writes');
  // Judged against the approved bundle now: the same users again is no change.
  c.clear();
  assert.is(await main(['run', spec], c.out), 0, c.text());
});

test('discard drops the held bundle and the destination keeps the last published one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-or-guard-'));
  const spec = join(dir, 'roster.yaml');
  writeFileSync(spec, BUNDLE_SPEC('path: out/oneroster'));
  writeStudents(dir, 1, 50);
  const c = capture();
  assert.is(await main(['run', spec], c.out), 0, c.errors());
  const users = readFileSync(join(dir, 'out', 'oneroster', 'users.csv'));
  writeStudents(dir, 1, 10);
  c.clear();
  assert.is(await main(['run', spec], c.out), 3);
  const id = /sisflow discard (\S+)`/.exec(c.text())?.[1] ?? /sisflow approve (\S+)`/.exec(c.text())![1]!;
  c.clear();
  assert.is(await main(['discard', id, '-C', dir], c.out), 0, c.errors());
  assert.equal(heldNames(dir), []);
  assert.ok(readFileSync(join(dir, 'out', 'oneroster', 'users.csv')).equals(users));
});

test("init oneroster: the starter guards users.csv, and its tests pass right after init", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-init-or-guard-'));
  const c = capture();
  assert.is(await main(['init', 'oneroster', dir], c.out), 0, c.errors());
  const spec = join(dir, 'oneroster.yaml');
  assert.match(readFileSync(spec, 'utf8'), /users: \{ from: users, to: bundle, file: users, guard: \{ key: sourcedId, max_removed: 10% \} \}/);
  c.clear();
  assert.is(await main(['test', spec], c.out), 0, c.text() + c.errors());
  assert.match(c.text(), '2 passed, 0 failed');
  for (const profile of [[], ['--profile', 'production']]) {
    c.clear();
    assert.is(await main(['validate', spec, ...profile], c.out), 0, c.errors());
  }
  // The demo district twice: the second run is judged against the first and published.
  for (let i = 0; i < 2; i++) {
    c.clear();
    assert.is(await main(['run', spec], c.out), 0, c.errors() + c.text());
  }
});

test.run();
