// Packs the `sisflow` command as an installable npm package.
//
//   node scripts/pack-cli.mjs                   # build/sisflow-cli-VERSION.tgz: any Linux/macOS, Node >= 20
//   node scripts/pack-cli.mjs --bundle-native   # build/sisflow-cli-VERSION-PLATFORM-ARCH-abiN.tgz: offline, this machine's kind only
//   node scripts/pack-cli.mjs --all             # both, from one build
//   npm install -g ./build/sisflow-cli-*.tgz    # then `sisflow` is on PATH, in any folder
//
// The package holds a build of the CLI (esbuild bundles every workspace package and the
// pure-JavaScript libraries into one script, dist/cli.cjs, started through V8's code cache), the
// examples `init` and `demo` start from, and a package.json whose dependencies are only the
// libraries kept outside the bundle: native modules (better-sqlite3, ssh2) and the libraries that
// load their own files at run time. By default npm installs those as ordinary dependencies (for
// better-sqlite3 it downloads a prebuilt binary for the machine, or compiles it), so the package
// installs on any Linux or macOS with Node 20 or later.
// --bundle-native copies them into the package instead, from this checkout's node_modules, already
// built (bundleDependencies): installing then needs no network and no compiler, but only works on
// the same platform, CPU, C library and Node module ABI, which the package records and checks at
// start (scripts/packed-start.mjs), with a clear message elsewhere.
import { build } from 'esbuild';
import { bundleCli, EXTERNAL } from './cli-bundle.mjs';
import { lazyBuiltinsPlugin } from './lazy-builtins.mjs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'build');
const FLAGS = ['--bundle-native', '--all', '--registry'];
const unknown = process.argv.slice(2).filter((a) => !FLAGS.includes(a));
if (unknown.length > 0) {
  console.error(`pack-cli: unknown option ${unknown.join(' ')} (options: --bundle-native, --all)`);
  process.exit(2);
}
// --registry was the name of today's default (dependencies fetched by npm); it is still accepted.
const variants = process.argv.includes('--all') ? ['portable', 'native'] : process.argv.includes('--bundle-native') ? ['native'] : ['portable'];

const workspace = ['core', 'connectors', 'service', 'transfer', 'cli'].map((p) => ({ dir: join(ROOT, 'packages', p), json: readJson(join(ROOT, 'packages', p, 'package.json')) }));
const cli = workspace.at(-1).json;

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The version range a workspace package asks for, and the package folder that asks. */
function wanted(name) {
  for (const p of workspace) {
    const range = p.json.dependencies?.[name];
    if (range) return { range, from: p.dir };
  }
  throw new Error(`no workspace package depends on ${name}`);
}

/** Node's lookup: the nearest node_modules/NAME above a folder, as a real path. */
function locate(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Copies a package and everything it needs into `into` (a node_modules folder) as npm lays it out:
 * at the top when that name is free or the same version, else nested under the package that needs it.
 */
/**
 * Files a package needs at run time: not its dependencies (copied by name), nor type
 * declarations, source maps, or what compiling a native module left behind (object files, static
 * libraries, the C sources of better-sqlite3's SQLite).
 */
function runtimeFile(path) {
  const p = path.split(/[\\/]/).join('/');
  if (p.split('/').includes('node_modules')) return false;
  if (/\.(map|d\.ts|d\.mts|d\.cts|a|o|ts|mts|cts|tsbuildinfo)$/.test(p)) return false;
  // Documentation, but never a licence.
  if (/\.(md|markdown)$/i.test(p) && !/(^|\/)(licen[cs]e|notice|copying)[^/]*$/i.test(p)) return false;
  // Builds for browsers and React Native: Node never loads them.
  if (/(^|\/)dist\/(browser|react-native)(\/|$)/.test(p)) return false;
  if (/^(\.github|docs?|tests?|benchmarks?)(\/|$)/.test(p)) return false;
  return !/^(deps|build\/(Release|Debug)\/(obj|obj\.target|\.deps))(\/|$)/.test(p);
}

/**
 * A copied package is installed as it is, built or not: npm must not build it again (with a
 * compiler the user may not have, and for minutes). Its install scripts (and the binding.gyp
 * that makes npm run node-gyp by default) are removed, and a native build is packed with it.
 * ssh2's optional crypto binding and cpu-features stay as unbuilt as in the checkout: ssh2 works
 * without them.
 */
function asInstalled(dir) {
  const file = join(dir, 'package.json');
  const json = readJson(file);
  const scripts = ['preinstall', 'install', 'postinstall'].filter((s) => json.scripts?.[s]);
  const gyp = existsSync(join(dir, 'binding.gyp'));
  if (scripts.length === 0 && !gyp) return;
  rmSync(join(dir, 'binding.gyp'), { force: true });
  for (const s of scripts) delete json.scripts[s];
  json.gypfile = false;
  if (existsSync(join(dir, 'build/Release'))) delete json.files; // its `files` leave build/ out: this copy is its build
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

function copyTree(name, from, parentModules, top, placed) {
  if (name.startsWith('@types/')) return true; // declarations only
  const real = locate(name, from);
  if (!real) return false;
  const { version, dependencies = {}, optionalDependencies = {} } = readJson(join(real, 'package.json'));
  let dest;
  if (!placed.has(name)) {
    placed.set(name, version);
    dest = join(top, name);
  } else if (placed.get(name) === version) return true;
  else {
    dest = join(parentModules, name);
    if (existsSync(dest)) return true;
  }
  // The package's own files; what it needs is copied by name below (pnpm keeps it beside it).
  cpSync(real, dest, { recursive: true, dereference: true, filter: (src) => runtimeFile(relative(real, src)) });
  asInstalled(dest);
  for (const dep of Object.keys(dependencies)) {
    if (!copyTree(dep, real, join(dest, 'node_modules'), top, placed)) throw new Error(`${name} needs ${dep}, which this checkout does not have (run pnpm install)`);
  }
  for (const dep of Object.keys(optionalDependencies)) copyTree(dep, real, join(dest, 'node_modules'), top, placed);
  return true;
}

const started = performance.now();
const phase = (what) => process.env.SISFLOW_PACK_TIMES && console.error(`${what}: ${Math.round(performance.now() - started)} ms`);
const BUILD = join(OUT, 'sisflow-cli-dist');
rmSync(BUILD, { recursive: true, force: true });

// dist/cli.cjs: the whole command as one script, which the starter runs through V8's code cache
// (packages/cli/src/compile-cache.ts); what a verb does not use is never run, only read.
mkdirSync(BUILD, { recursive: true });
await bundleCli({ outfile: join(BUILD, 'cli.cjs'), from: 'source' });
// dist/cli-check.cjs: the same without what only the other verbs use, which validate, plan and schema start from.
await bundleCli({ outfile: join(BUILD, 'cli-check.cjs'), from: 'source', checking: true });
// The command itself (dist/sisflow.cjs): checks a --bundle-native package fits this machine, then starts dist/cli.cjs (or cli-check.cjs).
// CommonJS, not an ES module: a `node` started on an ES module first loads its ES module loader and
// what that needs (fs/promises, readline, streams): 16–25 M instructions of a cold `sisflow validate`
// (issue 24), for a starter that imports nothing but built-ins.
await build({
  entryPoints: [join(ROOT, 'scripts/packed-start.mjs')],
  outfile: join(BUILD, 'sisflow.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: "const __starterUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__starterUrl' },
  // child_process only when a start-up snapshot is to be made.
  plugins: [lazyBuiltinsPlugin],
  logLevel: 'warning',
});
// dist/cli-snapshot.cjs: what `node --build-snapshot` runs to make the checking verbs' start-up
// snapshot (packages/cli/src/snapshot-entry.ts). The bundle runs inside the same function as under
// compile-cache.ts; its `require` loads built-ins through node's snapshot builder (which loads
// nothing else) and anything else from the package's node_modules.
await bundleCli({ outfile: join(BUILD, 'cli-snapshot.cjs'), from: 'source', checking: true, entry: 'snapshot-entry' });
{
  const file = join(BUILD, 'cli-snapshot.cjs');
  const text = readFileSync(file, 'latin1');
  const code = text.slice(text.indexOf('\n') + 1);
  writeFileSync(
    file,
    '// sisflow: the start-up snapshot of validate, plan and schema (packages/cli/src/snapshot-entry.ts); run by node --build-snapshot\n' +
      "const { createRequire, isBuiltin } = require('node:module');\n" +
      'const __sisflowRequire = ((builtin, other) => Object.assign((id) => (isBuiltin(id) ? builtin(id) : other(id)), { resolve: other.resolve }))(require, createRequire(__filename));\n' +
      `(function (exports, require, module, __filename, __dirname, __sisflowBundleUrl) {${code}\n})({}, __sisflowRequire, { exports: {}, require: __sisflowRequire, filename: __filename }, __filename, __dirname, require('node:url').pathToFileURL(__filename).href);\n`,
    'latin1',
  );
}
// dist/sisflow, the package's bin: a POSIX shell launcher (scripts/sisflow.sh) that runs
// dist/sisflow.cjs, the checking verbs from that snapshot once one is made.
{
  const snapshotId = createHash('sha256').update(readFileSync(join(BUILD, 'cli-snapshot.cjs'))).digest('hex').slice(0, 16);
  writeFileSync(join(BUILD, 'sisflow'), readFileSync(join(ROOT, 'scripts/sisflow.sh'), 'utf8').replaceAll('@SNAPSHOT_ID@', snapshotId), { mode: 0o755 });
}
// dist/sisflow.mjs, the command's path in earlier packages (scripts that run `node …/dist/sisflow.mjs`): the same starter.
writeFileSync(join(BUILD, 'sisflow.mjs'), "#!/usr/bin/env node\n// The command is dist/sisflow.cjs (an ES module starts slower); this path still runs it.\nimport './sisflow.cjs';\n");
// dist/source-worker-entry.mjs: the thread that reads a large source (connectors' source-worker/), an
// ES module the bundle finds beside itself; without it a packed CLI reads every source in the main thread.
await build({
  entryPoints: [join(ROOT, 'packages/connectors/src/source-worker/source-worker-entry.ts')],
  outfile: join(BUILD, 'source-worker-entry.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  conditions: ['sisflow-source'],
  banner: { js: "import { createRequire as __workerRequire } from 'node:module'; const require = __workerRequire(import.meta.url);" },
  logLevel: 'warning',
});
phase('bundle');

const dependencies = Object.fromEntries(EXTERNAL.map((name) => [name, wanted(name).range]));

/** What a --bundle-native package was built for: what packed-start.mjs compares with the machine it runs on. */
function thisMachine() {
  const libc = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl') : undefined;
  return { platform: process.platform, arch: process.arch, ...(libc ? { libc } : {}), abi: process.versions.modules, node: process.versions.node };
}

/** Stages one variant's package folder and packs it; returns the tarball's path. */
function pack(variant) {
  const native = variant === 'native';
  const machine = native ? thisMachine() : undefined;
  const suffix = machine ? `-${machine.platform}-${machine.arch}${machine.libc === 'musl' ? '-musl' : ''}-abi${machine.abi}` : '';
  const base = `sisflow-cli-${cli.version}${suffix}`;
  // npm's tarball layout: everything under package/.
  const stage = join(OUT, `stage${suffix || '-portable'}`);
  const pkg = join(stage, 'package');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(pkg, { recursive: true });
  cpSync(BUILD, join(pkg, 'dist'), { recursive: true });
  // The examples init and demo copy from (the project file, and each integration's folder).
  mkdirSync(join(pkg, 'examples'));
  cpSync(join(ROOT, 'examples/sisflow.yaml'), join(pkg, 'examples/sisflow.yaml'));
  for (const folder of ['destiny', 'siras', 'oneroster']) {
    cpSync(join(ROOT, 'examples', folder), join(pkg, 'examples', folder), { recursive: true, filter: (src) => !/[\\/](out|\.sisflow)$/.test(src) });
  }
  const manifest = {
    name: cli.name,
    version: cli.version,
    description: 'sisflow: school-data integrations as reviewed YAML specs — validate, plan, test and run them',
    license: cli.license,
    type: 'module',
    bin: { sisflow: 'dist/sisflow' },
    files: ['dist', 'examples', 'README.md'],
    engines: { node: '>=20.19' },
    ...(native ? { os: [machine.platform], cpu: [machine.arch] } : {}),
    dependencies,
    ...(native ? { bundleDependencies: Object.keys(dependencies), sisflow: { bundledNative: machine } } : {}),
  };
  writeFileSync(join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(pkg, 'README.md'),
    native
      ? `# @sisflow/cli (native modules bundled)\n\nThe \`sisflow\` command with its libraries inside, built for ${machine.platform}-${machine.arch}${machine.libc ? ` (${machine.libc})` : ''}, Node module ABI ${machine.abi} (Node ${machine.node}) only: \`npm install -g ./${base}.tgz\` installs it offline on such a machine.\nSee the repository's docs/install.md.\n`
      : `# @sisflow/cli\n\nThe \`sisflow\` command as one installable package: \`npm install -g ./${base}.tgz\` (npm fetches its libraries).\nSee the repository's README and docs/install.md.\n`,
  );
  if (native) {
    const placed = new Map();
    const top = join(pkg, 'node_modules');
    for (const name of EXTERNAL) if (!copyTree(name, wanted(name).from, top, top, placed)) throw new Error(`${name} is not installed in this checkout (run pnpm install)`);
  }
  phase(`stage ${variant}`);
  // tar, not \`npm pack\`: the same npm tarball (package/…, gzipped) in a fraction of the time
  // npm takes to list thousands of bundled files.
  const tgz = join(OUT, `${base}.tgz`);
  // package.json first, as npm packs it: npm reads the manifest without inflating the rest.
  const entries = ['package.json', 'README.md', 'dist', 'examples', ...(native ? ['node_modules'] : [])].map((e) => `package/${e}`);
  execFileSync('tar', ['-czf', tgz, '-C', stage, ...entries], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(stage, { recursive: true, force: true });
  phase(`pack ${variant}`);
  return tgz;
}

for (const variant of variants) console.log(pack(variant));
rmSync(BUILD, { recursive: true, force: true });
