// The installable command (issue 23, item 2): pack it as the README says, install the tarball
// with npm into a temporary prefix, and from folders of the user's own run every command the
// README's install section, `sisflow init` and the main verbs' --help print, exactly as printed.
//
// Kept fast on a loaded machine: both tarballs come from one `pack-cli --all`, reused while
// nothing they are built from changed (a hash of those files); the offline tarball is installed
// once; a command printed in several places runs once in its folder; the folders run side by side.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'sisflow-install-'));
const prefix = join(home, 'prefix');
// npm's global bin folder: PREFIX/bin (PREFIX itself on Windows).
const bin = process.platform === 'win32' ? prefix : join(prefix, 'bin');
// The installed command's V8 code cache goes where XDG says, inside this test's folder.
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, NO_COLOR: '1', npm_config_cache: join(home, 'npm-cache'), npm_config_update_notifier: 'false', XDG_CACHE_HOME: join(home, 'cache') };
for (const k of Object.keys(env)) if (k.startsWith('SISFLOW_')) delete env[k as keyof typeof env];
const version = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

/** Every file the tarballs are built from, hashed with the Node that builds the native one. */
function inputsHash(): string {
  const hash = createHash('sha256').update(`${process.platform} ${process.arch} ${process.versions.modules}\n`);
  const add = (path: string) => {
    if (/[\\/](node_modules|dist|out|\.sisflow|test)$/.test(path)) return;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) add(join(path, name));
    else hash.update(`${relative(ROOT, path)}\n`).update(readFileSync(path));
  };
  for (const p of ['package.json', 'pnpm-lock.yaml', 'scripts/pack-cli.mjs', 'scripts/cli-bundle.mjs', 'scripts/packed-start.mjs', 'scripts/sisflow.sh', 'scripts/lazy-builtins.mjs', 'examples/sisflow.yaml', 'examples/destiny', 'examples/siras', 'examples/oneroster']) add(join(ROOT, p));
  for (const p of readdirSync(join(ROOT, 'packages'))) add(join(ROOT, 'packages', p));
  return hash.digest('hex');
}

/** The portable and the --bundle-native tarball: packed once, as `pnpm pack:cli --all` would. */
function tarballs(): { portable: string; native: string } {
  const stamp = join(ROOT, 'build', '.install-test-pack.json');
  const hash = inputsHash();
  if (existsSync(stamp)) {
    const last = JSON.parse(readFileSync(stamp, 'utf8')) as { hash: string; portable: string; native: string };
    if (last.hash === hash && existsSync(last.portable) && existsSync(last.native)) return last;
  }
  const [portable, native] = execFileSync(process.execPath, [join(ROOT, 'scripts/pack-cli.mjs'), '--all'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n') as [string, string];
  writeFileSync(stamp, JSON.stringify({ hash, portable, native }));
  return { portable, native };
}

const packed = tarballs();

/** A file of a tarball, and its list of entries. */
const inTarball = (tgz: string, file: string) => execFileSync('tar', ['-xzOf', tgz, `package/${file}`], { encoding: 'utf8' });
const entries = (tgz: string) => execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);

/** Runs one command line as a user types it (redirections included), in `cwd`. */
function shell(line: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines of a text block that are commands for the installed `sisflow`, without comments. */
function commands(text: string): string[] {
  return [...text.matchAll(/^\s*(?:\$\s+)?(sisflow [^\n#]*?)\s*(?:#.*)?$/gm)].map((m) => m[1]!);
}

/** What a printed command may do instead of succeeding: fail with sisflow's message about the district's own settings. */
const NEEDS_THE_DISTRICT: Record<string, RegExp> = {
  // Production needs the district's servers: it must say which settings are missing.
  '--profile production --dry-run': /(DESTINY|SIRAS)_SFTP_HOST|AERIES_API_URL/,
  doctor: /MISSING\s+\$\{env:/,
  'access check': /AERIES_API_URL/,
};

/**
 * A folder of the user's own: each printed command runs there as printed, once (the same line
 * printed by the README, by init and by --help shows the same thing), in the order printed.
 */
class Folder {
  readonly dir: string;
  private readonly ran = new Map<string, { stdout: string; stderr: string }>();

  constructor(name: string) {
    this.dir = join(home, name);
    mkdirSync(this.dir);
  }

  /** Runs a printed command; it must work (or fail only as NEEDS_THE_DISTRICT says, with sisflow's message, never a crash). */
  async run(line: string): Promise<{ stdout: string; stderr: string }> {
    const done = this.ran.get(line);
    if (done) return done;
    const r = await shell(line, this.dir);
    const why = line.endsWith(' --help') ? undefined : Object.entries(NEEDS_THE_DISTRICT).find(([part]) => line.includes(part))?.[1];
    if (why) assert.match(r.stdout + r.stderr, why, `${line}\n${r.stderr}`);
    else assert.is(r.code, 0, `\`${line}\` in ${this.dir} exited ${r.code}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
    assert.not.match(r.stderr, /SF900|\n\s+at .*\(.*:\d+:\d+\)/, `${line}: no internal error, no stack trace\n${r.stderr}`);
    this.ran.set(line, r);
    return r;
  }

  /** `sisflow init KIND`, then every next step it prints (but placeholders to fill in, such as HOST). */
  async init(kind: string): Promise<void> {
    const init = await this.run(`sisflow init ${kind}`);
    const next = commands(init.stdout.split('next:')[1]!.replace(/^.*?:\s+(?=sisflow )/gm, ''));
    assert.ok(next.length >= 3, init.stdout);
    for (const line of next) if (!/\b[A-Z]{4,}\b/.test(line.replace(/--[a-z-]+/g, ''))) await this.run(line);
  }
}

test('the default tarball is portable: its native modules are ordinary dependencies npm installs for the machine', () => {
  const manifest = JSON.parse(inTarball(packed.portable, 'package.json')) as Record<string, unknown> & { dependencies: Record<string, string> };
  assert.is(packed.portable, join(ROOT, 'build', `sisflow-cli-${version}.tgz`));
  assert.match(manifest.dependencies['better-sqlite3'] ?? '', /^[~^]?12\./, JSON.stringify(manifest.dependencies));
  assert.ok(manifest.dependencies.ssh2, 'ssh2 too');
  assert.ok(!Object.keys(manifest.dependencies).some((d) => d.startsWith('@sisflow/')), 'the workspace is inside the bundle, not a dependency');
  for (const key of ['bundleDependencies', 'bundledDependencies', 'os', 'cpu', 'sisflow']) assert.is(manifest[key], undefined, key);
  const files = entries(packed.portable);
  assert.ok(files.includes('package/dist/sisflow.cjs') && files.includes('package/dist/sisflow.mjs') && files.includes('package/dist/cli.cjs'), files.slice(0, 20).join('\n'));
  assert.equal(files.filter((f) => f.startsWith('package/node_modules/') || f.endsWith('.node')), [], 'no build for this machine inside');
});

test('the --bundle-native tarball records the machine it is for, installs with npm offline, and `sisflow` runs from another folder', () => {
  const manifest = JSON.parse(inTarball(packed.native, 'package.json')) as { bundleDependencies: string[]; os: string[]; cpu: string[]; sisflow: { bundledNative: Record<string, string> } };
  assert.ok(manifest.bundleDependencies.includes('better-sqlite3'));
  assert.equal(manifest.os, [process.platform]);
  assert.equal(manifest.cpu, [process.arch]);
  assert.is(manifest.sisflow.bundledNative.abi, process.versions.modules);
  assert.ok(entries(packed.native).some((f) => /better-sqlite3\/build\/Release\/better_sqlite3\.node$/.test(f)), 'the native build is inside');
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', packed.native], { env, stdio: 'pipe' });
  const r = spawnSync('sisflow', ['--version'], { cwd: home, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), version);
});

test('a --bundle-native package started on another kind of machine says so, exits 1, and loads nothing native', () => {
  const file = join(prefix, process.platform === 'win32' ? '' : 'lib', 'node_modules', '@sisflow', 'cli', 'package.json');
  const original = readFileSync(file, 'utf8');
  const manifest = JSON.parse(original) as { sisflow: { bundledNative: Record<string, string> } };
  // As if packed where Node had another module ABI (another major version of Node).
  manifest.sisflow.bundledNative.abi = '1';
  manifest.sisflow.bundledNative.node = '1.0.0';
  writeFileSync(file, JSON.stringify(manifest));
  try {
    const r = spawnSync('sisflow', ['demo'], { cwd: home, env, encoding: 'utf8' });
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, `this package was packed with --bundle-native for ${process.platform}-${process.arch}`);
    assert.match(r.stderr, `Node 1.0.0 (module ABI 1); this machine is`);
    assert.match(r.stderr, 'install the portable package instead');
    assert.not.match(r.stderr, /\n\s+at |Error:/, 'a message, not a crash');
  } finally {
    writeFileSync(file, original);
  }
});

test("every command the README, `sisflow init` and the main verbs' --help print, as printed, in folders of the user's own", async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Install the `sisflow` command')[1]!.split('\n## ')[0]!;
  const lines = commands(section);
  assert.ok(lines.includes('sisflow demo') && lines.includes('sisflow init destiny') && lines.includes('sisflow run patrons.yaml'), lines.join('\n'));

  const readmeAndInit = async () => {
    const district = new Folder('district');
    for (const line of lines) await district.run(line);
    assert.ok(existsSync(join(district.dir, 'out', 'patrons.csv')));
    assert.ok(existsSync(join(district.dir, '.sisflow', 'history.db')), 'the run is recorded beside the spec');
    await district.init('destiny');
  };
  // A folder of its own: the examples' runs would otherwise follow the README's runs, and the
  // Destiny guard holds a run that drops most patrons (a plan for two schools) for approval.
  const helpExamples = async () => {
    const folder = new Folder('help');
    await folder.run('sisflow init destiny');
    for (const verb of ['validate', 'plan', 'test', 'run', 'schedule', 'grants', 'doctor']) {
      const help = (await folder.run(`sisflow ${verb} --help`)).stdout;
      for (const line of commands(help.split('Examples:')[1] ?? '')) {
        // Examples about files of other integrations, other folders or a git history are not this folder's.
        if (!/specs\/|examples\/|--diff HEAD/.test(line)) await folder.run(line);
      }
    }
    assert.match(readFileSync(join(folder.dir, 'run.log'), 'utf8'), 'destiny-patrons: finished');
    assert.ok((JSON.parse(readFileSync(join(folder.dir, 'report.json'), 'utf8')) as { ok: boolean }).ok);
  };
  await Promise.all([readmeAndInit(), helpExamples(), new Folder('init-siras').init('siras'), new Folder('init-oneroster').init('oneroster')]);
  // The commands ran through V8's code cache, kept per verb where XDG_CACHE_HOME says.
  const caches = readdirSync(join(home, 'cache', 'sisflow', 'v8'));
  assert.ok(caches.some((f) => /-validate-[0-9a-f-]+\.v8$/.test(f)) && caches.some((f) => /-run-[0-9a-f-]+\.v8$/.test(f)), caches.join('\n'));
});

test('the installed validate, plan and schema start from a start-up snapshot their own node made after a first run, without NODE_EXTRA_CA_CERTS, and print exactly what they print without it', async () => {
  // A `node` first on PATH that notes how the launcher started it (asked for a snapshot? the CA
  // variable? the arguments), then is this node.
  const wrapped = join(home, 'wrapped-node');
  mkdirSync(wrapped);
  const node = join(wrapped, 'node');
  const log = join(home, 'node-starts.log');
  writeFileSync(node, `#!/bin/sh\nprintf '%s|%s|%s\\n' "\${SISFLOW_SNAPSHOT_TO:+asked}" "\${NODE_EXTRA_CA_CERTS:-}" "$*" >> '${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  const cache = join(home, 'snapshot-cache');
  const senv = { ...env, PATH: `${wrapped}${delimiter}${env.PATH}`, SISFLOW_COMPILE_CACHE_DIR: cache, NODE_EXTRA_CA_CERTS: join(home, 'no-such-ca.pem') };
  const sisflow = (args: string[], more: Record<string, string> = {}) => {
    const before = existsSync(log) ? readFileSync(log, 'utf8').length : 0;
    const r = spawnSync('sisflow', args, { cwd: ROOT, env: { ...senv, ...more }, encoding: 'utf8' });
    // The first node the launcher started for this command (a refused snapshot makes it start a second).
    const [asked, ca, argv] = readFileSync(log, 'utf8').slice(before).split('\n')[0]!.split('|') as [string, string, string];
    return { out: { status: r.status, stdout: r.stdout, stderr: r.stderr }, asked: asked === 'asked', ca, snapshot: argv.startsWith('--snapshot-blob ') };
  };
  const keyFile = () => readdirSync(cache).find((f) => f.endsWith('.key'));
  const blobFile = () => join(cache, keyFile()!.replace(/\.key$/, '.blob'));
  /** Waits for the builder the last run started (detached, so no exit to wait on): its key file, then `made`. */
  const builtAfter = async (made: () => boolean) => {
    for (let i = 0; i < 1800 && !(existsSync(cache) && keyFile() && made()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(keyFile() && made(), `no snapshot was made in ${cache}: ${existsSync(cache) ? readdirSync(cache).join(', ') : 'no folder'}`);
  };

  const GOOD = 'examples/destiny/patrons.yaml';
  const BAD = join(home, 'bad.yaml');
  writeFileSync(BAD, readFileSync(join(ROOT, GOOD), 'utf8').replace('from: students', 'from: studnets').replace(/^name: .*$/m, 'name: Bad Name'));

  const first = sisflow(['validate', GOOD]);
  assert.is(first.out.status, 0, first.out.stderr);
  assert.ok(first.asked && !first.snapshot, 'the first run has no snapshot and asks for one');
  assert.is(first.ca, '', 'a checking verb starts without NODE_EXTRA_CA_CERTS');
  assert.not.match(first.out.stderr, 'extra certs');
  await builtAfter(() => existsSync(blobFile()));
  assert.match(readFileSync(join(cache, keyFile()!), 'utf8'), /^[0-9a-f]{16} \d+ \S*wrapped-node\/node\n$/);

  for (const args of [['validate', GOOD], ['validate', BAD], ['validate', '--json', BAD, GOOD], ['plan', GOOD], ['plan', '--json', GOOD], ['schema'], ['validate', '--help'], ['plan'], ['validate', join(home, 'missing.yaml')]]) {
    const withIt = sisflow(args);
    assert.ok(withIt.snapshot && !withIt.asked, `sisflow ${args.join(' ')} started from the snapshot`);
    const without = sisflow(args, { SISFLOW_NO_SNAPSHOT: '1' });
    assert.ok(!without.snapshot && !without.asked, 'SISFLOW_NO_SNAPSHOT=1 turns it off');
    assert.equal(withIt.out, without.out, `sisflow ${args.join(' ')}`);
  }
  assert.match(sisflow(['validate', BAD]).out.stderr, /bad\.yaml:\d+:\d+/, 'diagnostics with their place');

  // Other verbs: node as it is, with the CA variable (node warns that the file is missing).
  const version = sisflow(['--version']);
  assert.ok(!version.snapshot && !version.asked);
  assert.is(version.ca, senv.NODE_EXTRA_CA_CERTS);
  assert.match(version.out.stderr, 'extra certs');

  // With NODE_OPTIONS set, no snapshot (its flags may not fit one) and no request.
  const withOptions = sisflow(['validate', GOOD], { NODE_OPTIONS: '--max-old-space-size=512' });
  assert.ok(!withOptions.snapshot && !withOptions.asked && withOptions.out.status === 0, withOptions.out.stderr);

  // A node newer than the snapshot (node upgraded in place): not used, made again.
  const blob = blobFile();
  const old = new Date(Date.now() - 3600_000);
  utimesSync(blob, old, old);
  const stale = sisflow(['validate', GOOD]);
  assert.ok(!stale.snapshot && stale.asked && stale.out.status === 0, stale.out.stderr);
  await builtAfter(() => statSync(blob).mtimeMs > statSync(node).mtimeMs);
  assert.ok(sisflow(['validate', GOOD]).snapshot, 'the new snapshot is used');
  const key = readFileSync(join(cache, keyFile()!), 'utf8');

  // A snapshot node refuses (made by another node behind the same file, a version manager's shim,
  // or under another V8 configuration, as under valgrind; here another stack size): the command
  // runs without it, says so, and has the node that ran it make a new one, used from then on.
  const plain = sisflow(['validate', GOOD], { SISFLOW_NO_SNAPSHOT: '1' }).out;
  const entry = join(home, 'other-config.cjs');
  writeFileSync(entry, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => console.log('not sisflow'));\n");
  const other = spawnSync(process.execPath, ['--stack-size=900', '--snapshot-blob', blob, '--build-snapshot', entry], { encoding: 'utf8' });
  assert.is(other.status, 0, other.stderr);
  const refusedAt = statSync(blob).mtimeMs;
  const refused = sisflow(['validate', GOOD]);
  assert.ok(refused.snapshot, 'the snapshot was tried');
  assert.is(refused.out.status, 0, refused.out.stderr);
  assert.is(refused.out.stdout, plain.stdout);
  assert.match(refused.out.stderr, 'was made by another node or V8 configuration; running without it (a new one is made)');
  await builtAfter(() => existsSync(blob) && statSync(blob).mtimeMs > refusedAt && readFileSync(join(cache, keyFile()!), 'utf8') === key);
  const again = sisflow(['validate', GOOD]);
  assert.ok(again.snapshot, 'the new snapshot is used');
  assert.equal(again.out, plain);

  // A build that failed (the key says so): no snapshot, and no request, until the package or node changes.
  writeFileSync(join(cache, keyFile()!), `failed ${key}`);
  const failed = sisflow(['validate', GOOD]);
  assert.ok(!failed.snapshot && !failed.asked, 'not tried, not asked for');
  assert.equal(failed.out, plain);
});

test.run();
