// A child process for the large guard test: two runs of N generated rows through the real guard
// and a real SQLite history (the second with some rows removed, added and changed), printing as
// JSON what the guard judged, the chunks the history keeps, and how far RSS rose above the
// process's baseline while it did (sampled after every batch, so the peak cannot slip by).
// Usage: guard-rows.ts HISTORY_FILE N
import type { JobPlan, Row } from '@sisflow/core';
import { GuardWatch, SqliteHistory } from '@sisflow/service';

const [file, count] = process.argv.slice(2);
const n = Number(count);
const store = SqliteHistory.open(file!);
const plan = { name: 'patrons', outputs: [{ name: 'patrons', guard: { key: ['District ID'], max_removed: '10%' } }] } as unknown as JobPlan;
globalThis.gc?.();
const base = process.memoryUsage().rss;
let peak = base;

async function run(row: (i: number) => Row | undefined, total: number) {
  const id = (await store.begin({ spec: 'patrons', file: 'x', planHash: 'h', params: {}, trigger: 'manual', startedAt: new Date().toISOString() })).run!.id;
  const watch = await GuardWatch.open(plan, (o) => store.snapshot('patrons', o));
  try {
    for (let at = 0; at < total; at += 1000) {
      const batch: Row[] = [];
      for (let i = at; i < Math.min(total, at + 1000); i++) {
        const r = row(i);
        if (r) batch.push(r);
      }
      watch.observe('patrons', batch);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const report = await watch.judge();
    peak = Math.max(peak, process.memoryUsage().rss);
    await store.finish(id, { status: 'ok', durationMs: 1, snapshots: watch.snapshots(id) });
    peak = Math.max(peak, process.memoryUsage().rss);
    return report.outputs[0]!;
  } finally {
    watch.close();
  }
}

const student = (i: number, name = `Last${i}`): Row => ({ 'Site Short Name': `S${i % 40}`, Barcode: String(100000 + i), 'District ID': String(100000 + i), 'Last Name': name, 'First Name': `First${i % 311}`, Status: 'A', 'Grade Level': String(i % 13) });
const first = await run((i) => student(i), n);
// Second run: every 1000th row gone, every 500th (not also gone) changed, 3000 new at the end.
const second = await run((i) => (i >= n ? student(i) : i % 1000 === 0 ? undefined : i % 500 === 0 ? student(i, `Moved${i}`) : student(i)), n + 3000);
const db = (store as unknown as { db: { prepare(s: string): { get(): { n: number } } } }).db;
const chunks = db.prepare('SELECT count(*) AS n FROM snapshot_chunks').get().n;
await store.close();
process.stdout.write(JSON.stringify({ first, second, chunks, rssGrowthMb: (peak - base) / 1048576 }) + '\n');
