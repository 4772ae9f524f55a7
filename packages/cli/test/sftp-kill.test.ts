// `sisflow run` processes with SFTP outputs, stopped at a known instant and then killed or
// interrupted, against the real OpenSSH sshd: the local spool never outlives its run, and a
// publish cut short is finished by the next run, remote renames included.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SSHD, sshdRequired, startSshd, type Sshd } from '../../connectors/test/sftp/sshd.js';
import { BIN, exited, kill, pausedRun, stopped } from './paused-run.js';

let sshd: Sshd;

const spec = (remote: string) => `sisflow: 1
name: sftp-kill
connections:
  here: { use: files, dir: . }
  out: { use: files, dir: out }
  drop:
    use: sftp
    host: 127.0.0.1
    port: ${sshd.port}
    username: ${sshd.username}
    private_key: \${secret:sftp_key}
    host_key: ${sshd.fingerprint}
    dir: ${remote}
    retry_delay_seconds: 0.05
sources:
  people:
    from: here
    path: people.csv
    columns: { id: int, name: string }
outputs:
  remote: { from: people, to: drop, path: patrons.csv }
  local: { from: people, to: out, path: patrons.csv }
rejects:
  to: out
  path: sftp-kill.rejects.csv
`;

/** A project folder, its remote folder and a TMPDIR of its own (so its spools are the only ones there). */
function project() {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-sftp-kill-'));
  const remote = join(sshd.root, dir.slice(dir.lastIndexOf('/') + 1));
  mkdirSync(remote);
  mkdirSync(join(dir, 'tmp'));
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'spec.yaml'), spec(remote));
  writeFileSync(join(remote, 'patrons.csv'), 'previous\r\n');
  writeFileSync(join(dir, 'out/patrons.csv'), 'previous\r\n');
  return { dir, remote, tmp: join(dir, 'tmp') };
}

function input(dir: string, name: string): void {
  writeFileSync(join(dir, 'people.csv'), `id,name\n1,${name}\n`);
}

function env(tmp: string): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', TMPDIR: tmp, SISFLOW_SECRET_sftp_key: sshd.privateKey };
}

function run(p: { dir: string; tmp: string }) {
  const r = spawnSync(process.execPath, [BIN, 'run', join(p.dir, 'spec.yaml')], { encoding: 'utf8', env: env(p.tmp) });
  return { code: r.status, stderr: r.stderr };
}

const paused = (p: { dir: string; tmp: string }, point: string) => pausedRun(join(p.dir, 'spec.yaml'), point, env(p.tmp));

const spools = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith('sisflow-sftp-'));
const written = (file: string) => readFileSync(file, 'utf8').replace(/^id,name\r\n/, '').replace(/\r\n$/, '');
const writers = (p: { dir: string; remote: string }) => [written(join(p.remote, 'patrons.csv')), written(join(p.dir, 'out/patrons.csv'))];
const remoteTemps = (p: { remote: string }) => readdirSync(p.remote).filter((n) => n.startsWith('.sisflow-tmp-'));

test.before(async () => {
  sshd = await startSshd();
});

test.after(async () => {
  await sshd?.stop();
});

test('a killed run leaves its spool; the next run removes it', async () => {
  const p = project();
  input(p.dir, 'first');
  const child = await paused(p, 'sftp:spooled');
  assert.equal(spools(p.tmp).map((n) => n.split('-')[2]), [String(child.pid)], 'the spool is named by its process');
  await kill(child);
  assert.is(spools(p.tmp).length, 1, 'SIGKILL leaves no chance to clean up');
  const r = run(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(spools(p.tmp), [], 'the spool of the dead process is gone');
  assert.equal(writers(p), ['1,first', '1,first']);
});

for (const signals of [['SIGTERM'], ['SIGINT'], ['SIGINT', 'SIGTERM']] as NodeJS.Signals[][]) {
  test(`${signals.join(' then ')} while spooling: the spool is removed and nothing is published`, async () => {
    const p = project();
    input(p.dir, 'first');
    const child = await paused(p, 'sftp:spooled');
    assert.is(spools(p.tmp).length, 1);
    const code = exited(child);
    await stopped(child);
    // Delivered when the process continues; a second signal makes the CLI exit at once.
    for (const s of signals) child.kill(s);
    child.kill('SIGCONT');
    assert.is(await code, 130);
    assert.equal(spools(p.tmp), []);
    assert.equal(writers(p), ['previous', 'previous']);
    assert.equal(remoteTemps(p), []);
  });
}

for (const point of ['publish:journaled', 'publish:renamed:1', 'publish:renamed:2']) {
  test(`killed at ${point}, the next run finishes the SFTP rename and the local one`, async () => {
    const p = project();
    input(p.dir, 'first');
    await kill(await paused(p, point));
    // Outputs publish in plan order (by name): local, then remote; [remote, local] here.
    const atKill = { 'publish:journaled': ['previous', 'previous'], 'publish:renamed:1': ['previous', '1,first'], 'publish:renamed:2': ['1,first', '1,first'] }[point];
    assert.equal(writers(p), atKill);
    input(p.dir, 'second');
    await kill(await paused(p, 'publish:staged'));
    assert.equal(writers(p), ['1,first', '1,first'], 'the next run started by finishing the killed publish');
    const r = run(p);
    assert.is(r.code, 0, r.stderr);
    assert.equal(writers(p), ['1,second', '1,second']);
    assert.equal(spools(p.tmp), []);
    assert.ok(!existsSync(join(p.dir, '.sisflow/publish/sftp-kill.json')));
  });
}

if (SSHD || sshdRequired()) test.run();
else console.warn('SKIPPED: OpenSSH sshd is not installed (apt-get install openssh-server)');
