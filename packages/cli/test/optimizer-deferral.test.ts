// The checking verbs start with V8's optimizing compiler off (optimizer-deferral.ts, issue 24):
// `validate`, `plan` and `schema` do, `run` does not, a flag given to node wins, and the compiler
// is on again when resumed and while the code cache is made. Each case runs in a child process
// that asks V8 itself (natives syntax) whether a function it told to optimize was optimized.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFERRAL = new URL(`file://${join(ROOT, 'packages/cli/dist/optimizer-deferral.js')}`).href;

/**
 * Whether V8 optimizes a function it is told to, after `deferOptimizerFor(args)` and then `then` (a
 * statement); with `inside`, while `underDefaultOptimizer` runs.
 */
function optimizes(args: string[], opts: { nodeFlags?: string[]; then?: string; inside?: boolean } = {}): boolean {
  const script = `
    import * as deferral from ${JSON.stringify(DEFERRAL)};
    deferral.deferOptimizerFor(${JSON.stringify(args)});
    ${opts.then ?? ''}
    function add(a, b) { return a + b; }
    const tryIt = () => {
      %PrepareFunctionForOptimization(add);
      add(1, 2); add(3, 4);
      %OptimizeFunctionOnNextCall(add);
      add(5, 6);
    };
    ${opts.inside ? 'deferral.underDefaultOptimizer(tryIt);' : 'tryIt();'}
    // V8's OptimizationStatus: bit 4 (16) is "TurboFanned".
    console.log((%GetOptimizationStatus(add) & 16) !== 0);`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', ...(opts.nodeFlags ?? []), '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.trim() === 'true';
}

test('without a checking verb, V8 optimizes as usual (the case that makes the others meaningful)', () => {
  assert.ok(optimizes(['run', 'spec.yaml']));
  assert.ok(optimizes([]));
});

test('validate, plan and schema start with the optimizing compiler off', () => {
  for (const verb of ['validate', 'plan', 'schema']) assert.not.ok(optimizes(['--json', verb, 'spec.yaml']), verb);
});

test('an optimizer flag given to node wins', () => {
  assert.ok(optimizes(['validate', 'spec.yaml'], { nodeFlags: ['--turbofan'] }));
});

test('resumeOptimizer turns it on again, and the code cache is made with it on', () => {
  assert.ok(optimizes(['validate', 'spec.yaml'], { then: 'deferral.resumeOptimizer();' }));
  assert.ok(optimizes(['validate', 'spec.yaml'], { inside: true }));
  // After underDefaultOptimizer, off again.
  assert.not.ok(optimizes(['validate', 'spec.yaml'], { then: 'deferral.underDefaultOptimizer(() => {});' }));
});

test.run();
