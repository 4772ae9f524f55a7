// Packs the `sisflow` command as one installable npm package: build/sisflow-cli-VERSION.tgz.
//
//   node scripts/pack-cli.mjs                   # the tarball, with its npm dependencies inside
//   npm install -g ./build/sisflow-cli-*.tgz    # then `sisflow` is on PATH, in any folder
//
// The package holds a single-file build of the CLI (esbuild bundles every workspace package and
// the pure-JavaScript libraries into dist/sisflow.mjs), the examples `init` and `demo` start
// from, and a package.json whose dependencies are only the libraries kept outside the bundle:
// native modules (better-sqlite3, ssh2) and the libraries that load their own files at run time.
// By default those dependencies are copied into the package from this checkout's node_modules,
// already built for this machine (bundleDependencies), so installing needs no network and no
// compiler. `--registry` leaves them out: npm then fetches them when the package is installed,
// for a package published to a registry.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'build');
const STAGE = join(OUT, 'sisflow-cli');
const registryOnly = process.argv.includes('--registry');

/** Kept outside the bundle: native code, or a library that finds its own files at run time. */
// ajv: core loads it (by require, on first use) only to compile a schema not compiled at build time.
const EXTERNAL = ['better-sqlite3', 'ssh2', 'ssh2-sftp-client', 'mssql', 'nodemailer', 'pino', 'ajv'];

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
  if (/\.(map|d\.ts|d\.mts|d\.cts|a|o)$/.test(p)) return false;
  return !/^(deps|build\/(Release|Debug)\/(obj|obj\.target|\.deps))(\/|$)/.test(p);
}

/**
 * A native module copied with its build for this machine must not be built again by npm: its
 * install scripts (and the binding.gyp that makes npm run node-gyp by default) are removed, and
 * its build is packed with it.
 */
function prebuilt(dir) {
  if (!existsSync(join(dir, 'build/Release'))) return;
  rmSync(join(dir, 'binding.gyp'), { force: true });
  const file = join(dir, 'package.json');
  const json = readJson(file);
  for (const s of ['preinstall', 'install', 'postinstall']) delete json.scripts?.[s];
  json.gypfile = false;
  delete json.files; // its `files` leave build/ out: this copy is its build

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
  prebuilt(dest);
  for (const dep of Object.keys(dependencies)) {
    if (!copyTree(dep, real, join(dest, 'node_modules'), top, placed)) throw new Error(`${name} needs ${dep}, which this checkout does not have (run pnpm install)`);
  }
  for (const dep of Object.keys(optionalDependencies)) copyTree(dep, real, join(dest, 'node_modules'), top, placed);
  return true;
}

const started = performance.now();
const phase = (what) => process.env.SISFLOW_PACK_TIMES && console.error(`${what}: ${Math.round(performance.now() - started)} ms`);
rmSync(STAGE, { recursive: true, force: true });
mkdirSync(join(STAGE, 'dist'), { recursive: true });

await build({
  entryPoints: [join(ROOT, 'packages/cli/src/bin.ts')],
  outfile: join(STAGE, 'dist/sisflow.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['sisflow-source'],
  external: EXTERNAL,
  legalComments: 'linked',
  logLevel: 'warning',
  // Bundled CommonJS libraries call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __sisflowRequire } from 'node:module';\nconst require = __sisflowRequire(import.meta.url);" },
  plugins: [
    {
      // Core loads chevrotain's prebuilt file by path (fast from the sources); in one bundle
      // the library itself is inlined and tree-shaken instead.
      name: 'chevrotain-inline',
      setup(b) {
        b.onLoad({ filter: /[\\/]core[\\/]src[\\/]expr[\\/]chevrotain\.ts$/ }, () => ({ contents: "export { createToken, Lexer, EmbeddedActionsParser } from 'chevrotain';", loader: 'ts', resolveDir: join(ROOT, 'packages/core') }));
      },
    },
  ],
});

phase('bundle');
// The examples init and demo copy from (the project file, and each integration's folder).
mkdirSync(join(STAGE, 'examples'));
cpSync(join(ROOT, 'examples/sisflow.yaml'), join(STAGE, 'examples/sisflow.yaml'));
for (const folder of ['destiny', 'siras', 'oneroster']) {
  cpSync(join(ROOT, 'examples', folder), join(STAGE, 'examples', folder), { recursive: true, filter: (src) => !/[\\/](out|\.sisflow)$/.test(src) });
}

const dependencies = Object.fromEntries(EXTERNAL.map((name) => [name, wanted(name).range]));
const manifest = {
  name: cli.name,
  version: cli.version,
  description: 'sisflow: school-data integrations as reviewed YAML specs — validate, plan, test and run them',
  license: cli.license,
  type: 'module',
  bin: { sisflow: 'dist/sisflow.mjs' },
  files: ['dist', 'examples', 'README.md'],
  engines: { node: '>=20.19' },
  dependencies,
  ...(registryOnly ? {} : { bundleDependencies: Object.keys(dependencies) }),
};
writeFileSync(join(STAGE, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  join(STAGE, 'README.md'),
  `# @sisflow/cli\n\nThe \`sisflow\` command as one installable package: \`npm install -g ./sisflow-cli-${cli.version}.tgz\`.\nSee the repository's README and docs/install.md.\n`,
);

if (!registryOnly) {
  const placed = new Map();
  const top = join(STAGE, 'node_modules');
  for (const name of EXTERNAL) if (!copyTree(name, wanted(name).from, top, top, placed)) throw new Error(`${name} is not installed in this checkout (run pnpm install)`);
}

phase('copy');
const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', OUT], { cwd: STAGE, encoding: 'utf8' }).trim().split('\n').at(-1);
phase('pack');
console.log(join(OUT, packed));
