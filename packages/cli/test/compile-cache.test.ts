// The CLI bundle and its V8 code cache (issue 24, cold start): a cached start prints exactly what
// an uncached one and the unbundled build print; a corrupt or foreign cache is ignored and
// replaced; a folder that cannot be written changes nothing; a stale bundle is not run. Whether V8
// took a cache is read from the cache file (replaced only when it was refused), never from time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleCli } from '../../../scripts/cli-bundle.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const home = mkdtempSync(join(tmpdir(), 'sisflow-compile-cache-'));
const GOOD = 'examples/destiny/patrons.yaml';
const BAD = join(home, 'bad.yaml');
writeFileSync(BAD, readFileSync(join(ROOT, GOOD), 'utf8').replace('from: students', 'from: studnets').replace(/^name: .*$/m, 'name: Bad Name'));
// Characters past Latin-1 in expressions, good and bad: the bundle's chevrotain lexer computes their first-character index on demand (scripts/cli-bundle.mjs).
const ODD = join(home, 'odd.yaml');
writeFileSync(ODD, readFileSync(join(ROOT, GOOD), 'utf8').replace("coalesce(TI, '') = 'Teacher'", "coalesce(TI, 'Lehrer·in ✓ 教師') = 'Teacher' ≠ ✓").replace("TG = ''", "TG = 'ñ'\u3000and\u2003Ω"));

// The bundles of the build under test (`pnpm test` makes them too; after a bare `tsc -b` they are stale).
await bundleCli({ outfile: join(ROOT, 'packages/cli/dist/sisflow.cjs'), from: 'dist' });
await bundleCli({ outfile: join(ROOT, 'packages/cli/dist/sisflow-check.cjs'), from: 'dist', checking: true });

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function sisflow(args: string[], env: Record<string, string>): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The one cache file in a folder (per bundle and verb). */
function cacheIn(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.v8'));
  assert.is(files.length, 1, files.join(', '));
  return join(dir, files[0]!);
}

let folders = 0;
const folder = () => join(home, `cache-${++folders}`);

for (const [what, args] of [
  ['a good spec', ['validate', GOOD]],
  ['a bad spec (diagnostics)', ['validate', BAD]],
  ['a bad spec, as JSON', ['validate', '--json', BAD]],
  ['a bad spec with characters past Latin-1 in its expressions', ['validate', ODD]],
  ['the plan of a good spec', ['plan', GOOD]],
  ['the plan of a bad spec', ['plan', BAD]],
  ['the schema', ['schema']],
] as const) {
  test(`${what}: the unbundled build, the bundle without a cache, making its cache and starting from it print the same`, () => {
    const dir = folder();
    const unbundled = sisflow([...args], { SISFLOW_NO_BUNDLE: '1' });
    const uncached = sisflow([...args], { SISFLOW_NO_COMPILE_CACHE: '1', SISFLOW_COMPILE_CACHE_DIR: dir });
    assert.throws(() => readdirSync(dir), 'SISFLOW_NO_COMPILE_CACHE=1 writes nothing');
    const making = sisflow([...args], { SISFLOW_COMPILE_CACHE_DIR: dir });
    const file = cacheIn(dir);
    const made = statSync(file);
    const cached = sisflow([...args], { SISFLOW_COMPILE_CACHE_DIR: dir });
    assert.is(statSync(file).ino, made.ino, 'V8 took the cache: the file was not replaced');
    if (what.includes('bad spec')) assert.match(unbundled.stdout + unbundled.stderr, /SF\d{3}/);
    if (args.includes(ODD)) assert.match(unbundled.stderr, /unexpected character "Ω"[\s\S]*unexpected character "≠"/);
    for (const r of [uncached, making, cached]) assert.equal(r, unbundled);
  });
}

test('a corrupt cache (a flipped byte, or not ours) is ignored and replaced', () => {
  const dir = folder();
  const first = sisflow(['validate', GOOD], { SISFLOW_COMPILE_CACHE_DIR: dir });
  const file = cacheIn(dir);
  const good = readFileSync(file);
  for (const bad of [Buffer.concat([good.subarray(0, 2000), Buffer.from([good[2000]! ^ 0xff]), good.subarray(2001)]), Buffer.from('not a cache'), good.subarray(0, 100)]) {
    writeFileSync(file, bad);
    assert.equal(sisflow(['validate', GOOD], { SISFLOW_COMPILE_CACHE_DIR: dir }), first);
    assert.ok(readFileSync(file).equals(good) || readFileSync(file).length > 1000, 'replaced by a whole cache');
    assert.not.ok(readFileSync(file).equals(bad));
  }
});

test("a cache V8 made for another script, with a sound checksum, is refused by V8, ignored and replaced", () => {
  const dir = folder();
  const first = sisflow(['validate', GOOD], { SISFLOW_COMPILE_CACHE_DIR: dir });
  const file = cacheIn(dir);
  // Our file's layout (compile-cache.ts): magic, CRC-32 of the rest, V8's data.
  const magic = readFileSync(file).subarray(0, 8);
  const foreign = new Script('(function () { return 42; })').createCachedData();
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc32(foreign));
  writeFileSync(file, Buffer.concat([magic, sum, foreign]));
  const before = statSync(file).ino;
  assert.equal(sisflow(['validate', GOOD], { SISFLOW_COMPILE_CACHE_DIR: dir }), first);
  assert.is.not(statSync(file).ino, before, 'replaced');
  assert.ok(statSync(file).size > 10_000);
});

test('a cache folder that cannot be made or written changes nothing but speed', () => {
  const blocker = join(home, 'a-file');
  writeFileSync(blocker, 'a file where the folder would be');
  for (const args of [['validate', GOOD], ['validate', BAD]]) {
    const unbundled = sisflow(args, { SISFLOW_NO_BUNDLE: '1' });
    assert.equal(sisflow(args, { SISFLOW_COMPILE_CACHE_DIR: join(blocker, 'v8') }), unbundled);
    assert.equal(sisflow(args, { SISFLOW_COMPILE_CACHE_DIR: '', XDG_CACHE_HOME: blocker }), unbundled);
  }
});

test('a cache is kept per verb and per set of Node flags, and a new bundle replaces the caches of the old one', () => {
  const dir = folder();
  sisflow(['validate', GOOD], { SISFLOW_COMPILE_CACHE_DIR: dir });
  sisflow(['schema'], { SISFLOW_COMPILE_CACHE_DIR: dir });
  const names = readdirSync(dir).sort();
  assert.is(names.length, 2, names.join(', '));
  assert.ok(names.some((n) => n.includes('-validate-')) && names.some((n) => n.includes('-schema-')), names.join(', '));
  // Other flags: a cache of their own beside, not over, the first.
  assert.equal(sisflow(['validate', GOOD], { SISFLOW_COMPILE_CACHE_DIR: dir, NODE_OPTIONS: '--max-old-space-size=200' }).status, 0);
  assert.is(readdirSync(dir).length, 3);
  rmSync(join(dir, readdirSync(dir).find((n) => !names.includes(n))!));
  // Another bundle at the same place (the next build): its cache replaces the old one's.
  const old = names.find((n) => n.includes('-validate-'))!;
  const renamed = old.replace(/-[0-9a-f]+\.v8$/, '-00000000.v8');
  writeFileSync(join(dir, renamed), readFileSync(join(dir, old)));
  rmSync(join(dir, old));
  sisflow(['validate', GOOD], { SISFLOW_COMPILE_CACHE_DIR: dir });
  assert.equal(readdirSync(dir).sort(), names);
});

test('the checking verbs start from the checking bundle, the others from the whole command: a cache name begins with its bundle', () => {
  const dir = folder();
  for (const args of [['validate', GOOD], ['plan', GOOD], ['schema'], ['--version'], ['history', '--help']]) assert.equal(sisflow(args, { SISFLOW_COMPILE_CACHE_DIR: dir }).status, 0, args.join(' '));
  const bundleOf = (verb: string) => readdirSync(dir).find((n) => n.includes(`-${verb}-`))!.split('-')[0];
  assert.is(bundleOf('validate'), bundleOf('plan'));
  assert.is(bundleOf('schema'), bundleOf('plan'));
  assert.is(bundleOf('history'), bundleOf('other'));
  assert.is.not(bundleOf('validate'), bundleOf('other'));
});

test('the checking bundle prints what the whole command prints, for good and bad specs', () => {
  const whole = (args: string[]) => {
    const code = `import { startBundle } from ${JSON.stringify(new URL('../src/compile-cache.ts', import.meta.url).href)};\nif (!startBundle(${JSON.stringify(join(ROOT, 'packages/cli/dist/sisflow.cjs'))})) process.stdout.write('unbundled');`;
    // `node -e CODE -- _ ARGS`: the command reads its arguments from process.argv[2] on, as when started as a file.
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, '--', '_', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', SISFLOW_NO_COMPILE_CACHE: '1' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  for (const args of [['validate', GOOD], ['validate', BAD], ['validate', '--json', BAD], ['plan', '--json', GOOD], ['plan', BAD], ['schema'], ['validate', '--help']]) {
    const checking = sisflow(args, { SISFLOW_NO_COMPILE_CACHE: '1' });
    assert.ok(checking.stdout.length + checking.stderr.length > 0, args.join(' '));
    assert.equal(checking, whole(args), args.join(' '));
  }
});

/** Starts a bundle through compile-cache.ts from a child process; prints what ran. */
function start(bundle: string): string {
  const code = `import { startBundle } from ${JSON.stringify(new URL('../src/compile-cache.ts', import.meta.url).href)};\nif (!startBundle(${JSON.stringify(bundle)})) process.stdout.write('unbundled');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SISFLOW_NO_COMPILE_CACHE: '1' } });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

test('a checking verb starts the checking bundle while it is there and current, else the whole command', () => {
  const dir = mkdtempSync(join(home, 'bundles-'));
  const full = join(dir, 'sisflow.cjs');
  const checking = join(dir, 'sisflow-check.cjs');
  writeFileSync(full, `// sisflow-bundle {"hash":"f"}\nprocess.stdout.write('whole')`);
  const run = (args: string[]) => {
    const code = `import { startBundleFor } from ${JSON.stringify(new URL('../src/compile-cache.ts', import.meta.url).href)};\nif (!startBundleFor(${JSON.stringify(full)}, ${JSON.stringify(checking)}, ${JSON.stringify(args)})) process.stdout.write('unbundled');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SISFLOW_NO_COMPILE_CACHE: '1' } });
    assert.is(r.status, 0, r.stderr);
    return r.stdout;
  };
  assert.is(run(['validate', 'a.yaml']), 'whole', 'no checking bundle: the whole command');
  writeFileSync(checking, `// sisflow-bundle {"hash":"c"}\nprocess.stdout.write('checking')`);
  for (const args of [['validate', 'a.yaml'], ['--json', 'plan', 'a.yaml'], ['schema']]) assert.is(run(args), 'checking', args.join(' '));
  for (const args of [['run', 'a.yaml'], ['--version'], [], ['help', 'validate']]) assert.is(run(args), 'whole', args.join(' '));
  writeFileSync(checking, 'no header\n');
  assert.is(run(['validate', 'a.yaml']), 'whole', 'a damaged checking bundle: the whole command');
});

test('a workspace bundle runs while the build files it was made from are unchanged, and not after', () => {
  const dir = mkdtempSync(join(home, 'bundle-'));
  const input = join(dir, 'input.js');
  writeFileSync(input, 'export {};\n');
  const s = statSync(input);
  const bundle = join(dir, 'sisflow.cjs');
  writeFileSync(bundle, `// sisflow-bundle ${JSON.stringify({ hash: 'h', inputs: { 'input.js': `${s.size}:${Math.round(s.mtimeMs)}` } })}\nprocess.stdout.write('bundled ' + (typeof __sisflowBundleUrl))`);
  assert.is(start(bundle), 'bundled string');
  writeFileSync(input, 'export const changed = 1;\n');
  assert.is(start(bundle), 'unbundled');
  writeFileSync(bundle, 'no header\n');
  assert.is(start(bundle), 'unbundled');
  assert.is(start(join(dir, 'missing.cjs')), 'unbundled');
});

test.after(() => rmSync(home, { recursive: true, force: true }));

test.run();
