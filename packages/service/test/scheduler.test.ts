// The scheduler on a clock the test moves (never on wall time): runs at the cron times of the
// spec's zone across a daylight-saving change, catch-up once or skip, overlap refused, and an
// invalid edit keeps the last good plan and alerts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultRegistry } from '@sisflow/connectors';
import { historyPath, ManualClock, projectAlerts, openProject, Scheduler, SqliteHistory, type SchedulerEvent } from '@sisflow/service';
import { makeProject, projectFile, ROSTER_SPEC } from './helpers.js';
import { WebhookReceiver } from './webhook-receiver.js';

const registry = defaultRegistry();
const hook = new WebhookReceiver();
test.before(async () => {
  process.env.TEST_HOOK_URL = `${await hook.listen()}/hooks/scheduler`;
  process.env.TEST_HOOK_CA = hook.ca;
});
test.after(() => hook.close());

const PROJECT = projectFile(`  hook: { use: webhook, url: "\${env:TEST_HOOK_URL}", ca: "\${env:TEST_HOOK_CA}" }
notify:
  ops: { to: hook, on: [schedule, invalid_spec] }
`);

/** A scheduler over a fresh project, and a way to wait for its next event of a kind. */
async function setup(now: string, spec = ROSTER_SPEC, seed?: (store: SqliteHistory) => Promise<void>) {
  const dir = makeProject(20, { project: PROJECT, spec });
  const store = SqliteHistory.open(historyPath(dir));
  await seed?.(store);
  const clock = new ManualClock(new Date(now));
  const events: SchedulerEvent[] = [];
  const waiters: { type: string; resolve: (e: SchedulerEvent) => void }[] = [];
  const lines: string[] = [];
  const log = { info: (_f: object, m: string) => void lines.push(m), warn: (_f: object, m: string) => void lines.push(m), error: (_f: object, m: string) => void lines.push(m) };
  const secrets = { env: (n: string) => process.env[n], secret: () => undefined };
  const scheduler = new Scheduler({
    folder: dir,
    registry,
    store,
    secrets,
    clock,
    log,
    alerts: projectAlerts(openProject(dir, registry).project, registry, secrets, (l) => lines.push(l)),
    onEvent: (e) => {
      const w = waiters.findIndex((x) => x.type === e.type);
      if (w >= 0) waiters.splice(w, 1)[0]!.resolve(e);
      else events.push(e);
    },
  });
  const next = <T extends SchedulerEvent['type']>(type: T): Promise<Extract<SchedulerEvent, { type: T }>> => {
    const i = events.findIndex((e) => e.type === type);
    if (i >= 0) return Promise.resolve(events.splice(i, 1)[0] as Extract<SchedulerEvent, { type: T }>);
    return new Promise((resolve) => waiters.push({ type, resolve: resolve as (e: SchedulerEvent) => void }));
  };
  return { dir, store, clock, scheduler, next, lines, events };
}

test('runs at 04:00 Los Angeles time on weekdays, before and after the spring DST change', async () => {
  // Thursday 2026-03-05 noon PST; DST starts Sunday 2026-03-08.
  const s = await setup('2026-03-05T20:00:00Z');
  assert.is(await s.scheduler.start(), undefined);
  assert.equal((await s.next('waiting')).until?.toISOString(), '2026-03-06T12:00:00.000Z', 'Friday 04:00 PST');
  s.clock.advanceTo(new Date('2026-03-06T12:00:00Z'));
  const start = await s.next('run-start');
  assert.is(start.trigger, 'schedule');
  const end = await s.next('run-end');
  assert.is(end.record.status, 'ok');
  assert.is(end.record.startedAt, '2026-03-06T12:00:00.000Z');
  // The weekend is skipped; Monday 04:00 is PDT now: 11:00 UTC.
  let w = await s.next('waiting');
  while (w.until?.toISOString() === '2026-03-06T12:00:00.000Z') w = await s.next('waiting');
  assert.is(w.until?.toISOString(), '2026-03-09T11:00:00.000Z', 'Monday 04:00 PDT');
  s.clock.advanceTo(new Date('2026-03-09T11:00:00Z'));
  assert.is((await s.next('run-end')).record.startedAt, '2026-03-09T11:00:00.000Z');
  await s.scheduler.stop();
  assert.equal((await s.store.list()).map((r) => `${r.trigger} ${r.status} ${r.startedAt}`), ['schedule ok 2026-03-09T11:00:00.000Z', 'schedule ok 2026-03-06T12:00:00.000Z']);
  await s.store.close();
});

const lastRun = (startedAt: string) => async (store: SqliteHistory) => {
  const r = await store.begin({ spec: 'roster', file: 'x', planHash: 'h', params: {}, trigger: 'schedule', startedAt });
  await store.finish(r.run!.id, { status: 'ok', durationMs: 1 });
};

test('a run missed while the service was down runs once at start-up (catch_up: once), and alerts', async () => {
  // Last scheduled run Monday 2026-11-23 04:00 PST; the service starts Wednesday noon: two were missed, one runs.
  const s = await setup('2026-11-25T20:00:00Z', ROSTER_SPEC, lastRun('2026-11-23T12:00:00.000Z'));
  await s.scheduler.start();
  const end = await s.next('run-end');
  assert.is(end.trigger, 'catch_up');
  assert.is(end.record.status, 'ok');
  const { body } = await hook.next();
  assert.is(body.kind, 'schedule');
  assert.match(String(body.title), 'the run of 2026-11-24T12:00:00.000Z was missed; running it now');
  await s.scheduler.stop();
  assert.is((await s.store.list({ spec: 'roster' })).filter((r) => r.trigger === 'catch_up').length, 1);
  await s.store.close();
});

test('catch_up: skip runs nothing at start-up but still alerts', async () => {
  const spec = ROSTER_SPEC.replace('  timezone: America/Los_Angeles\n', '  timezone: America/Los_Angeles\n  catch_up: skip\n');
  const s = await setup('2026-11-25T20:00:00Z', spec, lastRun('2026-11-23T12:00:00.000Z'));
  await s.scheduler.start();
  const { body } = await hook.next();
  assert.match(String(body.title), 'was missed and skipped');
  assert.is((await s.next('waiting')).until?.toISOString(), '2026-11-26T12:00:00.000Z');
  await s.scheduler.stop();
  assert.is((await s.store.list()).length, 1, 'only the seeded run');
  await s.store.close();
});

test('a scheduled run is refused while another run of the spec is running, and alerts', async () => {
  const s = await setup('2026-11-25T20:00:00Z');
  await s.scheduler.start();
  // A manual run of this process holds the spec (the same lock `sisflow run` takes).
  const manual = await s.store.begin({ spec: 'roster', file: 'x', planHash: 'h', params: {}, trigger: 'manual', startedAt: '2026-11-26T11:59:00.000Z' });
  await s.next('waiting');
  s.clock.advanceTo(new Date('2026-11-26T12:00:00Z'));
  const overlap = await s.next('overlap');
  assert.is(overlap.running, manual.run!.id);
  const { body } = await hook.next();
  assert.is(body.kind, 'schedule');
  assert.match(String(body.title), `run ${manual.run!.id} is still running`);
  await s.store.finish(manual.run!.id, { status: 'ok', durationMs: 1 });
  await s.scheduler.stop();
  assert.equal((await s.store.list()).map((r) => r.trigger), ['manual'], 'no scheduled run was recorded');
  await s.store.close();
});

test('an invalid edit keeps the last good plan running and alerts once; a fixed edit is picked up', async () => {
  const s = await setup('2026-11-25T20:00:00Z');
  await s.scheduler.start();
  const file = join(s.dir, 'specs', 'roster.yaml');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, good.replace('path: roster.csv', 'path: roster.csv\n    colour: blue'));
  s.scheduler.reload();
  assert.match((await s.next('invalid')).file, 'roster.yaml');
  const { body } = await hook.next();
  assert.is(body.kind, 'invalid_spec');
  assert.match(String(body.title), 'the last good version keeps running');
  assert.match(String(body.text), 'SF401');
  s.scheduler.reload(); // the same bad text: no second alert
  s.clock.advanceTo(new Date('2026-11-26T12:00:00Z'));
  const end = await s.next('run-end');
  assert.is(end.record.status, 'ok', 'the last good plan ran');
  assert.is(readFileSync(join(s.dir, 'out', 'roster.csv'), 'utf8').split(/\r?\n/)[0], 'ID,LN');
  writeFileSync(file, good.replace('path: roster.csv', 'path: roster2.csv'));
  s.scheduler.reload();
  s.clock.advanceTo(new Date('2026-11-27T12:00:00Z'));
  assert.match((await s.next('run-end')).record.report!.outputs.roster!.files[0]!.path, 'roster2.csv');
  await s.scheduler.stop();
  assert.is(hook.bodies.length, 0, 'one alert for the bad edit');
  await s.store.close();
});

/** A port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

const SFTP_SPEC = (port: number, cron: string) => `sisflow: 1
name: remote
connections:
  siras: { use: sftp, host: 127.0.0.1, port: ${port}, username: u, password: "\${env:TEST_SFTP_PASSWORD}", host_key: "SHA256:${'A'.repeat(43)}", retries: 0 }
sources:
  students:
    from: siras
    path: students.csv
    columns: { ID: int }
outputs:
  copy: { from: students, to: outbox, path: remote.csv }
schedule: { cron: "${cron}", timezone: America/Los_Angeles }
`;

test('a transient failure (connection refused) is retried with a doubling delay, up to the limit', async () => {
  process.env.TEST_SFTP_PASSWORD = 'pw';
  const s = await setup('2026-11-25T20:00:00Z', SFTP_SPEC(await closedPort(), '0 4 * * *'));
  writeFileSync(join(s.dir, 'sisflow.yaml'), `${PROJECT}serve: { retries: 2, retry_delay: 60 }\n`);
  s.scheduler.reload();
  await s.scheduler.start();
  s.clock.advanceTo(new Date('2026-11-26T12:00:00Z'));
  const first = await s.next('run-end');
  assert.is(first.record.status, 'failed');
  assert.match(first.record.error!, 'ECONNREFUSED');
  const r1 = await s.next('retry');
  assert.is(r1.at.toISOString(), '2026-11-26T12:01:00.000Z');
  s.clock.advanceTo(r1.at);
  assert.is((await s.next('run-end')).trigger, 'retry');
  const r2 = await s.next('retry');
  assert.is(r2.at.toISOString(), '2026-11-26T12:03:00.000Z', 'the delay doubles');
  s.clock.advanceTo(r2.at);
  assert.is((await s.next('run-end')).trigger, 'retry');
  await s.scheduler.stop();
  assert.equal((await s.store.list()).map((r) => `${r.trigger} ${r.status}`), ['retry failed', 'retry failed', 'schedule failed'], 'two retries, then it stops');
  await s.store.close();
});

test('a retry that would come after the next scheduled run is not made', async () => {
  const s = await setup('2026-11-25T20:00:00Z', SFTP_SPEC(await closedPort(), '*/5 * * * *'));
  writeFileSync(join(s.dir, 'sisflow.yaml'), `${PROJECT}serve: { retries: 3, retry_delay: 600 }\n`);
  s.scheduler.reload();
  await s.scheduler.start();
  s.clock.advanceTo(new Date('2026-11-25T20:05:00Z'));
  assert.is((await s.next('run-end')).record.status, 'failed');
  await s.next('waiting');
  await s.scheduler.stop();
  assert.ok(s.lines.some((l) => l.startsWith('not retried: the retry would come after the next scheduled run (2026-11-25T20:10:00.000Z)')), s.lines.join('\n'));
  assert.not.ok(s.events.some((e) => e.type === 'retry'));
  await s.store.close();
});

test.run();
