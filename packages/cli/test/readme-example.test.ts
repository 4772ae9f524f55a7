// The embedding example of packages/core/README.md, taken out of the README and run as it is:
// it must compile, run on the demo district and print the first high-school student.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('the README embedding example runs and prints rows', () => {
  const readme = readFileSync(join(ROOT, 'packages/core/README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, 'the README has a ```ts example');
  // Beside this test, so '@sisflow/core' and '@sisflow/connectors' resolve as for a user.
  const file = join(ROOT, 'packages/cli/test', `.readme-example-${process.pid}.ts`);
  writeFileSync(file, code);
  try {
    const r = spawnSync(process.execPath, ['--conditions=sisflow-source', '--import', 'tsx', file], { encoding: 'utf8', cwd: ROOT });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^true \d+ \{ Student: '\d+', Name: '[^']+, [^']+', Grade: '(09|10|11|12)' \}\n$/);
  } finally {
    rmSync(file, { force: true });
  }
});

/** Type-checks a program as an embedder's project would: strict, ES modules, NodeNext resolution. */
function typecheck(file: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', file], { encoding: 'utf8', cwd: ROOT });
  assert.is(r.status, 0, r.stdout + r.stderr);
}

test('examples/embedding/embed.ts type-checks (strict, NodeNext), runs, and its typed params take effect', () => {
  // Beside this test, so the packages resolve as for a user's project.
  const file = join(ROOT, 'packages/cli/test', `.embed-${process.pid}.ts`);
  writeFileSync(file, readFileSync(join(ROOT, 'examples/embedding/embed.ts'), 'utf8').replace("'../destiny/patrons.yaml'", "'../../../examples/destiny/patrons.yaml'"));
  try {
    typecheck(file);
    const r = spawnSync(process.execPath, ['--conditions=sisflow-source', '--import', 'tsx', file], { encoding: 'utf8', cwd: ROOT });
    assert.is(r.status, 0, r.stderr);
    // schools: [991, 993] as numbers, statuses: ['active']: only those two schools' patrons.
    assert.match(r.stdout, /^ok: \d+ patrons from LINCOLN, ROOSEVLT; plan [0-9a-f]{12}\n$/);
  } finally {
    rmSync(file, { force: true });
  }
});

test.run();
