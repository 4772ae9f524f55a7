// One contract for every run history store: the same cases run against the embedded SQLite file and
// against a real PostgreSQL server (started for this file), so `sisflow history`, `show`, `approve`,
// `discard`, `run` and the fleet's workers see the same behaviour whichever store a project uses.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JobPlan, RunReport } from '@sisflow/core';
import { GuardWatch, HISTORY_MIGRATIONS, HistoryError, openHistory, POSTGRES_MIGRATIONS, PostgresHistory, SqliteHistory, type HistoryStore, type RunStart } from '@sisflow/service';
import { legacyBlob, snapshotKeys, snapshotRows, spooled } from './snapshot-helpers.js';
import { seedPostgres, seedSqlite, syntheticRuns, totalsOf } from './seed-history.js';
import { startPostgres, stopChild, type PostgresServer } from './servers/postgres-server.js';

let server: PostgresServer;
let url: string;
let n = 0;

test.before(async () => {
  server = await startPostgres();
  url = await server.createDatabase('contract');
});
test.after(async () => server?.stop());

interface Kind {
  name: string;
  /** A fresh, empty history; `child` opens it again from another process; `chunks` counts the snapshot chunks it keeps. */
  fresh(): { open(): HistoryStore; child: string[]; chunks(): Promise<number> };
  /** A history written at the previous schema version, holding these runs, opened (so migrated) by the store. */
  seeded(runs: ReturnType<typeof syntheticRuns>): Promise<HistoryStore>;
  /**
   * A history written by the sisflow before chunked snapshots (SQLite 4, PostgreSQL 3): the current
   * snapshot of spec `roster`, output `roster` and a held run's snapshot, each one whole gzipped JSON.
   */
  legacy(current: Buffer, held: { id: string; snapshot: Buffer }): Promise<HistoryStore>;
}

const KINDS: Kind[] = [
  {
    name: 'sqlite',
    fresh() {
      const file = join(mkdtempSync(join(tmpdir(), 'sisflow-contract-')), 'history.db');
      return { open: () => SqliteHistory.open(file), child: ['sqlite', file], chunks: async () => countSqliteChunks(file) };
    },
    async seeded(runs) {
      const file = join(mkdtempSync(join(tmpdir(), 'sisflow-contract-')), 'history.db');
      seedSqlite(file, runs);
      return SqliteHistory.open(file);
    },
    async legacy(current, held) {
      const file = join(mkdtempSync(join(tmpdir(), 'sisflow-contract-')), 'history.db');
      const db = new (createRequire(import.meta.url)('better-sqlite3'))(file);
      for (const step of HISTORY_MIGRATIONS.slice(0, 4)) db.exec(step);
      db.pragma('user_version = 4');
      db.prepare(`INSERT INTO runs (id, spec, file, plan_hash, params, trigger, started_at, status, duration_ms) VALUES (?, 'roster', 'roster.yaml', 'h', '{}', 'manual', '2026-11-01T00:00:00.000Z', 'held', 1)`).run(held.id);
      db.prepare(`INSERT INTO held (run_id, output, use, connection, stage, snapshot) VALUES (?, 'roster', 'files', '{}', '{}', ?)`).run(held.id, held.snapshot);
      db.prepare(`INSERT INTO snapshots (spec, output, run_id, data) VALUES ('roster', 'roster', 'old-run', ?)`).run(current);
      db.close();
      return SqliteHistory.open(file);
    },
  },
  {
    name: 'postgres',
    fresh() {
      const tenant = `District ${++n}`;
      return { open: () => PostgresHistory.open(url, tenant), child: ['postgres', url, tenant], chunks: () => countPostgresChunks(url, tenant) };
    },
    async seeded(runs) {
      const db = await server.createDatabase(`seeded${++n}`);
      await seedPostgres(db, 'Seeded Unified', runs);
      return PostgresHistory.open(db, 'Seeded Unified');
    },
    async legacy(current, held) {
      const db = await server.createDatabase(`legacy${++n}`);
      const c = new pg.Client({ connectionString: db });
      await c.connect();
      await c.query(`CREATE TABLE sisflow_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      for (let v = 0; v < 3; v++) {
        await c.query(POSTGRES_MIGRATIONS[v]!);
        await c.query(`INSERT INTO sisflow_migrations (version) VALUES ($1)`, [v + 1]);
      }
      await c.query(`INSERT INTO sisflow_runs (tenant, id, spec, file, plan_hash, params, trigger, started_at, status, duration_ms) VALUES ('Old Unified', $1, 'roster', 'roster.yaml', 'h', '{}', 'manual', '2026-11-01T00:00:00.000Z', 'held', 1)`, [held.id]);
      await c.query(`INSERT INTO sisflow_held (tenant, run_id, output, use, connection, stage, snapshot) VALUES ('Old Unified', $1, 'roster', 'files', '{}', '{}', $2)`, [held.id, held.snapshot]);
      await c.query(`INSERT INTO sisflow_snapshots (tenant, spec, output, run_id, data) VALUES ('Old Unified', 'roster', 'roster', 'old-run', $1)`, [current]);
      await c.end();
      return PostgresHistory.open(db, 'Old Unified');
    },
  },
];

function countSqliteChunks(file: string): number {
  const db = new (createRequire(import.meta.url)('better-sqlite3'))(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM snapshot_chunks').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function countPostgresChunks(db: string, tenant: string): Promise<number> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM sisflow_snapshot_chunks WHERE tenant = $1', [tenant])).rows[0]!.n);
  } finally {
    await c.end();
  }
}

const start = (spec: string, extra: Partial<RunStart> = {}): RunStart => ({ spec, file: `${spec}.yaml`, planHash: 'abc123', params: { school: 994 }, trigger: 'schedule', startedAt: new Date().toISOString(), ...extra });
const report = { ok: true, durationMs: 12, sources: { students: { rows: 3 } }, outputs: {}, rejects: { count: 0 } } as unknown as RunReport;

/** Fails unless the promise rejects with an error the check accepts. */
async function rejects(p: Promise<unknown>, check: RegExp | ((e: HistoryError) => boolean)): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x as HistoryError);
  assert.ok(e, 'expected a rejection');
  if (check instanceof RegExp) assert.match(e!.message, check);
  else assert.ok(check(e!), e!.message);
}

/** Starts a process that begins a run of spec and waits; resolves once the run is recorded. */
async function beginInChild(args: string[], spec: string) {
  const child = spawn(process.execPath, ['--conditions=sisflow-source', '--import', 'tsx', join(import.meta.dirname, 'servers', 'begin-and-wait.ts'), ...args, spec], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    child.once('exit', (code) => fail(new Error(`begin-and-wait exited (${code}) before beginning`)));
  });
  return { child, id: line.replace(/^began /, '') };
}

for (const kind of KINDS) {
  test(`${kind.name}: a run is recorded from begin to finish; list, last and get return it whole`, async () => {
    const store = kind.fresh().open();
    try {
      const a = await store.begin(start('roster', { startedAt: '2026-11-30T01:00:00.000Z', job: 'district-1/roster@1' }));
      assert.ok(a.run);
      assert.is(a.run!.status, 'running');
      await store.finish(a.run!.id, { status: 'ok', durationMs: 12, report, guard: { held: false, outputs: [] } });
      const b = await store.begin(start('roster', { startedAt: '2026-11-30T02:00:00.000Z', trigger: 'manual', requestedBy: 'Dana Reyes' }));
      await store.finish(b.run!.id, { status: 'failed', durationMs: 3, error: 'connection refused' });
      const got = (await store.get(a.run!.id))!;
      assert.is(got.status, 'ok');
      assert.is(got.durationMs, 12);
      assert.equal(got.params, { school: 994 });
      assert.equal(got.report, report);
      assert.equal(got.guard, { held: false, outputs: [] });
      assert.is(got.job, 'district-1/roster@1');
      assert.is(typeof got.pid, 'number');
      assert.is(got.requestedBy, undefined, 'a scheduled run: nobody asked');
      assert.is((await store.get(b.run!.id))!.requestedBy, 'Dana Reyes');
      assert.is((await store.get(b.run!.id))!.trigger, 'manual');
      assert.equal((await store.list()).map((r) => r.id), [b.run!.id, a.run!.id]);
      assert.equal((await store.list({ status: 'ok' })).map((r) => r.id), [a.run!.id]);
      assert.equal((await store.list({ job: 'district-1/roster@1' })).map((r) => r.id), [a.run!.id]);
      assert.equal((await store.list({ spec: 'other' })).length, 0);
      assert.equal((await store.list({ limit: 1 })).map((r) => r.id), [b.run!.id]);
      assert.is((await store.last('roster', 'ok'))!.id, a.run!.id);
      assert.is((await store.last('roster', 'failed'))!.error, 'connection refused');
      assert.is(await store.get('nope'), undefined);
      await rejects(store.finish(a.run!.id, { status: 'ok', durationMs: 1 }), /not running/);
    } finally {
      await store.close();
    }
  });

  test(`${kind.name}: one running run per spec, also between stores opened at once`, async () => {
    const h = kind.fresh();
    const stores = [h.open(), h.open(), h.open(), h.open()];
    try {
      const begun = await Promise.all(stores.map((s) => s.begin(start('roster'))));
      const won = begun.filter((r) => r.run);
      assert.is(won.length, 1);
      for (const r of begun.filter((r) => r.busy)) assert.is(r.busy!.id, won[0]!.run!.id);
      const other = await stores[1]!.begin(start('patrons'));
      assert.ok(other.run, 'another spec is not blocked');
      const owner = stores[begun.findIndex((r) => r.run)]!;
      await owner.finish(won[0]!.run!.id, { status: 'ok', durationMs: 1 });
      assert.ok((await stores[2]!.begin(start('roster'))).run, 'free again once finished');
    } finally {
      for (const s of stores) await s.close();
    }
  });

  test(`${kind.name}: a process killed mid-run keeps no lock; its run is marked failed (abandoned)`, async () => {
    const h = kind.fresh();
    const { child, id } = await beginInChild(h.child, 'roster');
    const store = h.open();
    try {
      const busy = await store.begin(start('roster'));
      assert.is(busy.busy?.id, id, 'held while the process lives');
      await stopChild(child, 'SIGKILL');
      // PostgreSQL ends the killed session's lock when it notices the closed connection: wait on that, not on time.
      let next = await store.begin(start('roster'));
      while (next.busy) next = await store.begin(start('roster'));
      assert.ok(next.run);
      const old = (await store.get(id))!;
      assert.is(old.status, 'failed');
      assert.match(old.error!, /abandoned/);
      await store.finish(next.run!.id, { status: 'ok', durationMs: 1 });
    } finally {
      await store.close();
    }
  });

  test(`${kind.name}: a fleet job that ended ok or held is not begun again; a failed or cancelled one is`, async () => {
    const store = kind.fresh().open();
    try {
      const first = (await store.begin(start('roster', { job: 'd/roster@1' }))).run!;
      await store.finish(first.id, { status: 'failed', durationMs: 1, error: 'timeout' });
      const second = (await store.begin(start('roster', { job: 'd/roster@1' }))).run!;
      assert.ok(second, 'a failed job runs again');
      await store.finish(second.id, { status: 'ok', durationMs: 1 });
      const again = await store.begin(start('roster', { job: 'd/roster@1' }));
      assert.is(again.busy?.id, second.id, 'delivered twice: the run that did it');
      assert.is(again.busy?.status, 'ok');
      const other = (await store.begin(start('roster', { job: 'd/roster@2' }))).run!;
      assert.ok(other, 'the next job of the spec runs');
      await store.finish(other.id, { status: 'held', durationMs: 1 });
      assert.is((await store.begin(start('roster', { job: 'd/roster@2' }))).busy?.id, other.id);
    } finally {
      await store.close();
    }
  });

  test(`${kind.name}: held outputs, approve makes their snapshot current once, discard drops its chunks`, async () => {
    const h = kind.fresh();
    const store = h.open();
    const spools: { close(): void }[] = [];
    const spool = async (runId: string, ids: number[]) => {
      const s = await spooled(runId, ids);
      spools.push(s);
      return s;
    };
    try {
      const first = (await store.begin(start('roster'))).run!;
      await store.finish(first.id, { status: 'ok', durationMs: 1, snapshots: new Map([['roster', await spool(first.id, Array.from({ length: 10_000 }, (_, i) => i + 1))]]) });
      assert.equal((await snapshotKeys(await store.snapshot('roster', 'roster'))).slice(0, 3), [1, 2, 3]);
      assert.is(await h.chunks(), 3, '10 000 rows: three chunks of at most 4096');
      const held = (await store.begin(start('roster'))).run!;
      const stage = { path: '/out/.sisflow-held-x', sha256: 'f00' } as never;
      await store.finish(held.id, { status: 'held', durationMs: 1, held: [{ output: 'roster', use: 'files', connection: { dir: '${env:OUT}' }, stage, snapshot: await spool(held.id, [1]) }] });
      const outputs = await store.held(held.id);
      assert.is(outputs.length, 1);
      assert.equal(outputs[0]!.connection, { dir: '${env:OUT}' });
      assert.equal(outputs[0]!.stage, stage);
      assert.is(outputs[0]!.snapshot!.runId, held.id);
      assert.equal(await snapshotKeys(outputs[0]!.snapshot), [1]);
      assert.is((await store.snapshot('roster', 'roster'))!.runId, first.id, 'a held run changes no snapshot');
      assert.is(await h.chunks(), 4, "the held run's chunk is kept beside the current snapshot's");
      assert.ok(await store.decide(held.id, { status: 'approved', by: 'ana', at: '2026-11-30T03:00:00.000Z', run: 'r2' }));
      assert.not.ok(await store.decide(held.id, { status: 'approved', by: 'bob', at: '2026-11-30T03:01:00.000Z' }), 'a second approve is refused');
      const decided = (await store.get(held.id))!;
      assert.is(decided.status, 'approved');
      assert.equal(decided.decision, { by: 'ana', at: '2026-11-30T03:00:00.000Z', run: 'r2' });
      assert.equal(await snapshotKeys(await store.snapshot('roster', 'roster')), [1]);
      assert.is(await h.chunks(), 1, 'the replaced snapshot\'s chunks went with the approve');
      // The next run is judged against the approved snapshot.
      const plan = { name: 'roster', outputs: [{ name: 'roster', guard: { key: ['ID'] } }] } as unknown as JobPlan;
      const watch = await GuardWatch.open(plan, (o) => store.snapshot('roster', o));
      watch.observe('roster', [{ ID: 1, LN: 'N1' }, { ID: 2, LN: 'N2' }]);
      const judged = (await watch.judge()).outputs[0]!;
      watch.close();
      assert.equal([judged.previous, judged.removed, judged.added, judged.changed], [1, 0, 1, 0]);
      assert.equal(await store.held(held.id), []);
      const other = (await store.begin(start('roster'))).run!;
      await store.finish(other.id, { status: 'held', durationMs: 1, held: [{ output: 'roster', use: 'files', connection: {}, stage, snapshot: await spool(other.id, [7, 8]) }] });
      assert.is(await h.chunks(), 2);
      assert.ok(await store.decide(other.id, { status: 'discarded', by: 'ana', at: '2026-11-30T03:02:00.000Z' }));
      assert.is((await store.snapshot('roster', 'roster'))!.runId, held.id, 'a discarded run changes no snapshot');
      assert.is(await h.chunks(), 1, 'a discarded run leaves no chunks');
      // A published run replaces the current snapshot and its chunks in one step.
      const next = (await store.begin(start('roster'))).run!;
      await store.finish(next.id, { status: 'ok', durationMs: 1, snapshots: new Map([['roster', await spool(next.id, [4, 5])]]) });
      assert.equal(await snapshotKeys(await store.snapshot('roster', 'roster')), [4, 5]);
      assert.is(await h.chunks(), 1);
      // Pruning old runs keeps the snapshot a guard is judged against.
      assert.ok((await store.prune('2999-01-01T00:00:00.000Z')) > 0);
      assert.equal(await snapshotKeys(await store.snapshot('roster', 'roster')), [4, 5]);
    } finally {
      for (const s of spools) s.close();
      await store.close();
    }
  });

  test(`${kind.name}: snapshots kept whole by an older sisflow are still judged against, and a held one can be approved`, async () => {
    const rows = (ids: number[]) => ids.map((i) => ({ ID: i, LN: `N${i}` }));
    const store = await kind.legacy(legacyBlob('old-run', ['ID'], rows([1, 2, 3, 4, 5])), { id: 'held-run', snapshot: legacyBlob('held-run', ['ID'], rows([1, 2, 3])) });
    try {
      const current = (await store.snapshot('roster', 'roster'))!;
      assert.is(current.runId, 'old-run');
      assert.equal(current.key, ['ID']);
      assert.equal(await snapshotRows(current), rows([1, 2, 3, 4, 5]));
      // A run judged against it, as the guard judges against chunks.
      const plan = { name: 'roster', outputs: [{ name: 'roster', guard: { key: ['ID'], max_removed: 0 } }] } as unknown as JobPlan;
      const watch = await GuardWatch.open(plan, (o) => store.snapshot('roster', o));
      watch.observe('roster', [{ ID: 2, LN: 'N2' }, { ID: 3, LN: 'changed' }, { ID: 4, LN: 'N4' }, { ID: 5, LN: 'N5' }, { ID: 6, LN: 'N6' }]);
      const judged = (await watch.judge()).outputs[0]!;
      watch.close();
      assert.equal([judged.previous, judged.removed, judged.added, judged.changed], [5, 1, 1, 1]);
      assert.equal(judged.sample.removed, [{ ID: 1, LN: 'N1' }]);
      assert.equal(judged.sample.changed, [{ before: { ID: 3, LN: 'N3' }, after: { ID: 3, LN: 'changed' } }]);
      // The held run's whole snapshot is read, and approving makes it current.
      const held = await store.held('held-run');
      assert.equal(await snapshotKeys(held[0]!.snapshot), [1, 2, 3]);
      assert.ok(await store.decide('held-run', { status: 'approved', by: 'ana', at: '2026-11-30T03:00:00.000Z' }));
      assert.equal(await snapshotRows((await store.snapshot('roster', 'roster'))!), rows([1, 2, 3]));
      // The next publish replaces it with chunks.
      const next = (await store.begin(start('roster'))).run!;
      const s = await spooled(next.id, [9]);
      await store.finish(next.id, { status: 'ok', durationMs: 1, snapshots: new Map([['roster', s]]) });
      s.close();
      assert.equal(await snapshotKeys(await store.snapshot('roster', 'roster')), [9]);
    } finally {
      await store.close();
    }
  });

  test(`${kind.name}: totals sum each spec's runs per status: counts, durations in buckets, rows, held outputs, last end`, async () => {
    const store = kind.fresh().open();
    try {
      const figures = (read: number, written: number, rejects: number) => ({ ...report, sources: { a: { rows: read }, b: { rows: 1 } }, outputs: { out: { rows: written } }, rejects: { count: rejects } }) as unknown as RunReport;
      const ran = async (spec: string, startedAt: string, end: Parameters<HistoryStore['finish']>[1], extra: Partial<RunStart> = {}) => {
        const r = (await store.begin(start(spec, { startedAt, ...extra }))).run!;
        await store.finish(r.id, end);
        return r.id;
      };
      await ran('roster', '2026-11-30T01:00:00.000Z', { status: 'ok', durationMs: 900, report: figures(10, 8, 2) });
      await ran('roster', '2026-11-30T02:00:00.250Z', { status: 'ok', durationMs: 4000, report: figures(20, 18, 0) });
      await ran('roster', '2026-11-30T03:00:00.000Z', { status: 'failed', durationMs: 7000, error: 'refused' });
      const stage = { path: '/out/.x', sha256: 'f00' } as never;
      const held = await ran('roster', '2026-11-30T04:00:00.000Z', { status: 'held', durationMs: 1000, report: figures(5, 4, 1), held: [{ output: 'a', use: 'files', connection: {}, stage }, { output: 'b', use: 'files', connection: {}, stage }] });
      // An approve run repeats its held run's report: its rows are not counted again.
      await ran('roster', '2026-11-30T05:00:00.000Z', { status: 'ok', durationMs: 100, report: figures(5, 4, 1) }, { trigger: 'approve', approves: held });
      const running = (await store.begin(start('patrons', { startedAt: '2026-11-30T06:00:00.000Z' }))).run!;
      const totals = await store.totals([1000, 5000]);
      const base = { timed: 0, durationMs: 0, buckets: [0, 0], rowsRead: 0, rowsWritten: 0, rejects: 0, heldOutputs: 0 };
      assert.equal(totals, [
        { ...base, spec: 'patrons', status: 'running', runs: 1 },
        { ...base, spec: 'roster', status: 'failed', runs: 1, timed: 1, durationMs: 7000, lastEndMs: Date.parse('2026-11-30T03:00:07.000Z') },
        { ...base, spec: 'roster', status: 'held', runs: 1, timed: 1, durationMs: 1000, buckets: [1, 1], rowsRead: 6, rowsWritten: 4, rejects: 1, heldOutputs: 2, lastEndMs: Date.parse('2026-11-30T04:00:01.000Z') },
        { ...base, spec: 'roster', status: 'ok', runs: 3, timed: 3, durationMs: 5000, buckets: [2, 3], rowsRead: 32, rowsWritten: 26, rejects: 2, lastEndMs: Date.parse('2026-11-30T05:00:00.100Z') },
      ]);
      assert.equal(await store.totals([]), totals.map((t) => ({ ...t, buckets: [] })), 'no buckets asked, none given');
      await store.finish(running.id, { status: 'cancelled', durationMs: 1 });
    } finally {
      await store.close();
    }
  });

  test(`${kind.name}: a history of the previous schema is migrated: each run's figures are filled from its report`, async () => {
    const runs = syntheticRuns(400, report, 4);
    const store = await kind.seeded(runs);
    try {
      const buckets = [1000, 60_000, 3_600_000];
      assert.equal(await store.totals(buckets), totalsOf(runs.map((r) => ({ record: r.record, heldOutputs: r.held.length })), buckets));
      const old = (await store.get(runs[5]!.record.id))!;
      assert.equal(old.report, runs[5]!.record.report, 'the runs themselves are kept whole');
      assert.is(old.requestedBy, undefined, 'nobody is said to have asked for a run recorded before');
      const next = (await store.begin(start('spec-0', { trigger: 'manual', requestedBy: 'Lee Park' }))).run!;
      await store.finish(next.id, { status: 'ok', durationMs: 1 });
      assert.is((await store.get(next.id))!.requestedBy, 'Lee Park', 'the migrated history records who asked');
    } finally {
      await store.close();
    }
  });

  test(`${kind.name}: prune forgets old finished runs, keeps held and running ones`, async () => {
    const store = kind.fresh().open();
    try {
      const ids: string[] = [];
      for (const [spec, status] of [['a', 'ok'], ['b', 'held'], ['c', 'failed']] as const) {
        const r = (await store.begin(start(spec, { startedAt: '2020-01-01T00:00:00.000Z' }))).run!;
        await store.finish(r.id, { status, durationMs: 1 });
        ids.push(r.id);
      }
      const running = (await store.begin(start('d', { startedAt: '2020-01-01T00:00:00.000Z' }))).run!;
      const recent = (await store.begin(start('e'))).run!;
      await store.finish(recent.id, { status: 'ok', durationMs: 1 });
      assert.is(await store.prune('2025-01-01T00:00:00.000Z'), 2);
      assert.equal((await store.list()).map((r) => r.spec).sort(), ['b', 'd', 'e']);
      await store.finish(running.id, { status: 'ok', durationMs: 1 });
    } finally {
      await store.close();
    }
  });
}

test('postgres: districts sharing one database see only their own runs and never block each other', async () => {
  const a = PostgresHistory.open(url, 'Alpha Unified');
  const b = PostgresHistory.open(url, 'Beta Elementary');
  try {
    const ra = await a.begin(start('roster'));
    const rb = await b.begin(start('roster'));
    assert.ok(ra.run && rb.run, 'the same spec name in two districts runs at once');
    assert.equal((await a.list()).map((r) => r.id), [ra.run!.id]);
    assert.is(await b.get(ra.run!.id), undefined);
    await a.finish(ra.run!.id, { status: 'ok', durationMs: 1 });
    await b.finish(rb.run!.id, { status: 'ok', durationMs: 1 });
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: the stores of many districts in one process (a fleet console) share one pool: asked all at once, the server sees at most 8 of their connections', async () => {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const connections = async () => Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows[0]!.n);
  const before = await connections();
  const stores = Array.from({ length: 120 }, (_, i) => PostgresHistory.open(url, `Pooled District ${i}`));
  try {
    const r = (await stores[7]!.begin(start('roster'))).run!;
    await stores[7]!.finish(r.id, { status: 'ok', durationMs: 1 });
    const lists = await Promise.all(stores.map((s) => s.list()));
    assert.equal(lists.map((l) => l.length), stores.map((_, i) => (i === 7 ? 1 : 0)), 'each district sees only its own runs');
    assert.ok((await connections()) - before <= 8, `${(await connections()) - before} connections for 120 stores`);
    // One store closed: the others keep the pool.
    await stores.pop()!.close();
    assert.is((await stores[7]!.list()).length, 1);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await admin.end();
  }
  // Every store closed ended the pool; a store opened afterwards gets a new one.
  const again = PostgresHistory.open(url, 'Pooled District 7');
  assert.is((await again.list()).length, 1);
  await again.close();
});

test('postgres: migrations are versioned and applied once when several processes start at once', async () => {
  const fresh = await server.createDatabase('migrations');
  const stores = Array.from({ length: 4 }, (_, i) => PostgresHistory.open(fresh, `d${i}`));
  try {
    const versions = await Promise.all(stores.map((s) => s.version()));
    assert.equal(versions, [1, 1, 1, 1].map(() => POSTGRES_MIGRATIONS.length));
    const c = new pg.Client({ connectionString: fresh });
    await c.connect();
    const rows = (await c.query<{ version: number }>('SELECT version FROM sisflow_migrations ORDER BY version')).rows.map((r) => r.version);
    await c.query('INSERT INTO sisflow_migrations (version) VALUES (99)');
    await c.end();
    assert.equal(rows, POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    const newer = PostgresHistory.open(fresh, 'd');
    await rejects(newer.list(), /schema version 99, newer than this sisflow knows/);
    await newer.close();
  } finally {
    for (const s of stores) await s.close();
  }
});

test('openHistory: the password comes from a secret, and no error repeats it', async () => {
  const project = { dir: '/srv/d', file: '/srv/d/sisflow.yaml', specs: [], config: { sisflow_project: 1 as const, district: { name: 'Secret Unified', timezone: 'UTC' }, history: { url: `postgres://${server.user}:\${secret:PG_PASSWORD}@127.0.0.1:${server.port}/contract` } } };
  const secrets = (pw: string | undefined) => ({ env: () => undefined, secret: (n: string) => (n === 'PG_PASSWORD' ? pw : undefined) });
  const ok = openHistory('/srv/d', { project, secrets: secrets(server.password) });
  const r = (await ok.begin(start('roster'))).run!;
  await ok.finish(r.id, { status: 'ok', durationMs: 1 });
  assert.is((await ok.list()).length, 1);
  await ok.close();

  const wrong = openHistory('/srv/d', { project, secrets: secrets('not-the-password-42') });
  const e = await wrong.list().then(() => undefined, (x: unknown) => x as HistoryError);
  await wrong.close();
  assert.instance(e, HistoryError);
  assert.is(e!.code, 'SF702');
  assert.match(e!.message, `127.0.0.1:${server.port}/contract`);
  assert.match(e!.message, /password authentication failed/);
  assert.not.match(e!.message, 'not-the-password-42');

  assert.throws(() => openHistory('/srv/d', { project, secrets: secrets(undefined) }), (x: HistoryError) => x.code === 'SF702' && /SISFLOW_SECRET_PG_PASSWORD/.test(x.message));
  const clear = `postgres://sisflow:hunter22@127.0.0.1:${server.port}/contract`;
  assert.throws(() => openHistory('/srv/d', { project, url: clear }), (x: HistoryError) => x.code === 'SF701' && !x.message.includes('hunter22'));
  assert.throws(() => openHistory('/srv/d', { project, url: 'mysql://db/x' }), (x: HistoryError) => x.code === 'SF700');
  const refused = openHistory('/srv/d', { project, url: `postgres://sisflow@127.0.0.1:1/contract` });
  await rejects(refused.list(), (x: HistoryError) => x.code === 'SF702' && /ECONNREFUSED/.test(x.message));
  await refused.close();
});

test.run();
