// Starts the bundled CLI (scripts/cli-bundle.mjs) through V8's code cache. Node 20 compiles every
// ES module from its source at each start and has no cache for them (`module.enableCompileCache`
// is Node 22.1+); one CommonJS script compiled with `vm.Script` can reuse the code V8 made for it
// in an earlier run, including the functions compiled lazily while that run worked.
//
// The cache is a file per bundle and verb in $SISFLOW_COMPILE_CACHE_DIR, else
// $XDG_CACHE_HOME/sisflow/v8, else ~/.cache/sisflow/v8; SISFLOW_NO_COMPILE_CACHE=1 turns it off.
// It is made after a run that found none (or one V8 refused), written atomically, and checked
// before use: a cache that cannot be read, is corrupt, or was made for another bundle, Node or
// set of V8 flags is ignored and replaced. It never changes what the command does, only how
// fast it starts, and a folder that cannot be written changes nothing but that.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { underV8Defaults } from './heap-policy.js';
import { CHECK_VERBS, underDefaultOptimizer, verbOf } from './optimizer-deferral.js';

/** Defined (true) inside the bundle by scripts/cli-bundle.mjs: the bundle does not start itself again. */
declare const SISFLOW_BUNDLE: boolean | undefined;

/** The bundle's first line: `// sisflow-bundle {"hash":…,"inputs":…}` (scripts/cli-bundle.mjs). */
const HEADER = '// sisflow-bundle ';
/** Our cache file: this magic, a CRC-32 of the rest, then what V8 made (V8 itself does not check its payload). */
const MAGIC = Buffer.from('SFV8cc1\n');

interface BundleHeader {
  /** A hash of the bundle's code: the cache's key (V8 compares only the source's length). */
  hash: string;
  /** The workspace build's files the bundle was made from, with their size and time (none in the packed CLI). */
  inputs?: Record<string, string>;
}

/**
 * Runs the bundle a verb starts from and says whether it did: for a checking verb (validate, plan,
 * schema) `checking`, the bundle without the other verbs' modules (scripts/cli-bundle.mjs), while
 * it is there and current; else `full`, the whole command. The root command has no option that
 * takes a value, so the first word that is not an option is the verb the command runs.
 */
export function startBundleFor(full: string, checking: string, args: string[] = process.argv.slice(2)): boolean {
  const verb = verbOf(args);
  return (verb !== undefined && CHECK_VERBS.has(verb) && startBundle(checking)) || startBundle(full);
}

/**
 * Runs the bundle at `file` if there is one and it is current, and says whether it did. The
 * caller starts the unbundled command otherwise.
 */
export function startBundle(file: string): boolean {
  if (typeof SISFLOW_BUNDLE !== 'undefined' || process.env.SISFLOW_NO_BUNDLE === '1') return false;
  let text: string;
  try {
    // The bundle is ASCII: read as Latin-1 it is copied, not decoded.
    text = readFileSync(file, 'latin1');
  } catch {
    return false;
  }
  const eol = text.indexOf('\n');
  if (!text.startsWith(HEADER) || eol < 0) return false;
  let header: BundleHeader;
  try {
    header = JSON.parse(text.slice(HEADER.length, eol)) as BundleHeader;
  } catch {
    return false;
  }
  const dir = dirname(file);
  if (header.inputs && !current(dir, header.inputs)) return false;

  const cache = cacheFile(file, header.hash);
  const cachedData = cache ? readCache(cache.path) : undefined;
  // The wrapper is CommonJS's, plus the bundle's own URL for its `import.meta.url`; on the
  // header's line, so that the bundle's line numbers are the file's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __sisflowBundleUrl) {${text.slice(eol + 1)}\n})`, {
    filename: file,
    lineOffset: 1,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cache && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeCache(cache, script));
  // `module.require` as in a CommonJS module: a library that looks for it (lodash's Node helpers)
  // otherwise falls back to `process.binding`, which loads Node's legacy bindings (issue 24).
  const require = createRequire(file);
  const module = { exports: {}, require, filename: file };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, require, module, file, dir, pathToFileURL(file).href);
  return true;
}

/** Whether every build file the bundle was made from is as it was then. */
function current(dir: string, inputs: Record<string, string>): boolean {
  try {
    // Joined by hand: the system resolves the `..` of these paths, and path.join's normalizing of
    // a few hundred of them was most of this check's cost at every start.
    for (const [path, was] of Object.entries(inputs)) {
      const s = statSync(`${dir}/${path}`);
      if (`${s.size}:${Math.round(s.mtimeMs)}` !== was) return false;
    }
    return true;
  } catch {
    return false;
  }
}

interface CacheFile {
  dir: string;
  path: string;
  /** The start of the names of this bundle's caches for this verb, Node and flags (those of older builds are removed). */
  prefix: string;
}

/** Where the cache of this bundle, Node, V8 flags and verb lives; undefined when caching is off. */
function cacheFile(bundle: string, hash: string): CacheFile | undefined {
  const env = process.env;
  if (env.SISFLOW_NO_COMPILE_CACHE && env.SISFLOW_NO_COMPILE_CACHE !== '0') return undefined;
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  let dir = env.SISFLOW_COMPILE_CACHE_DIR;
  if (!dir) {
    try {
      dir = join(xdg ?? join(homedir(), '.cache'), 'sisflow', 'v8');
    } catch {
      return undefined; // no home folder
    }
  }
  // Functions compiled in a run are in its cache: one per verb, so that `validate` starts from its own.
  // V8 refuses a cache made by another Node or with other flags: each has its own file.
  const verb = verbOf(process.argv.slice(2));
  const node = fnv([process.version, process.arch, process.execArgv.join(' '), env.NODE_OPTIONS ?? ''].join('\n'));
  const prefix = `${fnv(bundle)}-${verb && /^[a-z][a-z0-9-]{0,30}$/.test(verb) ? verb : 'other'}-${node}-`;
  return { dir, path: join(dir, `${prefix}${fnv(hash)}.v8`), prefix };
}

/** The cached code, when the file is whole; undefined when it is missing, unreadable or corrupt. */
function readCache(path: string): Buffer | undefined {
  try {
    const bytes = readFileSync(path);
    if (bytes.length <= MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const data = bytes.subarray(MAGIC.length + 4);
    return bytes.readUInt32LE(MAGIC.length) === crc32(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the code V8 has now (what this run compiled) beside, then over, the old cache, and removes stale ones. */
function writeCache(cache: CacheFile, script: Script): void {
  try {
    const data = underV8Defaults(() => underDefaultOptimizer(() => script.createCachedData()));
    const sum = Buffer.alloc(4);
    sum.writeUInt32LE(crc32(data));
    mkdirSync(cache.dir, { recursive: true });
    const tmp = `${cache.path}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([MAGIC, sum, data]));
    renameSync(tmp, cache.path);
    for (const name of readdirSync(cache.dir)) {
      if (name.startsWith(cache.prefix) && name.endsWith('.v8') && join(cache.dir, name) !== cache.path) unlinkSync(join(cache.dir, name));
    }
  } catch {
    // A read-only or full disk: the next start compiles again, as it would without a cache.
  }
}

function crc32(data: Buffer): number {
  // node:zlib's crc32 is native (Node 20.15+); loaded only here, it costs less than hashing in JavaScript.
  const zlib = createRequire(import.meta.url)('node:zlib') as { crc32?: (d: Buffer) => number };
  if (!zlib.crc32) throw new Error('no crc32 in this Node');
  return zlib.crc32(data);
}

/** A short hash of a string for file names (FNV-1a, 32 bits, hex). */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
