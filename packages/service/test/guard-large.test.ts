// The guard at scale, in child processes: two runs of 2,000,000 rows keep a few tens of bytes a row
// (the old guard kept every row as an object, and packed them into one string: gigabytes, then a
// crash at V8's string limit); and a run killed mid-stream leaves no chunks, no spool file, and the
// last snapshot as it was.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/src/cli.js';
import { historyPath, SqliteHistory } from '@sisflow/service';
import { capture, makeProject } from './helpers.js';

const tsx = ['--conditions=sisflow-source', '--import', 'tsx'];

test('2,000,000 guarded rows, twice: exact counts, one chunk per 4096 rows, RSS growth bounded', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sisflow-guard-large-')), 'history.db');
  const n = 2_000_000;
  const child = spawnSync(process.execPath, [...tsx, join(import.meta.dirname, 'servers', 'guard-rows.ts'), file, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  assert.is(child.status, 0, child.stderr);
  const r = JSON.parse(child.stdout) as { first: { rows: number }; second: { rows: number; previous: number; removed: number; added: number; changed: number; breaches: string[]; sample: { removed: unknown[]; changed: unknown[]; added: unknown[] } }; chunks: number; rssGrowthMb: number };
  assert.is(r.first.rows, n);
  assert.equal([r.second.previous, r.second.rows, r.second.removed, r.second.added, r.second.changed], [n, n - 2000 + 3000, 2000, 3000, 2000]);
  assert.equal([r.second.sample.removed.length, r.second.sample.changed.length, r.second.sample.added.length], [5, 5, 5]);
  assert.is(r.chunks, Math.ceil((n + 1000) / 4096), 'only the current snapshot is kept, in 4096-row chunks');
  // The key tables take ~35 bytes a row (70 MB at 2 M rows); the old guard took over 2 GB at 1 M.
  assert.ok(r.rssGrowthMb < 250, `RSS grew ${r.rssGrowthMb.toFixed(0)} MB`);
});

test('a run killed mid-stream leaves no chunks and no spool file; the last snapshot stays as it was', async () => {
  const dir = makeProject(300_000);
  const c = capture();
  assert.is(await main(['run', dir], c.out), 0, c.errors());
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const chunks = () => {
    const db = new Database(historyPath(dir), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM snapshot_chunks').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const before = chunks();
  assert.is(before, Math.ceil(300_000 / 4096));
  const store = SqliteHistory.open(historyPath(dir));
  const published = (await store.snapshot('roster', 'roster'))!.runId;
  await store.close();
  // The run's temporary files go to a folder of its own, to see that it leaves none.
  const tmp = mkdtempSync(join(tmpdir(), 'sisflow-killed-tmp-'));
  const child = spawn(process.execPath, [...tsx, join(import.meta.dirname, '../../cli/src/bin.ts'), 'run', dir], { stdio: 'ignore', env: { ...process.env, TMPDIR: tmp } });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Mid-stream: the output's staged file has passed 1 MB (tens of thousands of rows, several chunks spooled).
  const staged = () => readdirSync(join(dir, 'out')).filter((f) => f.startsWith('.sisflow-tmp-')).map((f) => statSync(join(dir, 'out', f), { throwIfNoEntry: false })?.size ?? 0);
  while (!staged().some((size) => size > 1 << 20)) {
    assert.is(child.exitCode, null, 'the run ended before it could be killed mid-stream');
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  await exited;
  assert.is(chunks(), before, 'no chunk of the killed run');
  // (tsx, which runs the CLI from source here, keeps its cache there too.)
  assert.equal(readdirSync(tmp).filter((f) => !f.startsWith('tsx-')), [], 'no spool file');
  const after = SqliteHistory.open(historyPath(dir));
  assert.is((await after.snapshot('roster', 'roster'))!.runId, published);
  await after.close();
  // The next run is judged against that snapshot: nothing changed.
  c.clear();
  assert.is(await main(['run', dir, '--json'], c.out), 0, c.errors());
  const again = SqliteHistory.open(historyPath(dir));
  const last = (await again.list({ limit: 2 }));
  assert.equal(last.map((r) => r.status), ['ok', 'failed']);
  assert.equal([last[0]!.guard!.outputs[0]!.previous, last[0]!.guard!.outputs[0]!.removed, last[0]!.guard!.outputs[0]!.changed], [300_000, 0, 0]);
  await again.close();
});

test.run();
