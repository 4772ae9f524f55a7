// Peak memory of writing a OneRoster bundle as the district grows: examples/oneroster/csv-export.yaml
// over generated 50- and 200-school districts (bench/sqlite-contenders.ts), each run by the `sisflow run`
// command in a process of its own, with the CLI's own heap policy and with `--optimize-for-size` added. Prints a Markdown table:
// peak RSS (the process's own, resourceUsage().maxRSS), wall time, growth from the smaller to the
// larger district, the zip's sha256 (the same data must give the same bytes under both policies),
// and the load average while it ran.
//
//   node --conditions=sisflow-source --import tsx bench/oneroster-memory.ts [SMALL LARGE]
//   BENCH_DISTRICT_DIR=/tmp/orbench reuses district-N.db files from an earlier run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sizes = process.argv.slice(2, 4).map(Number);
const [small, large] = sizes.length === 2 ? sizes : [50, 200];
const POLICIES: [name: string, flags: string[]][] = [
  ['the CLI as it ships', []],
  ['--optimize-for-size', ['--optimize-for-size']],
];

interface Measurement {
  ms: number;
  maxRssMb: number;
  sha256: string;
  bytes: number;
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT, env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// Measured processes run compiled JavaScript (bench/dist and the packages' dist), as a user's would.
run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', join(ROOT, 'packages/cli'), join(ROOT, 'bench')]);

const keep = process.env.BENCH_DISTRICT_DIR;
const work = keep ?? mkdtempSync(join(tmpdir(), 'sisflow-oneroster-memory-'));
mkdirSync(work, { recursive: true });
const loads: number[] = [];
const results = new Map<string, Measurement>();
try {
  for (const schools of [small!, large!]) {
    const db = join(work, `district-${schools}.db`);
    if (!existsSync(db)) run([join(ROOT, 'bench/dist/child.js'), 'make-district-db', String(schools), db]);
    for (const [name, flags] of POLICIES) {
      loads.push(loadavg()[0]!);
      const out = run([join(ROOT, 'bench/dist/child.js'), 'oneroster', '0'], { ...process.env, BENCH_DB: db, BENCH_NODE_FLAGS: flags.join(' ') });
      results.set(`${name} ${schools}`, JSON.parse(out.trim().split('\n').pop()!) as Measurement);
      loads.push(loadavg()[0]!);
    }
  }
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

console.log(`## OneRoster bundle: peak memory from ${small} to ${large} schools`);
console.log();
console.log(`| heap policy | ${small} schools: peak RSS MB | time ms | ${large} schools: peak RSS MB | time ms | growth | zip sha256 (${large}) |`);
console.log('|---|---|---|---|---|---|---|');
for (const [name] of POLICIES) {
  const a = results.get(`${name} ${small}`)!;
  const b = results.get(`${name} ${large}`)!;
  console.log(`| ${name} | ${a.maxRssMb.toFixed(0)} | ${a.ms.toFixed(0)} | ${b.maxRssMb.toFixed(0)} | ${b.ms.toFixed(0)} | ${((b.maxRssMb / a.maxRssMb - 1) * 100).toFixed(0)} % | ${b.sha256.slice(0, 12)} |`);
}
const shas = new Set(POLICIES.map(([name]) => results.get(`${name} ${large}`)!.sha256));
if (shas.size !== 1) throw new Error('the heap policies wrote different bundles');
console.log();
console.log(`Node ${process.version}; load average (1 min) ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} while it ran. Targets: < 200 MB at ${small} schools, < 50 % growth to ${large}.`);
