// Many runs written straight into a history at the schema version before the report figures had
// columns (SQLite 2, PostgreSQL 1) — fast, one transaction — so that opening it with the store runs
// the migration that fills them. Used by the contract test (migration) and by the console's /metrics
// test and timing (10 000 runs). Deterministic: the same n gives the same runs.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { RunReport } from '@sisflow/core';
import { HISTORY_MIGRATIONS, POSTGRES_MIGRATIONS, reportFigures, type RunRecord, type RunTotals } from '@sisflow/service';

/** The schema versions the seed is written at. */
export const SEED_SQLITE_VERSION = 2;
export const SEED_POSTGRES_VERSION = 1;

export interface SeededRun {
  record: RunRecord;
  /** Held outputs of a held run (names). */
  held: string[];
}

/**
 * n runs over `specs` specs, one a minute from 2026-01-01: mostly ok, some failed (no report), held
 * (one or two held outputs), approved, discarded, and approve runs (trigger approve, ok, repeating a
 * report). Reports are the template with other counts.
 */
export function syntheticRuns(n: number, template: RunReport, specs = 10): SeededRun[] {
  let x = 0x2545f491;
  const next = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x % m);
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  return Array.from({ length: n }, (_, i) => {
    const startedAt = new Date(t0 + i * 60_000 + next(1000)).toISOString();
    const status: RunRecord['status'] = i % 20 === 7 ? 'failed' : i % 37 === 3 ? 'held' : i % 53 === 5 ? 'approved' : i % 59 === 11 ? 'discarded' : i % 97 === 13 ? 'cancelled' : 'ok';
    const trigger: RunRecord['trigger'] = status === 'ok' && i % 61 === 2 ? 'approve' : i % 9 === 0 ? 'manual' : 'schedule';
    const report = status === 'failed' ? undefined : withCounts(template, next(5000), next(5000), next(40));
    const record: RunRecord = {
      id: `${startedAt.slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${i.toString(16).padStart(6, '0')}`,
      spec: `spec-${i % specs}`,
      file: `specs/spec-${i % specs}.yaml`,
      planHash: 'abc123',
      params: {},
      trigger,
      startedAt,
      status,
      durationMs: next(5) === 0 ? 3_000_000 + next(5_000_000) : next(200_000),
      ...(report ? { report } : { error: 'connection refused' }),
      ...(status === 'approved' || status === 'discarded' ? { decision: { by: 'ana', at: startedAt } } : {}),
    };
    return { record, held: status === 'held' ? (i % 2 ? ['patrons', 'staff'] : ['patrons']) : [] };
  });
}

function withCounts(template: RunReport, read: number, written: number, rejects: number): RunReport {
  const sources = Object.fromEntries(Object.entries(template.sources).map(([k, s], i) => [k, { ...s, rows: read + i }]));
  const outputs = Object.fromEntries(Object.entries(template.outputs).map(([k, o], i) => [k, { ...o, rows: written + i }]));
  return { ...template, sources, outputs, rejects: { ...template.rejects, count: rejects } };
}

const COLUMNS = ['id', 'spec', 'file', 'plan_hash', 'params', 'trigger', 'approves', 'started_at', 'duration_ms', 'status', 'report', 'error', 'guard', 'decision', 'pid', 'host', 'job'];

function rowOf(r: RunRecord): unknown[] {
  return [r.id, r.spec, r.file, r.planHash, JSON.stringify(r.params), r.trigger, r.approves ?? null, r.startedAt, r.durationMs ?? null, r.status, r.report ? JSON.stringify(r.report) : null, r.error ?? null, null, r.decision ? JSON.stringify(r.decision) : null, null, null, null];
}

/** A new SQLite history file at schema version 2 holding these runs. */
export function seedSqlite(file: string, runs: SeededRun[]): void {
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file);
  try {
    db.transaction(() => {
      for (const step of HISTORY_MIGRATIONS.slice(0, SEED_SQLITE_VERSION)) db.exec(step);
      db.pragma(`user_version = ${SEED_SQLITE_VERSION}`);
      const insert = db.prepare(`INSERT INTO runs (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
      const held = db.prepare(`INSERT INTO held (run_id, output, use, connection, stage) VALUES (?, ?, 'files', '{}', '{}')`);
      for (const r of runs) {
        insert.run(...rowOf(r.record));
        for (const output of r.held) held.run(r.record.id, output);
      }
    })();
  } finally {
    db.close();
  }
}

/** A new (empty) PostgreSQL database at schema version 1 holding these runs for the tenant. */
export async function seedPostgres(url: string, tenant: string, runs: SeededRun[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query(`CREATE TABLE sisflow_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    for (let v = 0; v < SEED_POSTGRES_VERSION; v++) {
      await c.query(POSTGRES_MIGRATIONS[v]!);
      await c.query(`INSERT INTO sisflow_migrations (version) VALUES ($1)`, [v + 1]);
    }
    const batch = 500;
    for (let at = 0; at < runs.length; at += batch) {
      const part = runs.slice(at, at + batch);
      const args: unknown[] = [];
      const rows = part.map((r) => `(${[tenant, ...rowOf(r.record)].map((v) => `$${args.push(v)}`).join(', ')})`);
      await c.query(`INSERT INTO sisflow_runs (tenant, ${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, args);
      const held = part.flatMap((r) => r.held.map((output) => [tenant, r.record.id, output]));
      if (held.length) {
        const hargs: unknown[] = [];
        await c.query(`INSERT INTO sisflow_held (tenant, run_id, output, use, connection, stage) VALUES ${held.map((h) => `(${h.map((v) => `$${hargs.push(v)}`).join(', ')}, 'files', '{}', '{}')`).join(', ')}`, hargs);
      }
    }
    await c.query('COMMIT');
  } finally {
    await c.end();
  }
}

/** The totals of runs computed one run at a time (what /metrics did before the stores summed them): the oracle. */
export function totalsOf(runs: { record: RunRecord; heldOutputs: number }[], bucketsMs: readonly number[]): RunTotals[] {
  const by = new Map<string, RunTotals>();
  for (const { record: r, heldOutputs } of runs) {
    const key = `${r.spec}\u0000${r.status}`;
    const t = by.get(key) ?? { spec: r.spec, status: r.status, runs: 0, timed: 0, durationMs: 0, buckets: bucketsMs.map(() => 0), rowsRead: 0, rowsWritten: 0, rejects: 0, heldOutputs: 0 };
    t.runs++;
    if (r.durationMs !== undefined) {
      t.timed++;
      t.durationMs += r.durationMs;
      bucketsMs.forEach((b, i) => r.durationMs! <= b && t.buckets[i]!++);
      const end = Date.parse(r.startedAt) + r.durationMs;
      if (t.lastEndMs === undefined || end > t.lastEndMs) t.lastEndMs = end;
    }
    if (r.report && r.trigger !== 'approve') {
      const f = reportFigures(r.report);
      t.rowsRead += f.read;
      t.rowsWritten += f.written;
      t.rejects += f.rejects;
    }
    if (r.status === 'held') t.heldOutputs += heldOutputs;
    by.set(key, t);
  }
  return [...by.values()].sort((a, b) => (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
}
