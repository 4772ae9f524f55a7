// `require('@sisflow/core')` from a CommonJS program (issue 23, item 13): the package has no
// top-level await, so Node loads it synchronously and the expression parser works at once.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test("a CommonJS program requires @sisflow/core and parses an expression", () => {
  const program = `
    const core = require('@sisflow/core');
    const r = core.compile('sisflow: 1\\nname: t\\nconnections: { here: { use: files, dir: . } }\\nsources: { s: { from: here, path: a.csv, columns: { A: int } } }\\nsteps: { m: { from: s, columns: { B: A + 1 } } }\\noutputs: { o: { from: m, to: here, path: b.csv } }\\n', 'spec.yaml', { registry: require('@sisflow/connectors').defaultRegistry() });
    process.stdout.write(JSON.stringify(r.diagnostics.filter((d) => d.severity === 'error')) + ' ' + r.plan.steps.length);
  `;
  // Resolved as an embedder's program would, from a package that depends on it (the built files).
  const r = spawnSync(process.execPath, ['-e', program], { cwd: join(ROOT, 'packages/cli'), encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stderr, 'ERR_REQUIRE_ASYNC_MODULE');
  assert.is(r.stdout, '[] 2');
});

test.run();
