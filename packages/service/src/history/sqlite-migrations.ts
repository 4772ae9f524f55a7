// The run history's schema, one step per version (PRAGMA user_version counts the steps applied).
// Never edit a released step: add the next one.
export const HISTORY_MIGRATIONS: readonly string[] = [
  // 1: runs, held stages, the last published snapshot of each guarded output
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
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
     host TEXT
   );
   CREATE INDEX runs_by_spec ON runs (spec, started_at);
   CREATE INDEX runs_by_start ON runs (started_at);
   -- the overlap lock: at most one running run of a spec
   CREATE UNIQUE INDEX one_running_run ON runs (spec) WHERE status = 'running';
   CREATE TABLE held (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     output TEXT NOT NULL,
     use TEXT NOT NULL,
     connection TEXT NOT NULL,
     stage TEXT NOT NULL,
     snapshot BLOB,
     PRIMARY KEY (run_id, output)
   );
   CREATE TABLE snapshots (
     spec TEXT NOT NULL,
     output TEXT NOT NULL,
     run_id TEXT NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (spec, output)
   );`,
  // 2: the fleet job a run carries out (a job delivered twice is recognised and not published twice)
  `ALTER TABLE runs ADD COLUMN job TEXT;
   CREATE INDEX runs_by_job ON runs (job) WHERE job IS NOT NULL;`,
  // 3: the figures of a run's report in columns (rows read, rows written, rejects), so /metrics sums
  // them in SQL; filled from the reports already kept
  `ALTER TABLE runs ADD COLUMN rows_read INTEGER;
   ALTER TABLE runs ADD COLUMN rows_written INTEGER;
   ALTER TABLE runs ADD COLUMN rejects INTEGER;
   UPDATE runs SET
     rows_read = (SELECT coalesce(sum(json_extract(s.value, '$.rows')), 0) FROM json_each(runs.report, '$.sources') s),
     rows_written = (SELECT coalesce(sum(json_extract(o.value, '$.rows')), 0) FROM json_each(runs.report, '$.outputs') o),
     rejects = coalesce(json_extract(runs.report, '$.rejects.count'), 0)
   WHERE report IS NOT NULL;`,
  // 4: who asked for a run (the person behind a "run now" or an approve)
  `ALTER TABLE runs ADD COLUMN requested_by TEXT;`,
  // 5: snapshots in chunks (keys, digests and rows apart) under the run that made them, so no run
  // holds a whole output to compare or to save; the current snapshot of an output points to its
  // run (key set). A snapshot kept whole before (data) is still read, and replaced by the next publish.
  `CREATE TABLE snapshot_chunks (
     run_id TEXT NOT NULL,
     output TEXT NOT NULL,
     seq INTEGER NOT NULL,
     rows INTEGER NOT NULL,
     keys BLOB NOT NULL,
     digests BLOB NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (run_id, output, seq)
   );
   ALTER TABLE held ADD COLUMN snapshot_key TEXT;
   CREATE TABLE snapshots_5 (
     spec TEXT NOT NULL,
     output TEXT NOT NULL,
     run_id TEXT NOT NULL,
     key TEXT,
     data BLOB,
     PRIMARY KEY (spec, output)
   );
   INSERT INTO snapshots_5 (spec, output, run_id, data) SELECT spec, output, run_id, data FROM snapshots;
   DROP TABLE snapshots;
   ALTER TABLE snapshots_5 RENAME TO snapshots;`,
];
