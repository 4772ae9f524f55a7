// Runs every test file (packages/*/test/**/*.test.ts) in its own Node process, a few at a time,
// against the TypeScript sources, and prints one summary line: "N passed, M failed".
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2];

function find(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = readdirSync(join(root, 'packages'))
  .flatMap((pkg) => {
    try {
      return find(join(root, 'packages', pkg, 'test'));
    } catch {
      return [];
    }
  })
  .concat((() => { try { return find(join(root, 'bench', 'test')); } catch { return []; } })())
  .filter((f) => !filter || f.includes(filter))
  .sort();

let passed = 0;
let failed = 0;
const failedFiles = [];

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=sisflow-source', '--import', 'tsx', file], {
      cwd: root,
      // Tests that only read the demo district share one, built once per checkout; tests that import
      // into it, or test where it lives, set or unset this themselves.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', SISFLOW_DEMO_DIR: process.env.SISFLOW_DEMO_DIR ?? join(root, '.sisflow', 'test-demo') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const total = /Total:\s+(\d+)/.exec(output);
      const ok = /Passed:\s+(\d+)/.exec(output);
      const n = total ? Number(total[1]) : 0;
      const p = ok ? Number(ok[1]) : 0;
      passed += p;
      const f = code === 0 ? n - p : Math.max(1, n - p);
      failed += f;
      const name = relative(root, file);
      if (code !== 0 || f > 0) {
        failedFiles.push(name);
        process.stdout.write(`\n--- ${name} (exit ${code})\n${output}\n`);
      } else process.stdout.write(`ok   ${name}  (${p})\n`);
      resolve();
    });
  });
}

const queue = [...files];
const workers = Array.from({ length: Math.max(1, Math.min(4, availableParallelism())) }, async () => {
  while (queue.length) await runFile(queue.shift());
});
await Promise.all(workers);
if (failedFiles.length) process.stdout.write(`\nfailed files:\n  ${failedFiles.join('\n  ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
