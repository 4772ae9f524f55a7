// What a cold `sisflow validate` loads (issue 24): the CLI imports each verb only when it is called,
// and the schemas sisflow ships are compiled at build time, so checking a spec loads no console,
// fleet, run history, database driver, SSH or mail code, and not ajv's compiler. Checked on the
// list of modules a child process loaded, never on time: for the unbundled build, module by
// module; for the bundle bin.js starts (scripts/cli-bundle.mjs), the libraries it requires.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleCli } from '../../../scripts/cli-bundle.mjs';
import { generatedValidators } from '../../../scripts/gen-validators.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

// The bundles of the build under test (`pnpm test` makes them too; after a bare `tsc -b` they are stale).
await bundleCli({ outfile: join(ROOT, 'packages/cli/dist/sisflow.cjs'), from: 'dist' });
await bundleCli({ outfile: join(ROOT, 'packages/cli/dist/sisflow-check.cjs'), from: 'dist', checking: true });

function loadedBy(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-modules-'));
  try {
    const list = join(dir, 'modules.txt');
    const r = spawnSync(process.execPath, ['--import', new URL('./module-list.mjs', import.meta.url).href, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SISFLOW_MODULE_LIST: list, SISFLOW_NO_COMPILE_CACHE: '1', ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: readFileSync(list, 'utf8').split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Packages a spec check has no use for. */
const HEAVY = ['hono', '@hono', 'prom-client', 'bullmq', 'ioredis', 'pg', 'pino', 'mssql', 'tedious', 'ssh2', 'ssh2-sftp-client', 'nodemailer', 'better-sqlite3', 'playwright', 'jose', 'fflate', 'csv-stringify'];
const OURS = ['packages/console/', 'packages/fleet/', 'packages/transfer/', 'packages/service/dist/history/', 'packages/service/dist/serve/', 'packages/service/dist/runs/', 'packages/cli/dist/commands/serve.js', 'packages/cli/dist/commands/run.js'];

/** The package of a module path in pnpm's store, e.g. `pg` for …/.pnpm/pg@8.23.1/node_modules/pg/lib/index.js. */
const packageOf = (m: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(m)?.[1];

for (const spec of ['examples/destiny/patrons.yaml', 'examples/oneroster/csv-export.yaml', 'examples/siras/import.yaml']) {
  test(`sisflow validate ${spec} loads no driver, service or console code, and not ajv's compiler`, () => {
    const r = loadedBy(['validate', spec], { SISFLOW_NO_BUNDLE: '1' });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, `${spec}: ok`);
    assert.ok(r.modules.some((m) => m.includes('packages/core/')), 'the list holds what was loaded');
    const heavy = [...new Set(r.modules.map(packageOf).filter((p): p is string => !!p && HEAVY.some((h) => p === h || p.startsWith(`${h}/`))))];
    assert.equal(heavy, []);
    assert.equal(r.modules.filter((m) => OURS.some((o) => m.includes(o))), []);
    // The precompiled validators use two helpers of ajv's runtime; ajv itself (its compiler) stays unloaded.
    assert.equal(r.modules.filter((m) => m.includes('/ajv/') && !m.includes('/ajv/dist/runtime/')), []);
  });
}

for (const spec of ['examples/destiny/patrons.yaml', 'examples/oneroster/csv-export.yaml']) {
  test(`the bundled sisflow validate ${spec} requires no driver, SSH or mail library, and not ajv's compiler`, () => {
    const r = loadedBy(['validate', spec]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, `${spec}: ok`);
    assert.equal(r.modules.filter((m) => /packages\/(core|connectors|service)\/dist\//.test(m)), [], 'the bundle ran, not the modules');
    const heavy = [...new Set(r.modules.map(packageOf).filter((p): p is string => !!p && HEAVY.some((h) => p === h || p.startsWith(`${h}/`))))];
    assert.equal(heavy, []);
    assert.equal(r.modules.filter((m) => m.includes('/ajv/') && !m.includes('/ajv/dist/runtime/')), []);
  });
}

test("the bundled sisflow validate loads none of Node's network, process or thread modules (scripts/lazy-builtins.mjs), nor perf_hooks (heap-policy.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-builtins-'));
  try {
    // A CommonJS preload: it loads nothing itself, and lists at exit the built-ins the process loaded.
    const preload = join(dir, 'builtins.cjs');
    const list = join(dir, 'builtins.txt');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));`);
    const r = spawnSync(process.execPath, ['-r', preload, BIN, 'validate', 'examples/destiny/patrons.yaml'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SISFLOW_NO_COMPILE_CACHE: '1' } });
    assert.is(r.status, 0, r.stderr);
    const loaded = readFileSync(list, 'utf8').split('\n').filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    assert.ok(loaded.includes('fs'), 'the list holds what was loaded');
    // (net is not in the list: Node loads it itself for a stdout that is a pipe, as here.)
    assert.equal(loaded.filter((m) => ['child_process', 'dgram', 'http', 'https', 'tls', 'worker_threads', 'zlib', 'readline', 'perf_hooks'].includes(m)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the verbs still load what they need when called (plan compiles, schema lists every connector)', () => {
  const r = loadedBy(['schema']);
  assert.is(r.status, 0, r.stderr);
  assert.ok((JSON.parse(r.stdout) as { properties: object }).properties);
});

test('the generated validators are current (run `pnpm run docs` after changing a schema)', () => {
  for (const [path, text] of Object.entries(generatedValidators())) assert.is(readFileSync(join(ROOT, path), 'utf8'), text, path);
});

test.run();
