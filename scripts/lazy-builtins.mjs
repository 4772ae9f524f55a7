// An esbuild plugin for the CLI bundle (scripts/cli-bundle.mjs): Node's built-in modules that a
// plain `node` has not loaded at start (crypto, https, tls, net, child_process, worker_threads,
// zlib, readline, perf_hooks, …) are loaded at the first use of one of their exports, not when
// the bundle starts. The bundle is one script: every module it holds that a verb may need runs
// its imports at start, and loading those built-ins cost a cold `sisflow validate` about a fifth
// of its time although validate uses none of them.
//
// Each such import is served by a small module whose exports are getters that load the built-in
// on first use, and always answer with the built-in's own value (a setter writes through). A
// built-in whose export is itself a function (stream, assert, …) can be called or extended, which
// an object of getters cannot stand for: it is required as it is, like those Node has loaded anyway.
import { builtinModules, createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Loaded by every `node` before the first line of the CLI runs: requiring them costs nothing. */
const PRELOADED = new Set(['async_hooks', 'buffer', 'events', 'fs', 'module', 'path', 'process', 'querystring', 'string_decoder', 'timers', 'url', 'util']);
/** Deprecated or experimental: loading them to list their exports would print a warning; required as they are. */
const UNLISTED = new Set(['punycode', 'sys', 'wasi']);

/** The built-ins served lazily, by name without `node:`, with their export names. */
function lazyBuiltins() {
  const lazy = new Map();
  for (const name of builtinModules) {
    if (name.startsWith('_') || PRELOADED.has(name) || UNLISTED.has(name)) continue;
    let exported;
    try {
      exported = require(`node:${name}`);
    } catch {
      continue; // not in this Node (or not loadable here): required as it is
    }
    if (exported === null || typeof exported !== 'object') continue;
    lazy.set(name, Object.keys(exported).filter((k) => k !== 'default' && k !== '__esModule'));
  }
  return lazy;
}

export const lazyBuiltinsPlugin = {
  name: 'lazy-builtins',
  setup(b) {
    const lazy = lazyBuiltins();
    b.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!lazy.has(name)) return undefined;
      // The getters' own module requires the built-in itself.
      if (args.namespace === 'lazy-builtin') return { path: `node:${name}`, external: true };
      return { path: name, namespace: 'lazy-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const names = lazy.get(args.path);
      const contents = [
        'let loaded;',
        `const load = () => (loaded ??= require(${JSON.stringify(`node:${args.path}`)}));`,
        `for (const k of ${JSON.stringify(names)}) Object.defineProperty(module.exports, k, { get: () => load()[k], set: (v) => { load()[k] = v; }, enumerable: true });`,
      ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};
