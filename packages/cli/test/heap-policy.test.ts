// The `sisflow` command's heap policy (heap-policy.ts): the young generation stops growing at
// 16 MB, unless SISFLOW_HEAP=default or node was given a heap flag of its own. Each case runs in a
// child process that churns through short-lived objects with pauses, as a streaming run does, and
// prints the young generation's size at the end. Checked on V8's own figures, never on time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const POLICY = new URL(`file://${join(ROOT, 'packages/cli/dist/heap-policy.js')}`).href;
const MB = 1024 * 1024;

/** The young generation's size after a churn of 60 rounds, each ~2 MB of objects of which ~5,000 live, then a pause. */
function youngAfterChurn(env: NodeJS.ProcessEnv, nodeFlags: string[] = [], workerAt = -1, args: string[] = []): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    import { applyHeapPolicy } from ${JSON.stringify(POLICY)};
    applyHeapPolicy(process.env, undefined, ${JSON.stringify(args)});
    let keep = [];
    let worker;
    for (let round = 0; round < 60; round++) {
      if (round === ${workerAt}) {
        worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
        await new Promise((r) => worker.once('online', r));
      }
      for (let i = 0; i < 40000; i++) {
        keep.push({ name: 'row ' + i, n: i, round });
        if (keep.length > 5000) keep = [];
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    await worker?.terminate();
    console.log(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);`;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  assert.is(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test("V8's own policy lets the young generation grow past 16 MB under this churn (the case the policy is for)", () => {
  assert.ok(youngAfterChurn({ SISFLOW_HEAP: 'default' }) > 16 * MB);
});

test('the policy stops the young generation at 16 MB', () => {
  const size = youngAfterChurn({});
  assert.ok(size <= 16 * MB, `${size / MB} MB`);
});

test('a worker thread started once the policy stopped the young generation (the reading worker) does not undo it', () => {
  const size = youngAfterChurn({}, [], 20);
  assert.ok(size <= 16 * MB, `${size / MB} MB`);
});

/** Source text of a churn: `rounds` rounds of ~2 MB of objects of which ~5,000 live, each followed by a pause. */
const churn = (rounds: number, pauseMs: number) => `
    let keep = [];
    for (let round = 0; round < ${rounds}; round++) {
      for (let i = 0; i < 40000; i++) {
        keep.push({ name: 'row ' + i, n: i, round });
        if (keep.length > 5000) keep = [];
      }
      await new Promise((r) => setTimeout(r, ${pauseMs}));
    }`;

/** The young generation's size in a worker (resource limit `youngMb`) after the same churn, started once the main thread's churn made the policy stop growth. */
function workerYoungAfterChurn(env: NodeJS.ProcessEnv, youngMb: number): number {
  const work = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { parentPort } from 'node:worker_threads';
    ${churn(30, 10)}
    parentPort.postMessage(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);`;
  const script = `
    import { Worker } from 'node:worker_threads';
    import { applyHeapPolicy } from ${JSON.stringify(POLICY)};
    applyHeapPolicy();
    // The main thread's young generation reaches the policy's size first: from then on no young generation grows.
    ${churn(30, 30)}
    const worker = new Worker(${JSON.stringify(work)}, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: ${youngMb} } });
    worker.once('message', (size) => { console.log(size); worker.terminate(); });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  assert.is(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test("a worker's young generation starts at 8 MB semi-spaces where its limits allow, though the policy stops growth (the CSV reading worker)", () => {
  const size = workerYoungAfterChurn({}, 24);
  assert.ok(size >= 8 * MB, `${size / MB} MB`);
  const small = workerYoungAfterChurn({}, 6);
  assert.ok(small <= 4 * MB, `a smaller limit still holds: ${small / MB} MB`);
});

test('a checking verb does not watch the young generation (it reads specs, not rows)', () => {
  assert.ok(youngAfterChurn({}, [], -1, ['validate', 'a.yaml']) > 16 * MB);
  assert.ok(youngAfterChurn({}, [], -1, ['run', 'a.yaml']) <= 16 * MB);
});

test('a semi-space size given to node itself wins over the policy', () => {
  assert.ok(youngAfterChurn({}, ['--max-semi-space-size=32']) > 16 * MB);
});

test.run();
