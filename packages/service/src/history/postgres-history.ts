// The shared run history of a fleet: PostgreSQL, one database for every district (each row carries
// its tenant, the district). The overlap lock is a session advisory lock held by the run's own
// connection for as long as it runs: a worker killed on any machine loses its connection, so its
// lock, and the next run of the spec marks the run it left behind failed.
import { hostname } from 'node:os';
import pg from 'pg';
import { Redactor } from '@sisflow/core';
import { HistoryError } from './history-error.js';
import type { HeldOutput, HistoryStore, OutputSnapshot, RunQuery, RunRecord, RunStart, RunStatus, RunTotals, SnapshotChunk, SnapshotRows } from './history-store.js';
import { legacySnapshot } from './legacy-snapshot.js';
import { reportFigures } from './run-figures.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { leasePool, type PoolLease } from './postgres-pools.js';
import { chunkedSnapshot, fromRow, heldFromRow, JOB_DONE, runId, SNAPSHOT_PAGE, totalsFromRows, totalsSql, type HeldRow, type RunRow, type TotalsRow } from './run-rows.js';

/** The history could not be reached or used (connection refused, login failed, newer schema); the message holds no password. */
export class HistoryUnreachableError extends HistoryError {
  constructor(message: string) {
    super('SF702', message);
  }
}

/** The key of the migrations' advisory lock (any constant; 'sisflow' in ASCII). */
const MIGRATION_LOCK = 0x73697366_6c6f77n;
const BUSY_TRIES = 200;

export class PostgresHistory implements HistoryStore {
  private readonly host = hostname();
  /** The pool of this database, shared with the other districts' stores of this process. */
  private readonly lease: PoolLease;
  private readonly pool: pg.Pool;
  private readonly ready: Promise<void>;
  /** The connection of each run this process is running: it holds the run's advisory lock. */
  private readonly holders = new Map<string, pg.Client>();

  private constructor(
    private readonly url: string,
    private readonly tenant: string,
    private readonly redactor: Redactor,
  ) {
    this.lease = leasePool(url);
    this.pool = this.lease.pool;
    this.ready = this.migrate();
    this.ready.catch(() => undefined);
  }

  /**
   * Opens the history of one tenant (district) in the database at url (its password already
   * resolved; redactor knows it). Connecting and migrating happen on first use; a failure there is a
   * HistoryUnreachableError naming host, port and database only.
   */
  static open(url: string, tenant: string, redactor = new Redactor()): PostgresHistory {
    return new PostgresHistory(url, tenant, redactor);
  }

  /** Waits until connected and migrated; the schema version. */
  async version(): Promise<number> {
    await this.ready;
    const r = await this.pool.query<{ v: number }>(`SELECT coalesce(max(version), 0)::int AS v FROM sisflow_migrations`);
    return r.rows[0]!.v;
  }

  async begin(start: RunStart): Promise<{ run: RunRecord } | { busy: RunRecord }> {
    await this.ready;
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect();
      let locked = false;
      try {
        locked = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok`, [this.tenant, start.spec])).rows[0]!.ok;
        if (locked) {
          const r = await this.insertRunning(client, start);
          if (r.run) this.holders.set(r.run.id, client);
          else await client.end().catch(() => undefined);
          return r;
        }
      } catch (e) {
        await client.end().catch(() => undefined);
        throw this.unreachable(e);
      }
      await client.end().catch(() => undefined);
      const running = await this.pool.query<RunRow>(`SELECT * FROM sisflow_runs WHERE tenant = $1 AND spec = $2 AND status = 'running'`, [this.tenant, start.spec]);
      if (running.rows[0]) return { busy: fromRow(running.rows[0]) };
      // The holder is between taking the lock and recording its run, or between finishing and letting go.
      if (attempt >= BUSY_TRIES) throw new HistoryUnreachableError(`the lock of ${start.spec} is held but no run of it is recorded as running`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async finish(id: string, end: Parameters<HistoryStore['finish']>[1]): Promise<void> {
    await this.ready;
    const holder = this.holders.get(id);
    try {
      await this.transaction(async (c) => {
        const f = end.report && reportFigures(end.report);
        const changed = await c.query<{ spec: string }>(
          `UPDATE sisflow_runs SET status = $3, duration_ms = $4, report = $5, error = $6, guard = $7, rows_read = $8, rows_written = $9, rejects = $10
           WHERE tenant = $1 AND id = $2 AND status = 'running' RETURNING spec`,
          [this.tenant, id, end.status, end.durationMs, end.report ? JSON.stringify(end.report) : null, end.error ?? null, end.guard ? JSON.stringify(end.guard) : null, f?.read ?? null, f?.written ?? null, f?.rejects ?? null],
        );
        if (changed.rowCount !== 1) throw new Error(`run ${id} is not running`);
        for (const h of end.held ?? []) {
          await c.query(`INSERT INTO sisflow_held (tenant, run_id, output, use, connection, stage, snapshot_key) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
            this.tenant, id, h.output, h.use, JSON.stringify(h.connection), JSON.stringify(h.stage), h.snapshot ? JSON.stringify(h.snapshot.key) : null,
          ]);
          if (h.snapshot) await this.saveChunks(c, id, h.output, h.snapshot);
        }
        for (const [output, s] of end.snapshots ?? []) {
          await this.saveChunks(c, id, output, s);
          await this.makeCurrent(c, changed.rows[0]!.spec, output, id, { key: s.key });
        }
      }, holder);
    } finally {
      if (holder) {
        this.holders.delete(id);
        await holder.end().catch(() => undefined); // ending the session lets the lock go
      }
    }
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const r = await this.query<RunRow>(`SELECT * FROM sisflow_runs WHERE tenant = $1 AND id = $2`, [this.tenant, id]);
    return r.rows[0] && fromRow(r.rows[0]);
  }

  async list(query: RunQuery = {}): Promise<RunRecord[]> {
    const where = ['tenant = $1'];
    const args: unknown[] = [this.tenant];
    for (const [column, value] of [['spec', query.spec], ['status', query.status], ['job', query.job]] as const) {
      if (value) where.push(`${column} = $${args.push(value)}`);
    }
    const r = await this.query<RunRow>(`SELECT * FROM sisflow_runs WHERE ${where.join(' AND ')} ORDER BY started_at DESC, id DESC LIMIT $${args.push(query.limit ?? 50)}`, args);
    return r.rows.map(fromRow);
  }

  async last(spec: string, status: RunStatus): Promise<RunRecord | undefined> {
    const r = await this.query<RunRow>(`SELECT * FROM sisflow_runs WHERE tenant = $1 AND spec = $2 AND status = $3 ORDER BY started_at DESC, id DESC LIMIT 1`, [this.tenant, spec, status]);
    return r.rows[0] && fromRow(r.rows[0]);
  }

  async held(id: string): Promise<HeldOutput[]> {
    const r = await this.query<HeldRow>(
      `SELECT output, use, connection, stage, snapshot, snapshot_key FROM sisflow_held WHERE tenant = $1 AND run_id = $2 ORDER BY output`,
      [this.tenant, id],
    );
    const sizes = await this.query<{ output: string; n: string }>(`SELECT output, sum(rows) AS n FROM sisflow_snapshot_chunks WHERE tenant = $1 AND run_id = $2 GROUP BY output`, [this.tenant, id]);
    const size = new Map(sizes.rows.map((s) => [s.output, Number(s.n)]));
    return r.rows.map((h) => heldFromRow(h, id, (run, output, key) => this.chunked(run, output, key, size.get(output) ?? 0)));
  }

  async decide(id: string, d: { status: 'approved' | 'discarded'; by: string; at: string; run?: string }): Promise<boolean> {
    await this.ready;
    return this.transaction(async (c) => {
      const changed = await c.query<{ spec: string }>(`UPDATE sisflow_runs SET status = $3, decision = $4 WHERE tenant = $1 AND id = $2 AND status = 'held' RETURNING spec`, [
        this.tenant, id, d.status, JSON.stringify({ by: d.by, at: d.at, ...(d.run ? { run: d.run } : {}) }),
      ]);
      if (changed.rowCount !== 1) return false;
      if (d.status === 'approved') {
        const held = await c.query<{ output: string; snapshot: Buffer | null; snapshot_key: string | null }>(`SELECT output, snapshot, snapshot_key FROM sisflow_held WHERE tenant = $1 AND run_id = $2`, [this.tenant, id]);
        for (const h of held.rows) {
          if (h.snapshot_key) await this.makeCurrent(c, changed.rows[0]!.spec, h.output, id, { key: JSON.parse(h.snapshot_key) as string[] });
          else if (h.snapshot) await this.makeCurrent(c, changed.rows[0]!.spec, h.output, id, { data: h.snapshot });
        }
      } else await c.query(`DELETE FROM sisflow_snapshot_chunks WHERE tenant = $1 AND run_id = $2`, [this.tenant, id]);
      await c.query(`DELETE FROM sisflow_held WHERE tenant = $1 AND run_id = $2`, [this.tenant, id]);
      return true;
    });
  }

  async snapshot(spec: string, output: string): Promise<OutputSnapshot | undefined> {
    const r = await this.query<{ run_id: string; key: string | null; data: Buffer | null }>(`SELECT run_id, key, data FROM sisflow_snapshots WHERE tenant = $1 AND spec = $2 AND output = $3`, [this.tenant, spec, output]);
    const row = r.rows[0];
    if (!row) return undefined;
    if (!row.key) return legacySnapshot(row.data!);
    const n = await this.query<{ n: string }>(`SELECT coalesce(sum(rows), 0) AS n FROM sisflow_snapshot_chunks WHERE tenant = $1 AND run_id = $2 AND output = $3`, [this.tenant, row.run_id, output]);
    return this.chunked(row.run_id, output, JSON.parse(row.key) as string[], Number(n.rows[0]!.n));
  }

  async totals(bucketsMs: readonly number[]): Promise<RunTotals[]> {
    const sql = totalsSql(bucketsMs, {
      from: 'sisflow_runs runs WHERE runs.tenant = $1',
      param: (i) => `$${i + 2}`,
      heldOutputs: '(SELECT count(*) FROM sisflow_held h WHERE h.tenant = runs.tenant AND h.run_id = runs.id)',
      endMs: `(extract(epoch FROM started_at::timestamptz) * 1000)::bigint + duration_ms`,
    });
    return totalsFromRows((await this.query<TotalsRow>(sql, [this.tenant, ...bucketsMs])).rows, bucketsMs);
  }

  async prune(before: string): Promise<number> {
    const r = await this.query(`DELETE FROM sisflow_runs WHERE tenant = $1 AND started_at < $2 AND status NOT IN ('running', 'held')`, [this.tenant, before]);
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    for (const c of this.holders.values()) await c.end().catch(() => undefined);
    this.holders.clear();
    await this.lease.release();
  }

  /** Under the spec's lock: any run still recorded running lost its lock, so its process is gone. */
  private async insertRunning(c: pg.Client, start: RunStart): Promise<{ run: RunRecord; busy?: undefined } | { run?: undefined; busy: RunRecord }> {
    const id = runId(start.startedAt);
    await c.query('BEGIN');
    try {
      if (start.job) {
        const done = await c.query<RunRow>(`SELECT * FROM sisflow_runs WHERE tenant = $1 AND job = $2 AND status = ANY($3) LIMIT 1`, [this.tenant, start.job, JOB_DONE]);
        if (done.rows[0]) {
          await c.query('ROLLBACK');
          return { busy: fromRow(done.rows[0]) };
        }
      }
      await c.query(`UPDATE sisflow_runs SET status = 'failed', error = 'abandoned: process ' || coalesce(pid::text, '?') || ' on ' || coalesce(host, '?') || ' ended before the run finished (killed or crashed); nothing was published by it' WHERE tenant = $1 AND spec = $2 AND status = 'running'`, [this.tenant, start.spec]);
      await c.query(
        `INSERT INTO sisflow_runs (tenant, id, spec, file, plan_hash, params, trigger, approves, started_at, status, pid, host, job, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running', $10, $11, $12, $13)`,
        [this.tenant, id, start.spec, start.file, start.planHash, JSON.stringify(start.params), start.trigger, start.approves ?? null, start.startedAt, process.pid, this.host, start.job ?? null, start.requestedBy ?? null],
      );
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return { run: { ...start, id, status: 'running', pid: process.pid, host: this.host } };
  }

  /** Keeps a run's snapshot of an output, chunk by chunk (read from its spool one at a time). */
  private async saveChunks(c: pg.ClientBase, runId: string, output: string, s: SnapshotRows): Promise<void> {
    let seq = 0;
    for (const chunk of s.chunks()) {
      await c.query(`INSERT INTO sisflow_snapshot_chunks (tenant, run_id, output, seq, rows, keys, digests, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        this.tenant, runId, output, seq++, chunk.rows, chunk.keys, chunk.digests, chunk.data,
      ]);
    }
  }

  /** Makes a run's snapshot the one the output is judged against; the chunks of the one it replaces go (same transaction). */
  private async makeCurrent(c: pg.ClientBase, spec: string, output: string, runId: string, s: { key: string[] } | { data: Buffer }): Promise<void> {
    const old = await c.query<{ run_id: string }>(`SELECT run_id FROM sisflow_snapshots WHERE tenant = $1 AND spec = $2 AND output = $3 FOR UPDATE`, [this.tenant, spec, output]);
    await c.query(
      `INSERT INTO sisflow_snapshots (tenant, spec, output, run_id, key, data) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant, spec, output) DO UPDATE SET run_id = excluded.run_id, key = excluded.key, data = excluded.data`,
      [this.tenant, spec, output, runId, 'key' in s ? JSON.stringify(s.key) : null, 'data' in s ? s.data : null],
    );
    const replaced = old.rows[0]?.run_id;
    if (replaced && replaced !== runId) await c.query(`DELETE FROM sisflow_snapshot_chunks WHERE tenant = $1 AND run_id = $2 AND output = $3`, [this.tenant, replaced, output]);
  }

  /** A snapshot kept in chunks. */
  private chunked(runId: string, output: string, key: string[], rows: number): OutputSnapshot {
    const where = [this.tenant, runId, output];
    return chunkedSnapshot({
      runId,
      key,
      rows,
      page: async (from) =>
        (
          await this.query<SnapshotChunk & { seq: number }>(
            `SELECT seq, rows, keys, digests, ''::bytea AS data FROM sisflow_snapshot_chunks WHERE tenant = $1 AND run_id = $2 AND output = $3 AND seq >= $4 ORDER BY seq LIMIT ${SNAPSHOT_PAGE}`,
            [...where, from],
          )
        ).rows,
      one: async (seq) => (await this.query<SnapshotChunk>(`SELECT rows, keys, digests, data FROM sisflow_snapshot_chunks WHERE tenant = $1 AND run_id = $2 AND output = $3 AND seq = $4`, [...where, seq])).rows[0],
    });
  }

  private async query<R extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<pg.QueryResult<R>> {
    await this.ready;
    try {
      return await this.pool.query<R>(sql, args);
    } catch (e) {
      throw this.unreachable(e);
    }
  }

  /** f inside one transaction, on the given connection or one of the pool's. */
  private async transaction<T>(f: (c: pg.ClientBase) => Promise<T>, on?: pg.Client): Promise<T> {
    let c: pg.ClientBase;
    try {
      c = on ?? (await this.pool.connect());
    } catch (e) {
      throw this.unreachable(e);
    }
    try {
      await c.query('BEGIN');
      const r = await f(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      if (!on) (c as pg.PoolClient).release();
    }
  }

  private async connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.url });
    c.on('error', () => undefined);
    try {
      await c.connect();
    } catch (e) {
      throw this.unreachable(e);
    }
    return c;
  }

  private async migrate(): Promise<void> {
    // A schema already current (every open but the first) is seen without the migrations' lock or
    // a connection of its own: a fleet worker opens a district's history per run, and taking that
    // fleet-wide lock each time made every run of the fleet wait in line.
    const current = await this.pool.query<{ v: number }>(`SELECT coalesce(max(version), 0)::int AS v FROM sisflow_migrations`).then(
      (r) => r.rows[0]!.v,
      () => undefined, // no table yet, or the server cannot be reached: the locked path says which
    );
    if (current === POSTGRES_MIGRATIONS.length) return;
    const c = await this.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SELECT pg_advisory_xact_lock($1)`, [MIGRATION_LOCK.toString()]);
      await c.query(`CREATE TABLE IF NOT EXISTS sisflow_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const at = (await c.query<{ v: number }>(`SELECT coalesce(max(version), 0)::int AS v FROM sisflow_migrations`)).rows[0]!.v;
      if (at > POSTGRES_MIGRATIONS.length) throw new HistoryUnreachableError(`the run history is at schema version ${at}, newer than this sisflow knows (${POSTGRES_MIGRATIONS.length}): upgrade sisflow`);
      for (let v = at; v < POSTGRES_MIGRATIONS.length; v++) {
        await c.query(POSTGRES_MIGRATIONS[v]!);
        await c.query(`INSERT INTO sisflow_migrations (version) VALUES ($1)`, [v + 1]);
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw this.unreachable(e);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** An error of the database, as words that name the server but hold no password. */
  private unreachable(e: unknown): Error {
    if (e instanceof HistoryUnreachableError) return e;
    const where = describeUrl(this.url);
    const why = e instanceof AggregateError ? e.errors.map((x) => (x as Error).message).join('; ') : e instanceof Error ? e.message : String(e);
    return new HistoryUnreachableError(this.redactor.redact(`the PostgreSQL history at ${where} cannot be used: ${why}`));
  }
}

/** host:port/database of a PostgreSQL URL: what may be printed of it. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the history URL';
  }
}
