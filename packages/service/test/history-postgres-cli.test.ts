// The commands on a project whose history is the shared PostgreSQL one (`history: { url: … }` with
// the password from a secret, or `--history URL`): run, the guard's hold, history, show, approve —
// the same behaviour as the embedded file, no history file written, no password printed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/src/cli.js';
import { historyPath } from '@sisflow/service';
import { capture, makeProject, projectFile, writeStudents } from './helpers.js';
import { startPostgres, type PostgresServer } from './servers/postgres-server.js';

let server: PostgresServer;
test.before(async () => {
  server = await startPostgres();
  await server.createDatabase('fleet');
  process.env.SISFLOW_SECRET_PG_PASSWORD = server.password;
});
test.after(async () => server?.stop());

const historyUrl = () => `postgres://${server.user}:\${secret:PG_PASSWORD}@127.0.0.1:${server.port}/fleet`;

test('run, hold, history, show and approve on the shared PostgreSQL history', async () => {
  const dir = makeProject(100, { project: projectFile(`history:\n  url: "${historyUrl()}"\n`) });
  const c = capture();
  assert.is(await main(['run', dir], c.out), 0, c.errors());
  writeStudents(dir, 1, 80);
  c.clear();
  assert.is(await main(['run', dir], c.out), 3, 'held: the guard judged against the snapshot kept in PostgreSQL');
  const id = /sisflow approve (\S+)`/.exec(c.text())![1]!;
  assert.not.ok(existsSync(historyPath(dir)), 'no embedded history file');
  c.clear();
  assert.is(await main(['show', id, '-C', dir], c.out), 0, c.errors());
  assert.match(c.text(), `run ${id}: roster held`);
  c.clear();
  assert.is(await main(['approve', id, '-C', dir], c.out), 0, c.errors());
  c.clear();
  assert.is(await main(['history', '-C', dir, '--json'], c.out), 0);
  const runs = JSON.parse(c.text()) as { status: string; trigger: string }[];
  assert.equal(runs.map((r) => `${r.status}/${r.trigger}`), ['ok/approve', 'approved/manual', 'ok/manual']);
  assert.is(readFileSync(join(dir, 'out', 'roster.csv'), 'utf8').trim().split('\n').length, 81);
});

test('--history URL wins over the project; errors name the server, never the password', async () => {
  const dir = makeProject(5, { project: projectFile('').replace('Test Unified', 'Other Unified') });
  const c = capture();
  assert.is(await main(['history', '-C', dir, '--history', historyUrl()], c.out), 0, c.errors());
  assert.match(c.text(), 'no runs yet', 'the district has its own runs in the shared database');
  c.clear();
  const clear = `postgres://${server.user}:${server.password}@127.0.0.1:${server.port}/fleet`;
  assert.is(await main(['history', '-C', dir, '--history', clear], c.out), 1);
  assert.match(c.errors(), 'SF701');
  assert.not.match(c.errors(), server.password);
  c.clear();
  process.env.SISFLOW_SECRET_WRONG_PW = 'wrong-password-77';
  assert.is(await main(['history', '-C', dir, '--history', `postgres://${server.user}:\${secret:WRONG_PW}@127.0.0.1:${server.port}/fleet`], c.out), 1);
  assert.match(c.errors(), 'SF702');
  assert.match(c.errors(), `127.0.0.1:${server.port}/fleet cannot be used: password authentication failed`);
  assert.not.match(c.errors(), 'wrong-password-77');
  c.clear();
  assert.is(await main(['validate', dir], c.out), 0, 'the project file with a history url validates');
});

test('run with a history that cannot be reached: SF702 naming the server, nothing run', async () => {
  const dir = makeProject(5, { project: projectFile(`history:\n  url: "postgres://sisflow:\${secret:PG_PASSWORD}@127.0.0.1:1/fleet"\n`) });
  const c = capture();
  assert.is(await main(['run', dir], c.out), 1);
  assert.match(c.errors(), 'error SF702: the PostgreSQL history at 127.0.0.1:1/fleet cannot be used');
  assert.not.match(c.errors(), server.password);
  assert.not.ok(existsSync(join(dir, 'out', 'roster.csv')), 'nothing ran');
});

test('a project file with a clear-text password in the history url is refused at its line', async () => {
  const dir = makeProject(5, { project: projectFile('history:\n  url: postgres://sisflow:hunter22@db/sisflow\n') });
  const c = capture();
  assert.is(await main(['validate', dir], c.out), 1);
  assert.match(c.errors(), /sisflow\.yaml:11:\d+: error SF701: the history URL holds a password in clear text/);
  assert.not.match(c.errors().replace(/\|.*$/gm, ''), 'hunter22');
});

test.run();
