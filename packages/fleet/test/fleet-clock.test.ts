// A schedule firing on the real clock, end to end: `serve --queue` registers a spec whose cron is
// every minute, a worker runs what BullMQ's job scheduler makes due. The test waits for the first
// firing's run (within a minute) and never asserts on when it came. Its own Redis and PostgreSQL,
// so the other fleet tests' reconciles cannot remove its scheduler.
import { Queue } from 'bullmq';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PostgresHistory } from '@sisflow/service';
import { QUEUE_NAME, type FleetJob } from '@sisflow/fleet';
import { rosterSpec, serveQueue, startFleet, worker, type CliProcess, type Fleet } from './fleet-helpers.js';

let fleet: Fleet;
const running: CliProcess[] = [];

test.before(async () => {
  fleet = await startFleet();
});
test.after(async () => {
  for (const p of running.splice(0)) await p.kill('SIGTERM');
  await fleet?.stop();
});

test('a cron of every minute fires on the real clock: the scheduled job runs to ok, recorded as a schedule run, and the next firing is queued', async () => {
  const dir = fleet.addDistrict('Maple Unified', { roster: rosterSpec('roster', 994, 'America/Los_Angeles', '* * * * *') });
  const s = serveQueue(fleet, [dir]);
  running.push(s);
  await s.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  const w = worker(fleet, [dir]);
  running.push(w);
  const end = await w.waitFor((l) => l.district === 'Maple Unified' && /^run (ok|failed|held|cancelled)$/.test(l.msg));
  assert.is(end.msg, 'run ok');
  assert.match(String(end.job), /^repeat:Maple Unified\/roster:\d+$/);
  const h = PostgresHistory.open(fleet.pg.url('fleet'), 'Maple Unified');
  try {
    const [run] = await h.list({ job: String(end.job) });
    assert.is(run?.status, 'ok');
    assert.is(run?.trigger, 'schedule');
  } finally {
    await h.close();
  }
  const queue = new Queue<FleetJob>(QUEUE_NAME, { connection: { url: fleet.redis.url, maxRetriesPerRequest: null } });
  try {
    const next = (await queue.getDelayed()).filter((j) => j.data.district === 'Maple Unified');
    assert.is(next.length, 1, 'the next firing waits in the queue');
    assert.ok(next[0]!.id !== end.job);
  } finally {
    await queue.close();
  }
});

test.run();
