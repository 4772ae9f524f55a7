// `sisflow serve` as a real child process: SIGTERM mid-run cancels cleanly (no partial output,
// history `cancelled`, exit 0); SIGKILL mid-run leaves a history that is consistent when opened again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { historyPath, SqliteHistory } from '@sisflow/service';
import { projectFile } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** A project with the Destiny example on a big demo district (so a kill lands mid-run), due to catch up at start. */
async function bigProject(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-serve-'));
  mkdirSync(join(dir, 'specs'));
  writeFileSync(join(dir, 'sisflow.yaml'), projectFile());
  const spec = readFileSync(join(ROOT, 'examples/destiny/patrons.yaml'), 'utf8').replace('    demo: true\n', '    demo: true\n    students_per_school: 40000\n');
  writeFileSync(join(dir, 'specs', 'patrons.yaml'), spec);
  spawnSync(process.execPath, [BIN, 'validate', dir]); // builds the demo database before the timed part
  const store = SqliteHistory.open(historyPath(dir));
  const r = await store.begin({ spec: 'destiny-patrons', file: 'x', planHash: 'h', params: {}, trigger: 'schedule', startedAt: '2026-01-05T13:30:00.000Z' });
  await store.finish(r.run!.id, { status: 'ok', durationMs: 1 });
  await store.close();
  return dir;
}

/** Resolves once the service is writing the patrons file (its temporary file exists); fails if it ends first. */
async function writing(dir: string, child: ChildProcess): Promise<void> {
  const out = join(dir, 'specs', 'out');
  while (child.exitCode === null && child.signalCode === null) {
    if (existsSync(out) && readdirSync(out).some((f) => f.startsWith('.sisflow-tmp-patrons.csv.'))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sisflow serve ended (${child.exitCode ?? child.signalCode}) before it started writing`);
}

function serve(dir: string) {
  const child = spawn(process.execPath, [BIN, 'serve', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => void (stdout += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stdout: () => stdout };
}

test('SIGTERM mid-run: the run is cancelled, nothing is published, the history says cancelled, exit 0', async () => {
  const dir = await bigProject();
  const s = serve(dir);
  await writing(dir, s.child);
  s.child.kill('SIGTERM');
  assert.is(await s.exited, 0);
  const lines = s.stdout().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
  assert.ok(lines.some((l) => l.msg === 'run started'));
  assert.ok(lines.some((l) => l.msg === 'sisflow serve stopped'), 'JSON lines on a pipe, to the end');
  const out = join(dir, 'specs', 'out');
  assert.not.ok(existsSync(join(out, 'patrons.csv')), 'no output');
  assert.equal(readdirSync(out).filter((f) => f.startsWith('.sisflow-')), [], 'no temporary or held file');
  const store = SqliteHistory.open(historyPath(dir));
  const [last] = await store.list({ spec: 'destiny-patrons', limit: 1 });
  assert.is(last!.trigger, 'catch_up');
  assert.is(last!.status, 'cancelled');
  await store.close();
});

test('SIGKILL mid-run: on the next open the run is failed (abandoned), the file is sound, and the spec runs again', async () => {
  const dir = await bigProject();
  const s = serve(dir);
  await writing(dir, s.child);
  s.child.kill('SIGKILL');
  await s.exited;
  const store = SqliteHistory.open(historyPath(dir));
  const [last] = await store.list({ spec: 'destiny-patrons', limit: 1 });
  assert.is(last!.status, 'failed');
  assert.match(last!.error!, `abandoned: process ${s.child.pid} ended`);
  await store.close();
  const raw = (await import('node:module')).createRequire(import.meta.url)('better-sqlite3');
  const db = new raw(historyPath(dir), { readonly: true });
  assert.is(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  assert.not.ok(existsSync(join(dir, 'specs', 'out', 'patrons.csv')));
  // No lock is left behind: a run by hand goes through, and clears the killed run's temporary file.
  const again = spawnSync(process.execPath, [BIN, 'run', join(dir, 'specs', 'patrons.yaml'), '--limit', '10'], { encoding: 'utf8' });
  assert.is(again.status, 0, again.stderr);
  assert.equal(readdirSync(join(dir, 'specs', 'out')).filter((f) => f.startsWith('.sisflow-tmp')), []);
});

test.run();
