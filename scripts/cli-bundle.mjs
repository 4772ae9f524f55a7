// Bundles the `sisflow` command into one CommonJS file that packages/cli/src/compile-cache.ts
// starts through V8's code cache (Node 20 has no code cache for ES modules: a cold start spent
// most of its time compiling and loading modules).
//
//   node scripts/cli-bundle.mjs     # packages/cli/dist/sisflow.cjs and sisflow-check.cjs from the workspace build (after tsc -b)
//
// The checking verbs (validate, plan, schema) start from a second, smaller bundle: the same command
// without the modules only the other verbs import (run, serve, the fleet, history, transfer, …).
// A cold start reads every module of its bundle and V8's cache holds every function those declare
// at the top: half the bundle less took a cold `sisflow validate` of the Destiny example from
// 637 to 600 M instructions (issue 24).
//
// The same bundle is what scripts/pack-cli.mjs ships. The file's first line records a hash of the
// rest (the code cache's key) and, for the workspace bundle, the build files it was made from with
// their sizes and times: `node packages/cli/dist/bin.js` runs the bundle only while they are
// unchanged, and the unbundled build otherwise (after a `tsc -b` without this step).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lazyBuiltinsPlugin } from './lazy-builtins.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Kept outside the bundle: native code, or a library that finds its own files at run time. */
// ajv: core loads it (by require, on first use) only to compile a schema not compiled at build time.
export const EXTERNAL = ['better-sqlite3', 'ssh2', 'ssh2-sftp-client', 'mssql', 'nodemailer', 'pino', 'ajv'];

/** The first line of a bundle: `// sisflow-bundle {"hash":…,"inputs":…}`. */
export const HEADER = '// sisflow-bundle ';

/**
 * Writes the bundle of the CLI to `outfile` (atomically: a running command never reads half of it).
 * `from: 'source'` bundles the TypeScript sources (the packed CLI); `from: 'dist'` bundles the
 * workspace build and records its files, so that a later `tsc -b` makes the bundle stale.
 * `checking: true` makes the checking verbs' bundle (CHECKING_COMMANDS). `entry` is the module of
 * packages/cli it starts from (bin: the command; snapshot-entry: the start-up snapshot's builder).
 */
export async function bundleCli({ outfile, from, checking = false, entry = 'bin' }) {
  const dist = from === 'dist';
  const result = await build({
    entryPoints: [join(ROOT, dist ? `packages/cli/dist/${entry}.js` : `packages/cli/src/${entry}.ts`)],
    write: false,
    outfile,
    metafile: true,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // ASCII only: the starter reads the file as Latin-1, a copy instead of a UTF-8 decoding.
    charset: 'ascii',
    minifyWhitespace: true,
    minifySyntax: true,
    ...(dist ? {} : { conditions: ['sisflow-source'] }),
    external: EXTERNAL,
    legalComments: 'linked',
    logLevel: 'warning',
    // A library kept outside is loaded by require, the same in every verb (the bundle is one script, not a module).
    supported: { 'dynamic-import': false },
    // The bundle runs inside a function that receives its own URL (see compile-cache.ts), and knows it is bundled.
    // import.meta.resolve serves only code run from the TypeScript sources (the reading worker under tsx).
    define: { 'import.meta.url': '__sisflowBundleUrl', 'import.meta.resolve': 'undefined', SISFLOW_BUNDLE: 'true' },
    // chevrotain-inline first: it replaces a file the other would rewrite.
    plugins: [
      lazyBuiltinsPlugin,
      ajvRuntimeInside,
      chevrotainCharMapOnDemand,
      {
        // Core loads chevrotain's prebuilt file by path (fast unbundled); in one bundle the
        // library itself is inlined and tree-shaken instead.
        name: 'chevrotain-inline',
        setup(b) {
          b.onLoad({ filter: /[\\/]core[\\/](src|dist)[\\/]expr[\\/]chevrotain\.(ts|js)$/ }, () => ({ contents: "export { createToken, Lexer, EmbeddedActionsParser } from 'chevrotain';", loader: 'ts', resolveDir: join(ROOT, 'packages/core') }));
        },
      },
      ...(dist ? [workspaceExternals] : []),
      ...(checking ? [checkingVerbsOnly] : []),
    ],
  });
  for (const f of result.outputFiles) {
    if (f.path !== outfile) {
      writeAtomically(f.path, f.contents);
      continue;
    }
    // esbuild keeps bin's `#!` line: the bundle runs inside a function, where it is a syntax error.
    const code = f.text.replace(/^#![^\n]*\n/, '');
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 24);
    const inputs = dist ? Object.fromEntries(Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('lazy-builtin:') && !p.startsWith('not-a-checking-verb:')).map((p) => join(ROOT, p)).filter((p) => !p.includes('node_modules')).sort().map((p) => [relative(join(outfile, '..'), p), stamp(p)])) : undefined;
    writeAtomically(outfile, `${HEADER}${JSON.stringify({ hash, ...(inputs ? { inputs } : {}) })}\n${code}`);
  }
}

/**
 * The two small helpers of ajv that the validators generated at build time call
 * (ajv/dist/runtime/equal.js, ucs2length.js) go inside the bundle: ajv stays outside for its
 * compiler, but finding a file of an outside package costs every `sisflow validate` Node's module
 * lookup (issue 24).
 */
const ajvRuntimeInside = {
  name: 'ajv-runtime-inside',
  setup(b) {
    b.onResolve({ filter: /^ajv\/dist\/runtime\/[a-z0-9]+(\.js)?$/ }, (args) => ({ path: createRequire(join(args.resolveDir, 'importer.js')).resolve(args.path) }));
  },
};

/**
 * chevrotain's lexer fills a table of 65,536 numbers, each `c > 255 ? 255 + ~~(c / 255) : c`, the
 * first time any lexer is made: in V8's interpreter, which runs a checking verb (see
 * packages/cli/src/optimizer-deferral.ts), 26 M instructions, 4 % of a cold `sisflow validate`
 * (issue 24). In the bundle the same number is computed when asked for (chevrotain's own comment
 * on that table suggests it). The lexer uses this one function both to file its token types by
 * first character and to look a character up, so the tokens are the same (the suite compares the
 * bundle with the unbundled build on text past Latin-1). The replaced text must be exactly
 * chevrotain's: another version fails the build here rather than bundling something else.
 */
const CHAR_MAP = [
  ['? charCode\n        : charCodeToOptimizedIdxMap[charCode];', '? charCode\n        : charCode < 65536 ? 255 + ~~(charCode / 255) : undefined;'],
  ['    if (isEmpty(charCodeToOptimizedIdxMap)) {\n        charCodeToOptimizedIdxMap = new Array(65536);\n        for (let i = 0; i < 65536; i++) {\n            charCodeToOptimizedIdxMap[i] = i > 255 ? 255 + ~~(i / 255) : i;\n        }\n    }\n', ''],
];
const chevrotainCharMapOnDemand = {
  name: 'chevrotain-char-map-on-demand',
  setup(b) {
    b.onLoad({ filter: /[\\/]chevrotain[\\/]lib[\\/]src[\\/]scan[\\/]lexer\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of CHAR_MAP) {
        if (text.split(from).length !== 2) throw new Error(`cli-bundle: ${args.path} is not the chevrotain lexer this build knows (look at chevrotainCharMapOnDemand)`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * In the workspace, pnpm gives each package only its own dependencies: a library kept outside
 * is required by its path, found from the package that imports it, and a module's
 * `import.meta.url` stays its own file's (`createRequire(import.meta.url)('better-sqlite3')`, a
 * package's files found beside it). The packed CLI installs those libraries where its bundle
 * finds them by name, and keeps every file it reads beside the bundle.
 */
const workspaceExternals = {
  name: 'workspace-externals',
  setup(b) {
    const names = new RegExp(`^(${EXTERNAL.join('|')})(/|$)`);
    b.onResolve({ filter: names }, (args) => ({ path: createRequire(join(args.resolveDir, 'importer.js')).resolve(args.path), external: true }));
    b.onLoad({ filter: /\.m?js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'js' };
    });
  },
};

/**
 * The command modules (packages/cli/src/commands/) the checking bundle keeps: those of the verbs
 * packages/cli/src/optimizer-deferral.ts lists in CHECK_VERBS (`schema` has no module of its own).
 * The starter runs this bundle for those verbs only (packages/cli/src/compile-cache.ts).
 */
export const CHECKING_COMMANDS = new Set(['validate', 'plan']);

/** The other verbs' modules, as lazy-verbs.ts imports them, are left out: an import of one fails with a plain error. */
const checkingVerbsOnly = {
  name: 'checking-verbs-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => {
      if (!/[\\/]lazy-verbs\.(ts|js)$/.test(args.importer)) return undefined;
      const verb = args.path.slice('./commands/'.length, -'.js'.length);
      return CHECKING_COMMANDS.has(verb) ? undefined : { path: verb, namespace: 'not-a-checking-verb' };
    });
    b.onLoad({ filter: /.*/, namespace: 'not-a-checking-verb' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`the checking bundle has no \`${args.path}\` command`)});`,
      loader: 'js',
    }));
  },
};

/** What the starter compares to tell a changed build file: its size and modification time. */
export function stamp(path) {
  const s = statSync(path);
  return `${s.size}:${Math.round(s.mtimeMs)}`;
}

function writeAtomically(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, checking] of [['sisflow.cjs', false], ['sisflow-check.cjs', true]]) {
    const outfile = join(ROOT, 'packages/cli/dist', name);
    await bundleCli({ outfile, from: 'dist', checking });
    if (!readFileSync(outfile, 'latin1').startsWith(HEADER)) throw new Error('the bundle has no header');
  }
}
