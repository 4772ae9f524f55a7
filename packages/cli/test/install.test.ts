// The installable command (issue 23, item 2): pack it as the README says, install the tarball
// with npm into a temporary prefix, and from a folder of the user's own run every command the
// README's install section, `sisflow init` and the main verbs' --help print, exactly as printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'sisflow-install-'));
const prefix = join(home, 'prefix');
// npm's global bin folder: PREFIX/bin (PREFIX itself on Windows).
const bin = process.platform === 'win32' ? prefix : join(prefix, 'bin');
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, NO_COLOR: '1', npm_config_cache: join(home, 'npm-cache'), npm_config_update_notifier: 'false' };
for (const k of Object.keys(env)) if (k.startsWith('SISFLOW_')) delete env[k as keyof typeof env];

/** Runs one command line as a user types it (redirections included), in `cwd`. */
function shell(line: string, cwd: string) {
  const r = spawnSync('sh', ['-c', line], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lines of a text block that are commands for the installed `sisflow`, without comments. */
function commands(text: string): string[] {
  return [...text.matchAll(/^\s*(?:\$\s+)?(sisflow [^\n#]*?)\s*(?:#.*)?$/gm)].map((m) => m[1]!);
}

/** Runs a printed command; it must work (or fail only as `allowed` says, with sisflow's message, never a crash). */
function runPrinted(line: string, cwd: string, allowed: Record<string, RegExp> = {}) {
  const r = shell(line, cwd);
  const why = Object.entries(allowed).find(([part]) => line.includes(part))?.[1];
  if (why) assert.match(r.stdout + r.stderr, why, `${line}\n${r.stderr}`);
  else assert.is(r.code, 0, `\`${line}\` in ${cwd} exited ${r.code}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  assert.not.match(r.stderr, /SF900|\n\s+at .*\(.*:\d+:\d+\)/, `${line}: no internal error, no stack trace\n${r.stderr}`);
  return r;
}

test('the packed tarball installs with npm, offline, and `sisflow` runs from another folder', () => {
  const tgz = execFileSync(process.execPath, [join(ROOT, 'scripts/pack-cli.mjs')], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  assert.ok(existsSync(tgz), tgz);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'build/sisflow-cli/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.ok(!Object.keys(manifest.dependencies).some((d) => d.startsWith('@sisflow/')), 'the workspace is inside the bundle, not a dependency');
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tgz], { env, stdio: 'pipe' });
  const version = shell('sisflow --version', home);
  assert.is(version.code, 0, version.stderr);
  assert.is(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version);
});

test("the README's commands, as printed, in a folder of the user's own", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Install the `sisflow` command')[1]!.split('\n## ')[0]!;
  const lines = commands(section);
  assert.ok(lines.includes('sisflow demo') && lines.includes('sisflow init destiny') && lines.includes('sisflow run patrons.yaml'), lines.join('\n'));
  const work = join(home, 'district');
  mkdirSync(work);
  for (const line of lines) runPrinted(line, work);
  assert.ok(existsSync(join(work, 'out', 'patrons.csv')));
  assert.ok(existsSync(join(work, '.sisflow', 'history.db')), 'the run is recorded beside the spec');
});

test("what `sisflow init` prints as next steps, and each init's own tests", () => {
  for (const kind of ['destiny', 'siras', 'oneroster']) {
    const work = join(home, `init-${kind}`);
    mkdirSync(work);
    const init = runPrinted(`sisflow init ${kind}`, work);
    const next = commands(init.stdout.split('next:')[1]!.replace(/^.*?:\s+(?=sisflow )/gm, ''));
    assert.ok(next.length >= 3, init.stdout);
    for (const line of next) {
      if (/\b[A-Z]{4,}\b/.test(line.replace(/--[a-z-]+/g, ''))) continue; // a placeholder to fill in (HOST)
      runPrinted(line, work, {
        // Production needs the district's servers: it must say which settings are missing.
        '--profile production --dry-run': /(DESTINY|SIRAS)_SFTP_HOST|AERIES_API_URL/,
        'doctor': /MISSING\s+\$\{env:/,
        'access check': /AERIES_API_URL/,
      });
    }
  }
});

test("the main verbs' --help examples, as printed, after `sisflow init destiny`", () => {
  const work = join(home, 'help');
  mkdirSync(work);
  runPrinted('sisflow init destiny', work);
  for (const verb of ['validate', 'plan', 'test', 'run', 'schedule', 'grants', 'doctor']) {
    const help = runPrinted(`sisflow ${verb} --help`, work).stdout;
    for (const line of commands(help.split('Examples:')[1] ?? '')) {
      // Examples about files of other integrations, other folders or a git history are not this folder's.
      if (/specs\/|examples\/|--diff HEAD/.test(line)) continue;
      runPrinted(line, work, { 'doctor patrons.yaml --profile production': /MISSING\s+\$\{env:DESTINY_SFTP_HOST\}/ });
    }
  }
  assert.match(readFileSync(join(work, 'run.log'), 'utf8'), 'destiny-patrons: finished');
  assert.ok((JSON.parse(readFileSync(join(work, 'report.json'), 'utf8')) as { ok: boolean }).ok);
});

test.run();
