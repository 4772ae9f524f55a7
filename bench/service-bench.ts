// Service figures for `pnpm bench`: what recording a run in the history costs, and the memory of
// an idle `sisflow serve` with 50 specs loaded. Also runnable alone: node --conditions=sisflow-source --import tsx bench/service-bench.ts
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobPlan, Row, RunReport } from '@sisflow/core';
import { GuardWatch, SqliteHistory } from '@sisflow/service';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A real report: the Destiny example on the demo district (dry run, samples dropped). */
function destinyReport(): RunReport {
  const r = spawnSync(process.execPath, [BIN, 'run', join(ROOT, 'examples/destiny/patrons.yaml'), '--dry-run', '--json'], { encoding: 'utf8', cwd: mkdtempSync(join(tmpdir(), 'sisflow-bench-')) });
  if (r.status !== 0) throw new Error(`the Destiny run failed: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as RunReport;
  for (const o of Object.values(report.outputs)) delete o.sample;
  return report;
}

async function historyCost(runs: number, snapshotRows: number): Promise<{ perRunMs: number; bytesPerRun: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-bench-history-'));
  const store = SqliteHistory.open(join(dir, 'history.db'));
  const report = destinyReport();
  // The snapshot a guarded output leaves, spooled by the guard itself (a first run: nothing to compare with).
  const rows: Row[] = [];
  for (let i = 0; i < snapshotRows; i++) rows.push({ 'District ID': String(100000 + i), 'Last Name': `Name${i}`, 'First Name': 'First', Grade: '07', Email: `s${i}@students.example.org` });
  const plan = { name: 'destiny-patrons', outputs: [{ name: 'patrons_csv', guard: { key: ['District ID'] } }] } as unknown as JobPlan;
  const watch = snapshotRows ? await GuardWatch.open(plan, async () => undefined) : undefined;
  watch?.observe('patrons_csv', rows);
  await watch?.judge();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const begun = await store.begin({ spec: 'destiny-patrons', file: 'patrons.yaml', planHash: report.planHash, params: { schools: [991, 992] }, trigger: 'schedule', startedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() });
    const snapshots = watch?.snapshots(begun.run!.id);
    await store.finish(begun.run!.id, { status: 'ok', durationMs: 1000, report, ...(snapshots ? { snapshots } : {}) });
    times.push(performance.now() - t);
  }
  watch?.close();
  await store.close();
  const size = (['', '-wal'] as const).reduce((n, s) => n + (statSize(join(dir, `history.db${s}`)) ?? 0), 0);
  rmSync(dir, { recursive: true, force: true });
  return { perRunMs: median(times), bytesPerRun: Math.round(size / runs) };
}

function statSize(path: string): number | undefined {
  try {
    return readFileSync(path).byteLength;
  } catch {
    return undefined;
  }
}

/** Idle RSS of `sisflow serve` once 50 specs are loaded and scheduled, and how long that took. */
async function idleServe(specs: number): Promise<{ rssMb: number; startMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-bench-serve-'));
  mkdirSync(join(dir, 'specs'));
  writeFileSync(join(dir, 'sisflow.yaml'), 'sisflow_project: 1\ndistrict: { name: Bench Unified, timezone: America/Los_Angeles }\nspecs: [specs/*.yaml]\n');
  const spec = readFileSync(join(ROOT, 'examples/destiny/patrons.yaml'), 'utf8');
  for (let i = 1; i <= specs; i++) writeFileSync(join(dir, 'specs', `patrons-${i}.yaml`), spec.replace('name: destiny-patrons', `name: destiny-patrons-${i}`).replace('"30 5 * * 1-5"', `"${i % 60} 5 * * 1-5"`));
  const t = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const started = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if ((out.match(/"msg":"scheduled /g) ?? []).length === specs) resolve(performance.now() - t);
    });
    child.on('exit', (code) => reject(new Error(`sisflow serve exited (${code}): ${out.slice(-500)}`)));
  });
  // Idle: collect what start-up left, as V8 would in a quiet moment, then read the resident set.
  await new Promise((r) => setTimeout(r, 2000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { rssMb: rssKb / 1024, startMs: started };
}

export async function serviceBench(say: (line?: string) => void, quick: boolean): Promise<void> {
  say('## Run history and `sisflow serve`');
  say();
  const runs = quick ? 50 : 500;
  const plain = await historyCost(runs, 0);
  const guarded = await historyCost(quick ? 20 : 100, 2000);
  say('| what | figure |');
  say('|---|---|');
  say(`| recording one run (begin + finish with the Destiny example's real report), SQLite WAL, median of ${runs} | ${plain.perRunMs.toFixed(2)} ms, ${(plain.bytesPerRun / 1024).toFixed(1)} KB of history per run |`);
  say(`| the same with a guarded output's 2,000-row snapshot saved (the guard's deflated chunks), median of ${quick ? 20 : 100} | ${guarded.perRunMs.toFixed(2)} ms |`);
  const idle = await idleServe(50);
  say(`| \`sisflow serve\` with 50 Destiny specs loaded and scheduled: idle RSS | ${idle.rssMb.toFixed(0)} MB |`);
  say(`| … and the time from start to all 50 scheduled | ${(idle.startMs / 1000).toFixed(1)} s |`);
  say();
  say('Recording a run is well under a millisecond: WAL with `synchronous = NORMAL` commits without an fsync per run (a killed process loses nothing committed; a power cut may lose the last runs). A guarded output adds its snapshot (the rows by key, compressed). The idle service holds the compiled plans and their schedules; nothing runs until a schedule comes.');
  say();
}

if (process.argv[1]?.endsWith('service-bench.ts')) {
  await serviceBench((l = '') => console.log(l), process.argv.includes('--quick'));
}
