// A OneRoster bundle held for approval: the whole bundle (manifest, every file, checked) is staged
// beside its destination as publishing would write it; publishing the held stage gives the bytes a
// normal run gives; discarding removes it; a destination or snapshot changed since the run, or an
// altered stage, is refused and nothing is published.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HeldContext, HeldStage } from '@sisflow/core';
import { readBundle } from '@sisflow/connectors/oneroster';
import { registry, runSpec, tempDir } from './sftp-helpers.js';
import { BUNDLE_SPEC, writeStudents } from './oneroster/held-bundle-spec.js';

const held = (dir: string) => readdirSync(join(dir, 'out')).filter((n) => n.startsWith('.sisflow-held-')).sort();
const heldContext = (connection: Record<string, unknown> = {}): HeldContext => ({ connection, signal: new AbortController().signal, log: () => undefined });
const sink = () => registry.get('oneroster-csv')!.sink!;

/** Publishes every output's stage, as `sisflow approve` does. */
async function publishAll(approval: Record<string, HeldStage>): Promise<void> {
  for (const stage of Object.values(approval)) await sink().publishHeld!(stage, heldContext());
}

/** What a normal (not held) run writes for these students, in a folder of its own. */
async function normalRun(spec: string, from: number, to: number, file = 'out/oneroster.zip'): Promise<Buffer> {
  const dir = await tempDir('sisflow-or-held-normal-');
  writeStudents(dir, from, to);
  const r = await runSpec(spec, {}, { baseDir: dir });
  assert.ok(r.report.ok, r.report.error);
  return readFileSync(join(dir, file));
}

test('a held zip bundle waits beside its destination; publishing it gives the bytes of a normal run', async () => {
  const dir = await tempDir('sisflow-or-held-');
  writeStudents(dir, 1, 100);
  assert.ok((await runSpec(BUNDLE_SPEC(), {}, { baseDir: dir })).report.ok);
  const zip = join(dir, 'out/oneroster.zip');
  const before = readFileSync(zip);
  writeStudents(dir, 1, 80);
  const { report } = await runSpec(BUNDLE_SPEC(), {}, { baseDir: dir, review: async () => 'hold' });
  assert.ok(report.ok, report.error);
  assert.equal(Object.keys(report.approval!).sort(), ['orgs', 'users']);
  assert.ok(readFileSync(zip).equals(before), 'nothing published');
  assert.is(held(dir).length, 1, 'one held zip for the whole bundle');
  assert.match(held(dir)[0]!, /^\.sisflow-held-oneroster\.zip\./);
  assert.equal(report.outputs.users!.committed, false);
  await publishAll(report.approval!);
  assert.equal(held(dir), []);
  assert.ok(readFileSync(zip).equals(await normalRun(BUNDLE_SPEC(), 1, 80)), 'the published zip is byte for byte what a normal run writes');
  assert.is(Buffer.from(readBundle(zip).get('users.csv')!).toString('utf8').trimEnd().split('\r\n').length, 1 + 80);
  // Approving again: the stage is gone, and the carrier says so.
  const again = await Promise.all(Object.values(report.approval!).map((s) => sink().publishHeld!(s, heldContext()).then(() => 'ok', (e: Error) => e.message)));
  assert.ok(again.some((m) => /held stage of .*oneroster\.zip is gone/.test(m)), again.join('; '));
});

test('discarding a held bundle removes its stage and leaves the destination as it was', async () => {
  const dir = await tempDir('sisflow-or-held-');
  writeStudents(dir, 1, 10);
  assert.ok((await runSpec(BUNDLE_SPEC(), {}, { baseDir: dir })).report.ok);
  const before = readFileSync(join(dir, 'out/oneroster.zip'));
  writeStudents(dir, 1, 5);
  const { report } = await runSpec(BUNDLE_SPEC(), {}, { baseDir: dir, review: async () => 'hold' });
  for (const stage of Object.values(report.approval!)) await sink().discardHeld!(stage, heldContext());
  assert.equal(held(dir), []);
  assert.ok(readFileSync(join(dir, 'out/oneroster.zip')).equals(before));
  // Discarding twice is harmless.
  for (const stage of Object.values(report.approval!)) await sink().discardHeld!(stage, heldContext());
});

test('a held bundle is refused, publishing nothing, when the destination changed since the run or the stage was altered', async () => {
  const dir = await tempDir('sisflow-or-held-');
  writeStudents(dir, 1, 10);
  assert.ok((await runSpec(BUNDLE_SPEC(), {}, { baseDir: dir })).report.ok);
  writeStudents(dir, 1, 5);
  const { report } = await runSpec(BUNDLE_SPEC(), {}, { baseDir: dir, review: async () => 'hold' });
  // Another run published meanwhile.
  writeStudents(dir, 1, 7);
  assert.ok((await runSpec(BUNDLE_SPEC(), {}, { baseDir: dir })).report.ok);
  const now = readFileSync(join(dir, 'out/oneroster.zip'));
  const carrier = Object.values(report.approval!).find((s) => (s.state as { file?: string; carrier?: string }).file === (s.state as { carrier?: string }).carrier)!;
  const refused = await sink().publishHeld!(carrier, heldContext()).then(() => 'published', (e: Error) => e.message);
  assert.match(refused, /oneroster\.zip changed since the run was held/);
  assert.ok(readFileSync(join(dir, 'out/oneroster.zip')).equals(now));
  writeFileSync(join(dir, 'out', held(dir)[0]!), 'not a zip');
  assert.match(await sink().publishHeld!(carrier, heldContext()).then(() => 'published', (e: Error) => e.message), /held stage of .*oneroster\.zip was altered/);
  assert.ok(readFileSync(join(dir, 'out/oneroster.zip')).equals(now));
});

test('a held folder bundle is published as a normal run writes it', async () => {
  const spec = BUNDLE_SPEC('path: out/oneroster');
  const dir = await tempDir('sisflow-or-held-');
  writeStudents(dir, 1, 20);
  assert.ok((await runSpec(spec, {}, { baseDir: dir })).report.ok);
  writeStudents(dir, 3, 20);
  const { report } = await runSpec(spec, {}, { baseDir: dir, review: async () => 'hold' });
  assert.ok(report.ok, report.error);
  assert.is(readFileSync(join(dir, 'out/oneroster/users.csv'), 'utf8').trimEnd().split('\r\n').length, 1 + 20, 'nothing published');
  assert.is(held(dir).length, 1);
  await publishAll(report.approval!);
  assert.equal(held(dir), []);
  const ref = await tempDir('sisflow-or-held-normal-');
  writeStudents(ref, 3, 20);
  assert.ok((await runSpec(spec, {}, { baseDir: ref })).report.ok);
  const files = readdirSync(join(ref, 'out/oneroster')).sort();
  assert.equal(readdirSync(join(dir, 'out/oneroster')).sort(), files);
  for (const f of files) assert.ok(readFileSync(join(dir, 'out/oneroster', f)).equals(readFileSync(join(ref, 'out/oneroster', f))), f);
});

test('delta mode: the held bundle holds the next snapshot too; approving moves both, discarding neither', async () => {
  const spec = BUNDLE_SPEC('path: out/oneroster.zip, mode: delta');
  const at = new Date('2026-11-23T05:30:00Z');
  const dir = await tempDir('sisflow-or-held-');
  const snapshot = join(dir, 'out/.oneroster.zip.snapshot.zip');
  writeStudents(dir, 1, 10);
  assert.ok((await runSpec(spec, {}, { baseDir: dir, now: at })).report.ok);
  const snap0 = readFileSync(snapshot);
  writeStudents(dir, 1, 6);
  const first = await runSpec(spec, {}, { baseDir: dir, now: at, review: async () => 'hold' });
  assert.ok(first.report.ok, first.report.error);
  assert.is(held(dir).length, 2, 'the zip and the next snapshot are held');
  for (const stage of Object.values(first.report.approval!)) await sink().discardHeld!(stage, heldContext());
  assert.equal(held(dir), []);
  assert.ok(readFileSync(snapshot).equals(snap0), 'a discarded run leaves the snapshot where it was');
  const second = await runSpec(spec, {}, { baseDir: dir, now: at, review: async () => 'hold' });
  await publishAll(second.report.approval!);
  assert.equal(held(dir), []);
  const users = Buffer.from(readBundle(join(dir, 'out/oneroster.zip')).get('users.csv')!).toString('utf8').trimEnd().split('\r\n');
  assert.equal(users.slice(1).map((l) => l.split(',').slice(0, 2).join(',')).sort(), ['stu-10,tobedeleted', 'stu-7,tobedeleted', 'stu-8,tobedeleted', 'stu-9,tobedeleted']);
  // The snapshot moved on with the approved bundle: the next run has nothing to send for users.
  const next = await runSpec(spec, {}, { baseDir: dir, now: at });
  assert.ok(next.report.ok, next.report.error);
  assert.not.ok(readBundle(join(dir, 'out/oneroster.zip')).has('users.csv'));
  assert.ok(existsSync(snapshot));
});

test('a bundle that does not conform cannot be held either: the run fails and nothing is staged', async () => {
  const dir = await tempDir('sisflow-or-held-');
  writeStudents(dir, 1, 10);
  const broken = BUNDLE_SPEC().replace(`role: "'student'"`, `role: "'learner'"`);
  const { report } = await runSpec(broken, {}, { baseDir: dir, review: async () => 'hold' });
  assert.not.ok(report.ok);
  assert.match(report.error!, /could not be held: the bundle does not conform to OneRoster 1\.1/);
  assert.equal(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : [], [], 'no zip, no stage, no temporary file');
});

test.run();
