// The packed command's launcher (scripts/sisflow.sh, the package's bin dist/sisflow) in a package
// of its own making: a starter that prints what it was given, and a real start-up snapshot made by
// this node whose main function reports stdin, signals and exits with a chosen status. What the
// launcher must keep whatever it starts from: how it finds its package (bin symlinks, `sh NAME` in
// the bin folder), stdin, the exit status, and the signals sent to the command. The whole packed
// command is tested in install.test.ts.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'sisflow-launcher-'));
const dist = join(home, 'lib', 'node_modules', '@sisflow', 'cli', 'dist');
const bin = join(home, 'bin');
const cache = join(home, 'cache');
mkdirSync(dist, { recursive: true });
mkdirSync(bin);
mkdirSync(cache);
writeFileSync(join(dist, 'sisflow'), readFileSync(join(ROOT, 'scripts/sisflow.sh'), 'utf8').replaceAll('@SNAPSHOT_ID@', 'test'));
chmodSync(join(dist, 'sisflow'), 0o755);
writeFileSync(join(dist, 'sisflow.cjs'), "console.log('starter', process.argv.slice(2).join(' '));\n");
// As npm links a bin: a relative symlink in PREFIX/bin.
symlinkSync('../lib/node_modules/@sisflow/cli/dist/sisflow', join(bin, 'sisflow'));

// The node the launcher finds on PATH is this one (a link to it); the snapshot is made by it, under the launcher's name for it.
const node = join(home, 'node-bin', 'node');
mkdirSync(dirname(node));
symlinkSync(process.execPath, node);
// HOME: a folder of the test's (bash reads ~/.bashrc when its stdin is a socket, as node's pipes are).
const env: NodeJS.ProcessEnv = { PATH: `${dirname(node)}${delimiter}${process.env.PATH}`, HOME: home, SISFLOW_COMPILE_CACHE_DIR: cache };
const entry = join(home, 'entry.cjs');
writeFileSync(
  entry,
  `require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {
  const [verb, status] = process.argv.slice(2);
  let ints = 0;
  process.on('SIGINT', () => console.log('SIGINT', ++ints));
  process.on('SIGTERM', () => { console.log('SIGTERM'); process.exit(3); });
  console.log('snapshot', process.pid, verb);
  let input = '';
  process.stdin.on('data', (d) => (input += d));
  process.stdin.on('end', () => { console.log('stdin', JSON.stringify(input), 'SIGINTs', ints); process.exitCode = Number(status ?? 0); });
});
`,
);
const inode = statSync(node).ino;
const made = spawnSync(node, ['--snapshot-blob', join(cache, `snapshot-test-${inode}.blob`), '--build-snapshot', entry], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`the test snapshot was not made: ${made.stderr}`);
writeFileSync(join(cache, `snapshot-test-${inode}.key`), `test ${inode} ${node}\n`);

/** The installed command started as a process group of its own (as a shell starts a job), with its stdout read by line. */
function launch(args: string[]): { child: ChildProcessWithoutNullStreams; line: (re: RegExp) => Promise<string>; exit: Promise<{ code: number | null; signal: string | null; stdout: string }> } {
  const child = spawn(join(bin, 'sisflow'), args, { env, detached: true });
  let stdout = '';
  const waiting: { re: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    for (const w of [...waiting]) {
      const m = stdout.split('\n').find((l) => w.re.test(l));
      if (m !== undefined) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exit = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  const line = (re: RegExp) => {
    const m = stdout.split('\n').find((l) => re.test(l));
    return m !== undefined ? Promise.resolve(m) : new Promise<string>((resolve) => waiting.push({ re, resolve }));
  };
  return { child, line, exit };
}

/** Ends a process the test started, if it still runs (what a launcher that lost its node leaves behind). */
function reap(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

test('`sh sisflow` in the folder of the bin symlink finds the package (not a path under the bin folder)', () => {
  const r = spawnSync('sh', ['sisflow', 'run', 'x.yaml'], { cwd: bin, env, encoding: 'utf8' });
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'starter run x.yaml\n');
  assert.is(r.status, 0);
});

/** The shells the launcher is tried with: this machine's sh, and bash and BusyBox's ash where installed. */
const shells = [['sh'], ['bash'], ['busybox', 'sh']].filter(([cmd]) => spawnSync(cmd!, ['-c', 'true']).status === 0);

test("from the snapshot: stdin is the command's (or nothing, when it was closed), and the exit status is node's", () => {
  for (const sh of shells) {
    const r = spawnSync(sh[0]!, [...sh.slice(1), join(bin, 'sisflow'), 'validate', '5'], { env, input: 'spec text', encoding: 'utf8' });
    assert.is(r.stderr, '', sh.join(' '));
    assert.match(r.stdout, /^snapshot \d+ validate\nstdin "spec text" SIGINTs 0\n$/, sh.join(' '));
    assert.is(r.status, 5, sh.join(' '));
    const closed = spawnSync(sh[0]!, [...sh.slice(1), '-c', '"$@" <&-', 'sh', ...sh, join(bin, 'sisflow'), 'validate', '4'], { env, encoding: 'utf8' });
    assert.is(closed.stderr, '', sh.join(' '));
    assert.match(closed.stdout, /^snapshot \d+ validate\nstdin "" SIGINTs 0\n$/, sh.join(' '));
    assert.is(closed.status, 4, sh.join(' '));
  }
});

test('from the snapshot: SIGTERM sent to the command reaches node, and the command ends when node does, with its status', async () => {
  const { child, line, exit } = launch(['validate']);
  const pid = Number((await line(/^snapshot /)).split(' ')[1]);
  child.kill('SIGTERM');
  const r = await exit;
  const leftRunning = reap(pid);
  assert.not.ok(leftRunning, 'node still ran after the command ended');
  assert.equal([r.code, r.signal], [3, null]);
  assert.match(r.stdout, /^SIGTERM$/m);
});

test('from the snapshot: Ctrl-C (SIGINT to the job) reaches node once, and the command waits for it to end', async () => {
  const { child, line, exit } = launch(['plan']);
  const pid = Number((await line(/^snapshot /)).split(' ')[1]);
  process.kill(-child.pid!, 'SIGINT');
  await line(/^SIGINT 1$/);
  child.stdin.end('done');
  const r = await exit;
  reap(pid);
  assert.equal([r.code, r.signal], [0, null]);
  assert.match(r.stdout, /^stdin "done" SIGINTs 1$/m);
});

test.after(() => rmSync(home, { recursive: true, force: true }));
test.run();
