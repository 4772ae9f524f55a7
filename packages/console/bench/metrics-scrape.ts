// How long one /metrics scrape takes over a history of N runs (default 10 000): the history seeded
// by the contract tests' seeder (real report shapes, held outputs, approve runs), then
// ConsoleMetrics.render() timed — the first scrape and the median of the next ones. SQLite always;
// PostgreSQL too when it is installed. `node --conditions=sisflow-source --import tsx
// packages/console/bench/metrics-scrape.ts [N]`
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '@sisflow/core';
import { PostgresHistory, SqliteHistory, type HistoryStore } from '@sisflow/service';
import { ConsoleMetrics } from '@sisflow/console';
import { seedPostgres, seedSqlite, syntheticRuns } from '../../service/test/seed-history.js';
import { postgresBin, startPostgres } from '../../service/test/servers/postgres-server.js';

const n = Number(process.argv[2] ?? 10_000);
// A report as a real run writes it (the Destiny patrons example on the demo district).
const template = JSON.parse(readFileSync(fileURLToPath(new URL('./report-template.json', import.meta.url)), 'utf8')) as RunReport;
const runs = syntheticRuns(n, template);

async function time(name: string, store: HistoryStore): Promise<void> {
  const metrics = new ConsoleMetrics([{ name: 'Bench Unified', dir: '.', store }], undefined, () => new Date());
  const t0 = performance.now();
  const text = await metrics.render();
  const first = performance.now() - t0;
  const next: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await metrics.render();
    next.push(performance.now() - t);
  }
  next.sort((a, b) => a - b);
  console.log(`${name}: ${n} runs, first scrape ${first.toFixed(0)} ms, median of 5 more ${next[2]!.toFixed(0)} ms (${text.length} bytes of metrics)`);
}

const file = join(mkdtempSync(join(tmpdir(), 'sisflow-metrics-bench-')), 'history.db');
seedSqlite(file, runs);
const t = performance.now();
const sqlite = SqliteHistory.open(file);
console.log(`sqlite: opening and migrating the seeded history took ${(performance.now() - t).toFixed(0)} ms`);
await time('sqlite', sqlite);
await sqlite.close();

if (postgresBin()) {
  const server = await startPostgres();
  try {
    const url = await server.createDatabase('bench');
    await seedPostgres(url, 'Bench Unified', runs);
    const pg = PostgresHistory.open(url, 'Bench Unified');
    const t = performance.now();
    await pg.version(); // connects and migrates (fills the figures of the seeded runs)
    console.log(`postgres: opening and migrating the seeded history took ${(performance.now() - t).toFixed(0)} ms`);
    await time('postgres', pg);
    await pg.close();
  } finally {
    await server.stop();
  }
}
