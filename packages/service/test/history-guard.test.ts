// Recorded runs, the overlap lock, and the large-change hold: held → approve publishes the staged
// bytes → a second approve is refused; discard; a destination changed since the run is refused.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/src/cli.js';
import { HISTORY_MIGRATIONS, historyPath, SqliteHistory } from '@sisflow/service';
import { capture, makeProject, writeStudents } from './helpers.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const heldFiles = (dir: string) => readdirSync(join(dir, 'out')).filter((f) => f.startsWith('.sisflow-held-'));

test('every run is recorded with its counts, files and hashes; the summary is on stdout', async () => {
  const dir = makeProject(100);
  const c = capture();
  assert.is(await main(['run', dir], c.out), 0, c.errors());
  assert.match(c.text(), /^run \d{8}-\d{6}-[0-9a-f]{6}\nroster: finished/m);
  assert.match(c.text(), 'output roster: 100 row(s) →');
  c.clear();
  assert.is(await main(['history', '-C', dir, '--json'], c.out), 0, c.errors());
  const runs = JSON.parse(c.text()) as { id: string; status: string; trigger: string; spec: string }[];
  assert.equal(runs.map((r) => [r.spec, r.status, r.trigger]), [['roster', 'ok', 'manual']]);
  c.clear();
  assert.is(await main(['show', runs[0]!.id, '-C', dir, '--json'], c.out), 0);
  const run = JSON.parse(c.text()) as { report: { sources: Record<string, { rows: number }>; outputs: Record<string, { files: { path: string; sha256: string; bytes: number }[] }> }; guard: { held: boolean } };
  assert.is(run.report.sources.students!.rows, 100);
  assert.is(run.report.outputs.roster!.files[0]!.sha256, sha(join(dir, 'out', 'roster.csv')));
  assert.is(run.guard.held, false);
  const store = SqliteHistory.open(historyPath(dir));
  assert.is(store.version, HISTORY_MIGRATIONS.length);
  await store.close();
});

test('a guard holds a large change; approve publishes exactly the staged bytes; a second approve is refused', async () => {
  const dir = makeProject(100);
  const c = capture();
  assert.is(await main(['run', dir], c.out), 0);
  const before = readFileSync(join(dir, 'out', 'roster.csv'));
  writeStudents(dir, 1, 80); // 20 % removed, over max_removed 10%
  c.clear();
  assert.is(await main(['run', dir], c.out), 3, 'exit 3: held');
  assert.match(c.text(), 'HELD for approval');
  assert.match(c.text(), '20 row(s) removed, more than max_removed 10% of the 100 published last time');
  assert.match(c.text(), 'removed {"ID":81,"LN":"Name81"}');
  assert.ok(readFileSync(join(dir, 'out', 'roster.csv')).equals(before), 'nothing published');
  const [staged] = heldFiles(dir);
  assert.ok(staged, 'the stage is kept');
  const stagedSha = sha(join(dir, 'out', staged!));
  const id = /sisflow approve (\S+)`/.exec(c.text())![1]!;
  // The stage survives this process: approve runs in another one, as an operator would.
  const approve = spawnSync(process.execPath, ['--conditions=sisflow-source', '--import', 'tsx', join(import.meta.dirname, '../../cli/src/bin.ts'), 'approve', id, '-C', dir], { encoding: 'utf8' });
  assert.is(approve.status, 0, approve.stderr);
  assert.match(approve.stdout, `run ${id} approved`);
  assert.is(sha(join(dir, 'out', 'roster.csv')), stagedSha, 'the published file is the staged bytes');
  assert.equal(heldFiles(dir), []);
  c.clear();
  assert.is(await main(['approve', id, '-C', dir], c.out), 1);
  assert.match(c.errors(), `approve refused: run ${id} is approved`);
  c.clear();
  await main(['history', 'roster', '-C', dir, '--json'], c.out);
  const runs = JSON.parse(c.text()) as { status: string; trigger: string; approves?: string }[];
  assert.equal(runs.map((r) => `${r.status}/${r.trigger}`), ['ok/approve', 'approved/manual', 'ok/manual']);
  // `show` of the approve run says who asked for it: the approver.
  const approver = (JSON.parse(c.text()) as { id: string; requestedBy?: string }[])[0]!;
  assert.ok(approver.requestedBy, 'the approve run records who approved');
  c.clear();
  assert.is(await main(['show', approver.id, '-C', dir], c.out), 0);
  assert.match(c.text(), `trigger approve (approves ${id}), asked by ${approver.requestedBy}, started`);
  // The approved output is what the next run is judged against: 80 more rows is no removal.
  c.clear();
  assert.is(await main(['run', dir], c.out), 0, c.text());
});

test('discard drops the stage and publishes nothing; approve after a changed destination is refused', async () => {
  const dir = makeProject(100);
  const c = capture();
  await main(['run', dir], c.out);
  const before = readFileSync(join(dir, 'out', 'roster.csv'));
  writeStudents(dir, 50, 100);
  c.clear();
  assert.is(await main(['run', dir], c.out), 3);
  const first = /sisflow approve (\S+)`/.exec(c.text())![1]!;
  c.clear();
  assert.is(await main(['discard', first, '-C', dir], c.out), 0, c.errors());
  assert.equal(heldFiles(dir), []);
  assert.ok(readFileSync(join(dir, 'out', 'roster.csv')).equals(before));
  c.clear();
  assert.is(await main(['approve', first, '-C', dir], c.out), 1);
  assert.match(c.errors(), 'is discarded');
  // Held again, then someone replaces the destination by hand: approving would overwrite it.
  c.clear();
  assert.is(await main(['run', dir], c.out), 3);
  const second = /sisflow approve (\S+)`/.exec(c.text())![1]!;
  writeFileSync(join(dir, 'out', 'roster.csv'), 'edited by hand\n');
  c.clear();
  assert.is(await main(['approve', second, '-C', dir], c.out), 1);
  assert.match(c.errors(), 'changed since the run was held');
  assert.is(readFileSync(join(dir, 'out', 'roster.csv'), 'utf8'), 'edited by hand\n');
  // A stage removed behind sisflow's back: refused, saying so.
  for (const f of heldFiles(dir)) (await import('node:fs')).rmSync(join(dir, 'out', f));
  writeFileSync(join(dir, 'out', 'roster.csv'), before);
  c.clear();
  assert.is(await main(['approve', second, '-C', dir], c.out), 1);
  assert.match(c.errors(), 'held stage of');
  assert.match(c.errors(), 'is gone');
});

test('a run refuses to overlap a running run of the same spec; a dead process keeps no lock', async () => {
  const dir = makeProject(10);
  const store = SqliteHistory.open(historyPath(dir));
  const start = { spec: 'roster', file: 'x', planHash: 'h', params: {}, trigger: 'schedule' as const, startedAt: new Date().toISOString() };
  const mine = await store.begin(start); // this process is alive: a real lock
  assert.ok(mine.run);
  const c = capture();
  assert.is(await main(['run', dir], c.out), 1);
  assert.match(c.errors(), /error SF521: roster is already running \(run \S+, schedule/);
  assert.not.ok(existsSync(join(dir, 'out', 'roster.csv')));
  await store.finish(mine.run!.id, { status: 'ok', durationMs: 1 });
  // A run recorded by a process that is gone (killed): the next open marks it failed, and runs go on.
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(child.stdout);
  const raw = (await import('node:module')).createRequire(import.meta.url)('better-sqlite3');
  const db = new raw(historyPath(dir));
  db.prepare(`UPDATE runs SET status = 'running', pid = ? WHERE id = ?`).run(deadPid, mine.run!.id);
  db.close();
  await store.close();
  c.clear();
  assert.is(await main(['run', dir], c.out), 0, c.errors());
  const reopened = SqliteHistory.open(historyPath(dir));
  const abandoned = await reopened.get(mine.run!.id);
  assert.is(abandoned!.status, 'failed');
  assert.match(abandoned!.error!, `abandoned: process ${deadPid} ended`);
  await reopened.close();
});

test('retention forgets old finished runs but keeps held ones', async () => {
  const dir = makeProject(10);
  const store = SqliteHistory.open(historyPath(dir));
  const old = { spec: 'roster', file: 'x', planHash: 'h', params: {}, trigger: 'schedule' as const, startedAt: '2020-01-01T00:00:00.000Z' };
  const a = await store.begin(old);
  await store.finish(a.run!.id, { status: 'ok', durationMs: 1 });
  const b = await store.begin(old);
  await store.finish(b.run!.id, { status: 'held', durationMs: 1 });
  assert.is(await store.prune('2021-01-01T00:00:00.000Z'), 1);
  assert.equal((await store.list()).map((r) => r.status), ['held']);
  await store.close();
});

test.run();
