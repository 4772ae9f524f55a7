// The guard's judgements against the way it judged before snapshots were chunked: the same counts,
// breaches and sample rows (in the same order) on small cases — removed, added, changed, min_rows,
// composite keys, null key parts, unicode, a key that comes twice in one run or in the last
// snapshot, a key of other columns, chunk boundaries — with the last snapshot kept in a real
// SQLite history and in a real PostgreSQL one. The reference below is the old implementation:
// every row kept in a Map by the JSON of its key, compared by the JSON of the whole row.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JobPlan, PlanGuard, Row } from '@sisflow/core';
import { GuardWatch, PostgresHistory, SqliteHistory, type GuardOutcome, type HistoryStore } from '@sisflow/service';
import { startPostgres, type PostgresServer } from './servers/postgres-server.js';

let server: PostgresServer;
let url: string;
let n = 0;
test.before(async () => {
  server = await startPostgres();
  url = await server.createDatabase('judgement');
});
test.after(async () => server?.stop());

/** The guard as it was: the whole output in a Map by key JSON, compared row by row as JSON. */
function reference(guard: PlanGuard, rows: Row[], prev: Map<string, Row> | undefined): { outcome: GuardOutcome; map: Map<string, Row> } {
  const keyOf = (row: Row) => JSON.stringify(guard.key.map((k) => row[k] ?? null));
  const map = new Map<string, Row>();
  for (const row of rows) map.set(keyOf(row), row);
  const sample: GuardOutcome['sample'] = { removed: [], added: [], changed: [] };
  let removed = 0;
  let added = 0;
  let changed = 0;
  if (prev) {
    for (const [k, before] of prev) {
      const after = map.get(k);
      if (!after) {
        if (removed++ < 5) sample.removed.push(before);
      } else if (JSON.stringify(after) !== JSON.stringify(before)) {
        if (changed++ < 5) sample.changed.push({ before, after });
      }
    }
    for (const [k, row] of map) if (!prev.has(k) && added++ < 5) sample.added.push(row);
  }
  const breaches: string[] = [];
  const over = (count: number, limit: number | string | undefined, what: string) => {
    if (limit === undefined || !prev) return;
    const allowed = typeof limit === 'number' ? limit : (Number(limit.slice(0, -1)) / 100) * prev.size;
    if (count > allowed) breaches.push(`${count} row(s) ${what}, more than max_${what} ${limit}${typeof limit === 'string' ? ` of the ${prev.size} published last time` : ''}`);
  };
  over(removed, guard.max_removed, 'removed');
  over(added, guard.max_added, 'added');
  over(changed, guard.max_changed, 'changed');
  if (guard.min_rows !== undefined && map.size < guard.min_rows) breaches.push(`${map.size} row(s), fewer than min_rows ${guard.min_rows}`);
  // What the old store gave back next time: the rows through JSON.
  const stored = new Map([...map].map(([k, r]) => [k, JSON.parse(JSON.stringify(r)) as Row]));
  return { outcome: { output: 'out', rows: map.size, ...(prev ? { previous: prev.size } : {}), removed, added, changed, breaches, sample }, map: stored };
}

/** Each run's rows through the real guard (in batches of 7, as a run streams them), published to the store after it. */
async function guarded(store: HistoryStore, guards: PlanGuard[], runs: Row[][]): Promise<GuardOutcome[]> {
  const spec = `spec-${++n}`;
  const outcomes: GuardOutcome[] = [];
  for (let i = 0; i < runs.length; i++) {
    const plan = { name: spec, outputs: [{ name: 'out', guard: guards[Math.min(i, guards.length - 1)] }] } as unknown as JobPlan;
    const run = (await store.begin({ spec, file: 'x', planHash: 'h', params: {}, trigger: 'manual', startedAt: new Date().toISOString() })).run!;
    const watch = await GuardWatch.open(plan, (output) => store.snapshot(spec, output));
    try {
      for (let at = 0; at < runs[i]!.length; at += 7) watch.observe('out', runs[i]!.slice(at, at + 7));
      const report = await watch.judge();
      outcomes.push(report.outputs[0]!);
      await store.finish(run.id, { status: 'ok', durationMs: 1, snapshots: watch.snapshots(run.id) });
    } finally {
      watch.close();
    }
  }
  return outcomes;
}

/**
 * The one deliberate difference: a snapshot made with other key columns is keyed again by the
 * guard's columns (the old guard compared keys of different columns with each other).
 */
function referenceRuns(guards: PlanGuard[], runs: Row[][]): GuardOutcome[] {
  let prev: Map<string, Row> | undefined;
  return runs.map((rows, i) => {
    const guard = guards[Math.min(i, guards.length - 1)]!;
    if (prev && i > 0 && guards[Math.min(i - 1, guards.length - 1)] !== guard) prev = new Map([...prev.values()].map((r) => [JSON.stringify(guard.key.map((k) => r[k] ?? null)), r]));
    const r = reference(guard, rows, prev);
    prev = r.map;
    return r.outcome;
  });
}

const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
const students = (ids: number[], name = (i: number) => `Name${i}`) => ids.map((i) => ({ 'District ID': String(i), LN: name(i), GR: i % 13 }));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const CASES: { name: string; guards: PlanGuard[]; runs: Row[][] }[] = [
  { name: 'a first run: only min_rows', guards: [{ key: ['District ID'], max_removed: '10%', min_rows: 50 }], runs: [students(range(1, 40))] },
  {
    name: 'removed, added, changed past their limits; samples in order, cut at five',
    guards: [{ key: ['District ID'], max_removed: '10%', max_added: 3, max_changed: '5%', min_rows: 1 }],
    runs: [students(range(1, 100)), students([...range(101, 110), ...range(20, 100).reverse()], (i) => (i % 9 === 0 ? `Moved${i}` : `Name${i}`))],
  },
  {
    name: 'within limits: nothing held',
    guards: [{ key: ['District ID'], max_removed: 5, max_added: '50%', max_changed: 100 }],
    runs: [students(range(1, 30)), students(range(3, 40)), students(range(3, 40))],
  },
  {
    name: 'composite keys with null parts, unicode, look-alike keys',
    guards: [{ key: ['School', 'ID'], max_removed: 0 }],
    runs: [
      [
        { School: 991, ID: 1, LN: 'Ñúñez' },
        { School: 991, ID: null, LN: 'no id' },
        { School: null, ID: 1, LN: 'no school' },
        { School: 992, ID: '1', LN: 'text id' },
        { School: 992, ID: 1, LN: '😀 emoji' },
        { School: 993, ID: '[1]', LN: 'line\u2028sep "quoted" \\ back' },
        { School: 994, LN: 'ID missing' },
      ],
      [
        { School: 991, ID: 1, LN: 'Nuñez' },
        { School: 991, ID: undefined, LN: 'no id' },
        { School: 992, ID: '1', LN: 'text id' },
        { School: 992, ID: 1, LN: '😀 emoji' },
        { School: 993, ID: '[1]', LN: 'line\u2028sep "quoted" \\ back' },
        { School: 994, ID: null, LN: 'ID missing' },
        { School: '991', ID: 1, LN: 'text school' },
      ],
    ],
  },
  {
    name: 'single keys of every kind: text, numbers, "007" against 7, null, floats, negatives, booleans',
    guards: [{ key: ['K'], max_removed: '1%' }],
    runs: [
      [{ K: '7' }, { K: 7 }, { K: '007' }, { K: null }, { K: 1.5 }, { K: -3 }, { K: true }, { K: '' }, { K: 'T5001' }, { K: 2 ** 40 }],
      [{ K: 7, v: 1 }, { K: '007' }, { K: 1.5 }, { K: -3, v: 2 }, { K: false }, { K: '' }, { K: 'T5001' }, { K: 2 ** 40 }, { K: 'new' }],
    ],
  },
  {
    name: 'a key that comes twice in one run is judged by its last row; twice in the last snapshot, by its last too',
    guards: [{ key: ['District ID'], max_changed: 0 }],
    runs: [
      [...students(range(1, 10)), { 'District ID': '3', LN: 'Later3', GR: 3 }, { 'District ID': '11', LN: 'Eleven', GR: 11 }, { 'District ID': '11', LN: 'Eleven again', GR: 11 }],
      [
        { 'District ID': '3', LN: 'Name3', GR: 3 },
        { 'District ID': '3', LN: 'Later3', GR: 3 },
        { 'District ID': '4', LN: 'Changed4', GR: 4 },
        { 'District ID': '4', LN: 'Name4', GR: 4 },
        { 'District ID': '5', LN: 'Name5', GR: 5 },
        { 'District ID': '5', LN: 'Changed5', GR: 5 },
        { 'District ID': '11', LN: 'Eleven again', GR: 11 },
        { 'District ID': '12', LN: 'a', GR: 1 },
        { 'District ID': '12', LN: 'b', GR: 1 },
        ...students(range(6, 10)),
      ],
    ],
  },
  {
    name: 'more than five changed, and one of the first turns back unchanged by a later row of its key',
    guards: [{ key: ['District ID'], max_changed: '50%' }],
    runs: [students(range(1, 20)), [...students(range(1, 20), (i) => `Changed${i}`), ...students([2, 4])]],
  },
  {
    name: 'columns in another order, an extra column, a missing one: changed',
    guards: [{ key: ['ID'], max_changed: 1 }],
    runs: [
      [{ ID: 1, A: 'x', B: 'y' }, { ID: 2, A: 'x', B: 'y' }, { ID: 3, A: 'x', B: 'y' }, { ID: 4, A: 'x', B: 'y' }, { ID: 5, A: 'x', B: undefined }],
      [{ ID: 1, B: 'y', A: 'x' }, { ID: 2, A: 'x', B: 'y', C: null }, { ID: 3, A: 'x' }, { ID: 4, A: 'x', B: 'y' }, { ID: 5, A: 'x' }],
    ],
  },
  {
    name: 'the guard key changed since the last snapshot',
    guards: [{ key: ['District ID'] }, { key: ['LN'], max_removed: 0 }],
    runs: [students(range(1, 20)), students(range(5, 25))],
  },
  {
    name: 'thousands of rows across chunk boundaries: samples read from the right chunks',
    guards: [{ key: ['District ID'], max_removed: '1%', max_changed: 10 }],
    runs: [students(range(1, 10_000)), students([...range(1, 4090), ...range(4100, 8190), ...range(8200, 10_003)], (i) => (i % 997 === 0 ? `Changed${i}` : `Name${i}`))],
  },
];

const STORES: { name: string; open(): HistoryStore }[] = [
  { name: 'sqlite', open: () => SqliteHistory.open(join(mkdtempSync(join(tmpdir(), 'sisflow-judgement-')), 'history.db')) },
  { name: 'postgres', open: () => PostgresHistory.open(url, `District ${++n}`) },
];

for (const s of STORES) {
  for (const c of CASES) {
    test(`${s.name}: ${c.name}`, async () => {
      const store = s.open();
      try {
        const got = await guarded(store, c.guards, c.runs);
        const want = referenceRuns(c.guards, c.runs);
        assert.equal(json(got), json(want));
      } finally {
        await store.close();
      }
    });
  }
}

test('the cases hold: each kind of change and breach is there', () => {
  const outcomes = CASES.flatMap((c) => referenceRuns(c.guards, c.runs));
  for (const what of ['removed', 'added', 'changed'] as const) {
    assert.ok(outcomes.some((o) => o[what] > 5 && o.sample[what].length === 5), `${what} past the sample`);
    assert.ok(outcomes.some((o) => o.breaches.some((b) => b.includes(`max_${what}`))), `a max_${what} breach`);
  }
  assert.ok(outcomes.some((o) => o.breaches.some((b) => b.includes('min_rows'))));
});

test.run();
