// /metrics parsed as Prometheus text (parse-prometheus-text-format) and checked against the
// seeded history; the values come from the store, so a restarted console reports the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: the parser ships no types
import parsePrometheus from 'parse-prometheus-text-format';
import { defaultRegistry, environmentSecrets } from '@sisflow/connectors';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistory, PostgresHistory, SqliteHistory, type HistoryStore, type RunRecord } from '@sisflow/service';
import { DURATION_BUCKETS, startConsole, type QueueDepthSource } from '@sisflow/console';
import { seedPostgres, seedSqlite, syntheticRuns, totalsOf } from '../../service/test/seed-history.js';
import { startPostgres } from '../../service/test/servers/postgres-server.js';
import { seededDistrict, DISTRICT, type Seeded } from './seeded-district.js';

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; count?: string; sum?: string; buckets?: Record<string, string> }[];
}

let s: Seeded;
let lastText = '';
test.before(async () => {
  s = await seededDistrict();
});
test.after(async () => {
  await s.store.close();
});

async function scrape(store = s.store, queue?: QueueDepthSource, name = DISTRICT): Promise<Map<string, Family>> {
  const registry = defaultRegistry();
  const c = await startConsole({ districts: [{ name, dir: s.dir, store }], registry, secrets: environmentSecrets(s.env), address: { host: '127.0.0.1', port: 0 }, ...(queue ? { queue } : {}) });
  try {
    const r = await fetch(`${c.url}/metrics`);
    assert.match(r.headers.get('content-type')!, 'text/plain; version=0.0.4');
    lastText = await r.text();
    return new Map((parsePrometheus(lastText) as Family[]).map((f) => [f.name, f]));
  } finally {
    await c.close();
  }
}

const value = (m: Map<string, Family>, name: string, labels: Record<string, string>) =>
  m.get(name)?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v))?.value;
const sum = (runs: RunRecord[], f: (r: RunRecord) => number) => runs.reduce((n, r) => n + f(r), 0);

test('runs by spec and status, rows read and written, rejects and held outputs are those of the history', async () => {
  const m = await scrape();
  assert.is(m.get('sisflow_runs_total')!.type, 'COUNTER');
  const d = { district: DISTRICT };
  assert.is(value(m, 'sisflow_runs_total', { ...d, spec: 'destiny-patrons', status: 'ok' }), '1');
  assert.is(value(m, 'sisflow_runs_total', { ...d, spec: 'destiny-patrons', status: 'held' }), '1');
  assert.is(value(m, 'sisflow_runs_total', { ...d, spec: 'roster', status: 'failed' }), '1');
  const patrons = [s.ok, s.held];
  assert.is(Number(value(m, 'sisflow_rows_read_total', { ...d, spec: 'destiny-patrons' })), sum(patrons, (r) => Object.values(r.report!.sources).reduce((n, x) => n + x.rows, 0)));
  assert.is(Number(value(m, 'sisflow_rows_written_total', { ...d, spec: 'destiny-patrons' })), 1925 + 383);
  assert.is(Number(value(m, 'sisflow_rejects_total', { ...d, spec: 'destiny-patrons' })), sum(patrons, (r) => r.report!.rejects.count));
  assert.is(m.get('sisflow_held_outputs')!.type, 'GAUGE');
  assert.is(value(m, 'sisflow_held_outputs', { ...d, spec: 'destiny-patrons' }), '1');
  assert.is(value(m, 'sisflow_held_outputs', { ...d, spec: 'roster' }), '0');
});

test('the duration histogram has every finished run; time since the last success is per spec', async () => {
  const m = await scrape();
  assert.is(m.get('sisflow_run_duration_seconds')!.type, 'HISTOGRAM');
  // The parser folds the buckets of labelled histograms into one (it drops their labels, _sum and
  // _count), so the series of this histogram are read from the text it has just parsed.
  const series = (suffix: string, extra = '') => Number(new RegExp(`^sisflow_run_duration_seconds_${suffix}\\{${extra}district="[^\\n]*",spec="destiny-patrons"\\} (\\S+)$`, 'm').exec(lastText)?.[1]);
  assert.is(series('count'), 2);
  assert.ok(Math.abs(series('sum') - (s.ok.durationMs! + s.held.durationMs!) / 1000) < 1e-9);
  assert.is(series('bucket', 'le="\\+Inf",'), 2);
  const end = (Date.parse(s.ok.startedAt) + s.ok.durationMs!) / 1000;
  assert.is(Number(value(m, 'sisflow_last_success_timestamp_seconds', { spec: 'destiny-patrons' })), end);
  assert.ok(Number(value(m, 'sisflow_seconds_since_last_success', { spec: 'destiny-patrons' })) >= 0);
  assert.is(value(m, 'sisflow_seconds_since_last_success', { spec: 'roster' }), undefined, 'roster never succeeded');
  assert.ok(m.has('process_cpu_user_seconds_total'), 'and the process metrics');
});

test('a restarted console over the same history reports the same counts', async () => {
  const before = await scrape();
  const again = openHistory(s.dir);
  try {
    const after = await scrape(again);
    for (const name of ['sisflow_runs_total', 'sisflow_rows_read_total', 'sisflow_rows_written_total', 'sisflow_rejects_total', 'sisflow_held_outputs']) {
      assert.equal(after.get(name)!.metrics, before.get(name)!.metrics, name);
    }
  } finally {
    await again.close();
  }
});

test('queue depth is exported only when a queue is plugged in', async () => {
  const none = await scrape();
  assert.not.ok(none.has('sisflow_queue_depth') || none.has('sisflow_queue_jobs'));
  const m = await scrape(s.store, { depth: () => ({ byState: { waiting: 3, delayed: 2, active: 1 }, bySpec: [{ district: 'D', spec: 'destiny-patrons', state: 'waiting', count: 3 }, { district: 'D', spec: 'roster', state: 'delayed', count: 2 }] }) });
  assert.is(value(m, 'sisflow_queue_jobs', { state: 'waiting' }), '3');
  assert.is(value(m, 'sisflow_queue_jobs', { state: 'active' }), '1');
  assert.is(value(m, 'sisflow_queue_depth', { district: 'D', spec: 'destiny-patrons', state: 'waiting' }), '3');
  assert.is(value(m, 'sisflow_queue_depth', { spec: 'roster', state: 'delayed' }), '2');
});

/** Every sample of the last scrape by series (`name{label="v",…}` with labels sorted). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}=${l[2]}`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

/** What /metrics says of 10 000 runs equals what the runs, loaded one by one through the store, add up to. */
async function checkTenThousand(store: HistoryStore): Promise<void> {
  const m = await scrape(store, undefined, 'Big Unified');
  const got = samples(lastText);
  const all = await store.list({ limit: 1_000_000 });
  assert.is(all.length, 10_000);
  const runs = await Promise.all(all.map(async (record) => ({ record, heldOutputs: record.status === 'held' ? (await store.held(record.id)).length : 0 })));
  const expected = totalsOf(runs, DURATION_BUCKETS.map((b) => b * 1000));
  const key = (name: string, labels: Record<string, string | number>) => `${name}{${Object.entries({ district: 'Big Unified', ...labels }).map(([k, v]) => `${k}=${v}`).sort().join(',')}}`;
  const perSpec = new Map<string, typeof expected>();
  for (const t of expected) perSpec.set(t.spec, [...(perSpec.get(t.spec) ?? []), t]);
  assert.is(perSpec.size, 10);
  let checked = 0;
  const is = (k: string, v: number) => {
    assert.ok(got.has(k), `${k} is exported`);
    assert.ok(Math.abs(got.get(k)! - v) < 1e-6 * Math.max(1, v), `${k}: ${got.get(k)} (one run at a time: ${v})`);
    checked++;
  };
  for (const [spec, ts] of perSpec) {
    for (const t of ts) is(key('sisflow_runs_total', { spec, status: t.status }), t.runs);
    const add = (f: (t: (typeof ts)[number]) => number) => ts.reduce((n, t) => n + f(t), 0);
    is(key('sisflow_rows_read_total', { spec }), add((t) => t.rowsRead));
    is(key('sisflow_rows_written_total', { spec }), add((t) => t.rowsWritten));
    is(key('sisflow_rejects_total', { spec }), add((t) => t.rejects));
    is(key('sisflow_held_outputs', { spec }), add((t) => t.heldOutputs));
    is(key('sisflow_run_duration_seconds_count', { spec }), add((t) => t.timed));
    is(key('sisflow_run_duration_seconds_sum', { spec }), add((t) => t.durationMs) / 1000);
    DURATION_BUCKETS.forEach((le, i) => is(key('sisflow_run_duration_seconds_bucket', { spec, le }), add((t) => t.buckets[i]!)));
    is(key('sisflow_run_duration_seconds_bucket', { spec, le: '+Inf' }), add((t) => t.timed));
    is(key('sisflow_last_success_timestamp_seconds', { spec }), ts.find((t) => t.status === 'ok')!.lastEndMs! / 1000);
  }
  assert.ok(checked > 200);
  assert.ok(m.get('sisflow_held_outputs')!.metrics.some((x) => Number(x.value) > 0), 'the seed has held outputs');
}

test('10 000 runs in SQLite: /metrics sums them in SQL to exactly what the runs add up to one by one', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sisflow-console-10k-')), 'history.db');
  seedSqlite(file, syntheticRuns(10_000, s.ok.report!));
  const store = SqliteHistory.open(file);
  try {
    await checkTenThousand(store);
  } finally {
    await store.close();
  }
});

test('10 000 runs in PostgreSQL: the same', async () => {
  const server = await startPostgres();
  const store = await (async () => {
    const url = await server.createDatabase('big');
    await seedPostgres(url, 'Big Unified', syntheticRuns(10_000, s.ok.report!));
    return PostgresHistory.open(url, 'Big Unified');
  })();
  try {
    await checkTenThousand(store);
  } finally {
    await store.close();
    await server.stop();
  }
});

test.run();
