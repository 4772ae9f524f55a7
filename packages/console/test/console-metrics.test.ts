// /metrics parsed as Prometheus text (parse-prometheus-text-format) and checked against the
// seeded history; the values come from the store, so a restarted console reports the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: the parser ships no types
import parsePrometheus from 'parse-prometheus-text-format';
import { defaultRegistry, environmentSecrets } from '@sisflow/connectors';
import { openHistory, type RunRecord } from '@sisflow/service';
import { startConsole } from '@sisflow/console';
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

async function scrape(store = s.store, queue?: { depth(): Record<string, number> }): Promise<Map<string, Family>> {
  const registry = defaultRegistry();
  const c = await startConsole({ districts: [{ name: DISTRICT, dir: s.dir, store }], registry, secrets: environmentSecrets(s.env), address: { host: '127.0.0.1', port: 0 }, ...(queue ? { queue } : {}) });
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
  assert.not.ok((await scrape()).has('sisflow_queue_depth'));
  const m = await scrape(s.store, { depth: () => ({ 'destiny-patrons': 4, roster: 0 }) });
  assert.is(value(m, 'sisflow_queue_depth', { spec: 'destiny-patrons' }), '4');
  assert.is(value(m, 'sisflow_queue_depth', { spec: 'roster' }), '0');
});

test.run();
