// The demo district is one database per project folder (`.sisflow/demo/`): an import into it in
// one project never shows in another, the SIRAS README's figures hold on a fresh project in any
// order, `sisflow demo --reset` starts it over, and a database of another generator version is
// replaced.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import { DEMO_VERSION } from '@sisflow/connectors';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** `sisflow` as an operator runs it: no SISFLOW_DEMO_DIR, so the project folder decides. */
function sisflow(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.SISFLOW_DEMO_DIR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A project folder (a checkout: `.git`) holding a copy of the SIRAS example one level down. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-project-'));
  mkdirSync(join(dir, '.git'));
  cpSync(join(ROOT, 'examples/siras'), join(dir, 'siras'), { recursive: true });
  return dir;
}

function sirasImport(dir: string): string {
  const r = sisflow(['run', 'siras/import.yaml'], dir);
  assert.is(r.code, 0, r.stderr);
  return /output cse: CSE (\d+ inserted, \d+ updated)/.exec(r.stdout)?.[1] ?? r.stdout + r.stderr; // the run summary is on stdout
}

test('each project folder has its own demo district, and the SIRAS figures hold in each', () => {
  const a = project();
  const b = project();
  assert.is(sirasImport(a), '2 inserted, 3 updated', 'the README\'s first run');
  assert.ok(existsSync(join(a, `.sisflow/demo/aeries-v${DEMO_VERSION}-400.db`)), 'beside the project, not in the system temp folder');
  assert.is(sirasImport(a), '0 inserted, 0 updated', 'the README\'s second run');
  assert.is(sirasImport(b), '2 inserted, 3 updated', 'another project is not changed by the first one\'s imports');
});

test('a spec outside any marked folder keeps the demo district beside itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-loose-'));
  cpSync(join(ROOT, 'examples/siras'), dir, { recursive: true });
  const r = sisflow(['run', 'import.yaml'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, `.sisflow/demo/aeries-v${DEMO_VERSION}-400.db`)));
});

test('demo --reset starts the district over; the next run builds it afresh', () => {
  const dir = project();
  assert.is(sirasImport(dir), '2 inserted, 3 updated');
  const r = sisflow(['demo', '--reset'], join(dir, 'siras'));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `removed ${join(dir, `.sisflow/demo/aeries-v${DEMO_VERSION}-400.db`)}`);
  assert.match(r.stdout, `starts from a freshly generated ${join(dir, `.sisflow/demo/aeries-v${DEMO_VERSION}-400.db`)}`);
  assert.is(sirasImport(dir), '2 inserted, 3 updated');
});

test('a demo database of another generator version is replaced, not used', () => {
  const dir = project();
  mkdirSync(join(dir, '.sisflow/demo'), { recursive: true });
  writeFileSync(join(dir, '.sisflow/demo/aeries-v0-400.db'), 'an old generator\'s district');
  assert.is(sirasImport(dir), '2 inserted, 3 updated');
  assert.equal(readdirSync(join(dir, '.sisflow/demo')), [`aeries-v${DEMO_VERSION}-400.db`]);
});

test.run();
