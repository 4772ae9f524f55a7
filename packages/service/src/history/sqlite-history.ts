// The embedded run history: one SQLite file in the project (`.sisflow/history.db`) in WAL mode, so a
// writer killed mid-run leaves every committed record whole and readers never wait on it.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { processAlive } from '@sisflow/connectors';
import type { HeldOutput, HistoryStore, OutputSnapshot, RunQuery, RunRecord, RunStart, RunStatus, RunTotals, SnapshotChunk, SnapshotRows } from './history-store.js';
import { legacySnapshot } from './legacy-snapshot.js';
import { reportFigures } from './run-figures.js';
import { chunkedSnapshot, fromRow, heldFromRow, JOB_DONE, runId, SNAPSHOT_PAGE, totalsFromRows, totalsSql, type HeldRow, type RunRow, type TotalsRow } from './run-rows.js';
import { HISTORY_MIGRATIONS } from './sqlite-migrations.js';


type Db = BetterSqlite3.Database;

/**
 * SQLite's page cache for the history: 2 MB (SQLite's own default). better-sqlite3 builds SQLite with
 * 16 MB, which reading the guard's last snapshot and storing this run's (27 MB of chunks at a million
 * rows, each page read or written once) filled: measured, inserting 29 MB of 64 KB blobs in one
 * transaction raised RSS by 16 MB with 16 MB, by 2 MB with 2 MB, at the end of a run.
 */
const HISTORY_CACHE_KIB = 2000;

export class SqliteHistory implements HistoryStore {
  private readonly host = hostname();

  private constructor(private readonly db: Db) {}

  /** Opens (creating and migrating) the history file; runs left 'running' by a dead process are marked failed. */
  static open(path: string): SqliteHistory {
    mkdirSync(dirname(path), { recursive: true });
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    const db = new Database(path, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${HISTORY_CACHE_KIB}`);
    migrate(db);
    const store = new SqliteHistory(db);
    store.recover();
    return store;
  }

  /** The schema version this file is at (PRAGMA user_version). */
  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async begin(start: RunStart): Promise<{ run: RunRecord } | { busy: RunRecord }> {
    const id = runId(start.startedAt);
    const insert = this.db.transaction(() => {
      const running = this.db.prepare<[string], RunRow>(`SELECT * FROM runs WHERE spec = ? AND status = 'running'`).get(start.spec);
      if (running && !this.abandon(running)) return { busy: fromRow(running) };
      const done = start.job && this.db.prepare<string[], RunRow>(`SELECT * FROM runs WHERE job = ? AND status IN (${JOB_DONE.map(() => '?').join(', ')}) LIMIT 1`).get(start.job, ...JOB_DONE);
      if (done) return { busy: fromRow(done) };
      this.db
        .prepare(
          `INSERT INTO runs (id, spec, file, plan_hash, params, trigger, approves, started_at, status, pid, host, job, requested_by)
           VALUES (@id, @spec, @file, @planHash, @params, @trigger, @approves, @startedAt, 'running', @pid, @host, @job, @requestedBy)`,
        )
        .run({ id, spec: start.spec, file: start.file, planHash: start.planHash, params: JSON.stringify(start.params), trigger: start.trigger, approves: start.approves ?? null, startedAt: start.startedAt, pid: process.pid, host: this.host, job: start.job ?? null, requestedBy: start.requestedBy ?? null });
      return { run: { ...start, id, status: 'running' as const, pid: process.pid, host: this.host } };
    });
    return insert.immediate();
  }

  async finish(id: string, end: Parameters<HistoryStore['finish']>[1]): Promise<void> {
    this.db.transaction(() => {
      const f = end.report && reportFigures(end.report);
      const changed = this.db
        .prepare(
          `UPDATE runs SET status = @status, duration_ms = @durationMs, report = @report, error = @error, guard = @guard, rows_read = @read, rows_written = @written, rejects = @rejects
           WHERE id = @id AND status = 'running'`,
        )
        .run({ id, status: end.status, durationMs: end.durationMs, report: end.report ? JSON.stringify(end.report) : null, error: end.error ?? null, guard: end.guard ? JSON.stringify(end.guard) : null, read: f?.read ?? null, written: f?.written ?? null, rejects: f?.rejects ?? null });
      if (changed.changes !== 1) throw new Error(`run ${id} is not running`);
      const held = this.db.prepare(`INSERT INTO held (run_id, output, use, connection, stage, snapshot_key) VALUES (?, ?, ?, ?, ?, ?)`);
      for (const h of end.held ?? []) {
        held.run(id, h.output, h.use, JSON.stringify(h.connection), JSON.stringify(h.stage), h.snapshot ? JSON.stringify(h.snapshot.key) : null);
        if (h.snapshot) this.saveChunks(id, h.output, h.snapshot);
      }
      const spec = this.db.prepare<[string], { spec: string }>(`SELECT spec FROM runs WHERE id = ?`).get(id)!.spec;
      for (const [output, s] of end.snapshots ?? []) {
        this.saveChunks(id, output, s);
        this.makeCurrent(spec, output, id, { key: s.key });
      }
    })();
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = this.db.prepare<[string], RunRow>(`SELECT * FROM runs WHERE id = ?`).get(id);
    return row && fromRow(row);
  }

  async list(query: RunQuery = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.spec) where.push('spec = ?') && args.push(query.spec);
    if (query.status) where.push('status = ?') && args.push(query.status);
    if (query.job) where.push('job = ?') && args.push(query.job);
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ?`;
    return this.db.prepare<unknown[], RunRow>(sql).all(...args, query.limit ?? 50).map(fromRow);
  }

  async last(spec: string, status: RunStatus): Promise<RunRecord | undefined> {
    const row = this.db.prepare<[string, string], RunRow>(`SELECT * FROM runs WHERE spec = ? AND status = ? ORDER BY started_at DESC, id DESC LIMIT 1`).get(spec, status);
    return row && fromRow(row);
  }

  async held(id: string): Promise<HeldOutput[]> {
    const rows = this.db.prepare<[string], HeldRow>(`SELECT output, use, connection, stage, snapshot, snapshot_key FROM held WHERE run_id = ? ORDER BY output`).all(id);
    return rows.map((h) => heldFromRow(h, id, (run, output, key) => this.chunked(run, output, key)));
  }

  async decide(id: string, d: { status: 'approved' | 'discarded'; by: string; at: string; run?: string }): Promise<boolean> {
    return this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE runs SET status = ?, decision = ? WHERE id = ? AND status = 'held'`).run(d.status, JSON.stringify({ by: d.by, at: d.at, ...(d.run ? { run: d.run } : {}) }), id);
      if (changed.changes !== 1) return false;
      if (d.status === 'approved') {
        const spec = this.db.prepare<[string], { spec: string }>(`SELECT spec FROM runs WHERE id = ?`).get(id)!.spec;
        for (const h of this.db.prepare<[string], { output: string; snapshot: Buffer | null; snapshot_key: string | null }>(`SELECT output, snapshot, snapshot_key FROM held WHERE run_id = ?`).all(id)) {
          if (h.snapshot_key) this.makeCurrent(spec, h.output, id, { key: JSON.parse(h.snapshot_key) as string[] });
          else if (h.snapshot) this.makeCurrent(spec, h.output, id, { data: h.snapshot });
        }
      } else this.db.prepare(`DELETE FROM snapshot_chunks WHERE run_id = ?`).run(id);
      this.db.prepare(`DELETE FROM held WHERE run_id = ?`).run(id);
      return true;
    })();
  }

  async snapshot(spec: string, output: string): Promise<OutputSnapshot | undefined> {
    const row = this.db.prepare<[string, string], { run_id: string; key: string | null; data: Buffer | null }>(`SELECT run_id, key, data FROM snapshots WHERE spec = ? AND output = ?`).get(spec, output);
    if (!row) return undefined;
    return row.key ? this.chunked(row.run_id, output, JSON.parse(row.key) as string[]) : legacySnapshot(row.data!);
  }

  async totals(bucketsMs: readonly number[]): Promise<RunTotals[]> {
    const sql = totalsSql(bucketsMs, {
      from: 'runs',
      param: () => '?',
      heldOutputs: '(SELECT count(*) FROM held h WHERE h.run_id = runs.id)',
      endMs: `CAST(round(unixepoch(started_at, 'subsec') * 1000) AS INTEGER) + duration_ms`,
    });
    return totalsFromRows(this.db.prepare<unknown[], TotalsRow>(sql).all(...bucketsMs), bucketsMs);
  }

  async prune(before: string): Promise<number> {
    return this.db.prepare(`DELETE FROM runs WHERE started_at < ? AND status NOT IN ('running', 'held')`).run(before).changes;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Runs of this host left 'running' by a process that is gone: failed, so they hold no lock. */
  private recover(): void {
    for (const row of this.db.prepare<[], RunRow>(`SELECT * FROM runs WHERE status = 'running'`).all()) this.abandon(row);
  }

  /** Marks a running run whose process is gone as failed; false when its process still runs (or runs elsewhere). */
  private abandon(row: RunRow): boolean {
    if (row.host !== this.host || row.pid === null || processAlive(row.pid)) return false;
    this.db
      .prepare(`UPDATE runs SET status = 'failed', error = ? WHERE id = ? AND status = 'running'`)
      .run(`abandoned: process ${row.pid} ended before the run finished (killed or crashed); nothing was published by it`, row.id);
    return true;
  }

  /** Keeps a run's snapshot of an output, chunk by chunk (read from its spool one at a time). */
  private saveChunks(runId: string, output: string, s: SnapshotRows): void {
    const insert = this.db.prepare(`INSERT INTO snapshot_chunks (run_id, output, seq, rows, keys, digests, data) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    let seq = 0;
    for (const c of s.chunks()) insert.run(runId, output, seq++, c.rows, c.keys, c.digests, c.data);
  }

  /** Makes a run's snapshot the one the output is judged against; the chunks of the one it replaces go (same transaction). */
  private makeCurrent(spec: string, output: string, runId: string, s: { key: string[] } | { data: Buffer }): void {
    const old = this.db.prepare<[string, string], { run_id: string }>(`SELECT run_id FROM snapshots WHERE spec = ? AND output = ?`).get(spec, output);
    this.db
      .prepare(`INSERT INTO snapshots (spec, output, run_id, key, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (spec, output) DO UPDATE SET run_id = excluded.run_id, key = excluded.key, data = excluded.data`)
      .run(spec, output, runId, 'key' in s ? JSON.stringify(s.key) : null, 'data' in s ? s.data : null);
    if (old && old.run_id !== runId) this.db.prepare(`DELETE FROM snapshot_chunks WHERE run_id = ? AND output = ?`).run(old.run_id, output);
  }

  /** A snapshot kept in chunks. */
  private chunked(runId: string, output: string, key: string[]): OutputSnapshot {
    const page = this.db.prepare<[string, string, number], SnapshotChunk & { seq: number }>(
      `SELECT seq, rows, keys, digests, x'' AS data FROM snapshot_chunks WHERE run_id = ? AND output = ? AND seq >= ? ORDER BY seq LIMIT ${SNAPSHOT_PAGE}`,
    );
    const one = this.db.prepare<[string, string, number], SnapshotChunk>(`SELECT rows, keys, digests, data FROM snapshot_chunks WHERE run_id = ? AND output = ? AND seq = ?`);
    const rows = this.db.prepare<[string, string], { n: number }>(`SELECT coalesce(sum(rows), 0) AS n FROM snapshot_chunks WHERE run_id = ? AND output = ?`).get(runId, output)!.n;
    return chunkedSnapshot({ runId, key, rows, page: async (from) => page.all(runId, output, from), one: async (seq) => one.get(runId, output, seq) });
  }
}

function migrate(db: Db): void {
  const at = db.pragma('user_version', { simple: true }) as number;
  if (at > HISTORY_MIGRATIONS.length) throw new Error(`the run history is at schema version ${at}, newer than this sisflow knows (${HISTORY_MIGRATIONS.length}): upgrade sisflow`);
  db.transaction(() => {
    for (let v = at; v < HISTORY_MIGRATIONS.length; v++) db.exec(HISTORY_MIGRATIONS[v]!);
    db.pragma(`user_version = ${HISTORY_MIGRATIONS.length}`);
  }).immediate();
}

