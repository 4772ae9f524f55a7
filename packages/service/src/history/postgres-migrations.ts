// The shared run history's schema in PostgreSQL, one step per version, applied in order inside one
// transaction under an advisory lock (two processes starting at once apply each step once); the
// table sisflow_migrations lists the steps applied. Never edit a released step: add the next one.
// Every table carries the tenant (the district) so one database holds a whole fleet.
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: runs, held stages, the last published snapshot of each guarded output (as the SQLite store's 1 and 2)
  `CREATE TABLE sisflow_runs (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     spec TEXT NOT NULL,
     file TEXT NOT NULL,
     plan_hash TEXT NOT NULL,
     params TEXT NOT NULL,
     trigger TEXT NOT NULL,
     approves TEXT,
     started_at TEXT NOT NULL,
     duration_ms INTEGER,
     status TEXT NOT NULL,
     report TEXT,
     error TEXT,
     guard TEXT,
     decision TEXT,
     pid INTEGER,
     host TEXT,
     job TEXT,
     PRIMARY KEY (tenant, id)
   );
   CREATE INDEX sisflow_runs_by_spec ON sisflow_runs (tenant, spec, started_at);
   CREATE INDEX sisflow_runs_by_start ON sisflow_runs (tenant, started_at);
   CREATE INDEX sisflow_runs_by_job ON sisflow_runs (tenant, job) WHERE job IS NOT NULL;
   -- the overlap lock's record: at most one running run of a spec (the lock itself is an advisory lock)
   CREATE UNIQUE INDEX sisflow_one_running_run ON sisflow_runs (tenant, spec) WHERE status = 'running';
   CREATE TABLE sisflow_held (
     tenant TEXT NOT NULL,
     run_id TEXT NOT NULL,
     output TEXT NOT NULL,
     use TEXT NOT NULL,
     connection TEXT NOT NULL,
     stage TEXT NOT NULL,
     snapshot BYTEA,
     PRIMARY KEY (tenant, run_id, output),
     FOREIGN KEY (tenant, run_id) REFERENCES sisflow_runs (tenant, id) ON DELETE CASCADE
   );
   CREATE TABLE sisflow_snapshots (
     tenant TEXT NOT NULL,
     spec TEXT NOT NULL,
     output TEXT NOT NULL,
     run_id TEXT NOT NULL,
     data BYTEA NOT NULL,
     PRIMARY KEY (tenant, spec, output)
   );`,
  // 2: the figures of a run's report in columns (rows read, rows written, rejects), so /metrics sums
  // them in SQL; filled from the reports already kept (as the SQLite store's 3)
  `ALTER TABLE sisflow_runs ADD COLUMN rows_read BIGINT, ADD COLUMN rows_written BIGINT, ADD COLUMN rejects BIGINT;
   UPDATE sisflow_runs SET
     rows_read = (SELECT coalesce(sum((s.value->>'rows')::bigint), 0) FROM jsonb_each(report::jsonb->'sources') s),
     rows_written = (SELECT coalesce(sum((o.value->>'rows')::bigint), 0) FROM jsonb_each(report::jsonb->'outputs') o),
     rejects = coalesce((report::jsonb->'rejects'->>'count')::bigint, 0)
   WHERE report IS NOT NULL;`,
  // 3: who asked for a run (the person behind a "run now" or an approve), as the SQLite store's 4
  `ALTER TABLE sisflow_runs ADD COLUMN requested_by TEXT;`,
  // 4: snapshots in chunks under the run that made them, as the SQLite store's 5; a snapshot kept
  // whole before (data) is still read, and replaced by the next publish
  `CREATE TABLE sisflow_snapshot_chunks (
     tenant TEXT NOT NULL,
     run_id TEXT NOT NULL,
     output TEXT NOT NULL,
     seq INTEGER NOT NULL,
     rows INTEGER NOT NULL,
     keys BYTEA NOT NULL,
     digests BYTEA NOT NULL,
     data BYTEA NOT NULL,
     PRIMARY KEY (tenant, run_id, output, seq)
   );
   ALTER TABLE sisflow_held ADD COLUMN snapshot_key TEXT;
   ALTER TABLE sisflow_snapshots ALTER COLUMN data DROP NOT NULL, ADD COLUMN key TEXT;`,
];
