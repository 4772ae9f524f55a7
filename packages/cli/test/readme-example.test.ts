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

test.run();
