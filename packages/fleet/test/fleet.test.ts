// Fleet mode end to end with real parts: PostgreSQL, Redis (append-only, restarted mid-run), the
// CLI's `serve --queue` and `worker` as child processes, and a local Aeries API the runs read from
// (held mid-read so a worker can be killed in the middle of a run, signalled, not timed).
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { PostgresHistory } from '@sisflow/service';
import { QUEUE_NAME, SERVED_KEY, servedDistricts, type FleetJob } from '@sisflow/fleet';
import { recordServedSpec } from '../src/served-districts.js';
import { main } from '../../cli/src/cli.js';
import { API_KEY, gate, rosterSpec, serveOnce, serveQueue, startFleet, until, worker, type CliProcess, type Fleet } from './fleet-helpers.js';

// FLEET_ONLY=words runs only the tests whose name has them (while working on one).
const test = Object.assign((name: string, f: () => Promise<void>) => (!process.env.FLEET_ONLY || name.includes(process.env.FLEET_ONLY) ? uvuTest(name, f) : undefined), uvuTest);

let fleet: Fleet;
let queue: Queue<FleetJob>;
let redis: Redis;
let events: QueueEvents;
const running: CliProcess[] = [];
const spawned = (p: CliProcess) => (running.push(p), p);

process.once('SIGTERM', () => {
  for (const p of running) process.stderr.write(`--- ${p.pid}\n${p.lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  process.exit(1);
});

test.before(async () => {
  fleet = await startFleet();
  queue = new Queue<FleetJob>(QUEUE_NAME, { connection: { url: fleet.redis.url, maxRetriesPerRequest: null } });
  redis = new Redis(fleet.redis.url, { maxRetriesPerRequest: null });
  events = new QueueEvents(QUEUE_NAME, { connection: { url: fleet.redis.url, maxRetriesPerRequest: null } });
  await events.waitUntilReady();
});
test.after.each(async () => {
  for (const p of running.splice(0)) await p.kill('SIGTERM');
});
test.after(async () => {
  await queue?.close();
  await events?.close();
  redis?.disconnect();
  await fleet?.stop();
});

const history = (district: string) => PostgresHistory.open(fleet.pg.url('fleet'), district);
const runsOf = async (district: string, job: string) => {
  const h = history(district);
  try {
    return await h.list({ job });
  } finally {
    await h.close();
  }
};
const started = (l: { msg: string }) => l.msg === 'run started';
const ended = (key: string) => (l: { msg: string; job?: unknown }) => l.job === key && /^run (ok|failed|held|cancelled)$/.test(l.msg);

/** The bytes a clean run of the same spec writes: `sisflow run`, no fleet, the embedded history. */
async function cleanRun(): Promise<Buffer> {
  const dir = join(fleet.root, '..', 'clean');
  renameSync(fleet.addDistrict('Clean'), dir); // out of the fleet's projects folder
  writeFileSync(join(dir, 'sisflow.yaml'), readFileSync(join(dir, 'sisflow.yaml'), 'utf8').replace(/history: .*\n/, ''));
  process.env.SISFLOW_SECRETS_DIR = join(fleet.secretsDir, 'Clean');
  const out = { stdout: () => undefined, stderr: (t: string) => void process.stderr.write(`${t}\n`), stderrRaw: () => undefined, color: false, tty: false };
  assert.is(await main(['run', join(dir, 'specs', 'roster.yaml')], out), 0);
  return readFileSync(join(dir, 'out', 'roster.csv'));
}

test('serve --queue registers each spec as a job scheduler in its time zone and removes those of districts no longer given', async () => {
  const a = fleet.addDistrict('Alder Unified');
  const b = fleet.addDistrict('Birch Elementary', { roster: rosterSpec(), patrons: rosterSpec('patrons', 995, 'America/New_York') });
  const s = spawned(serveQueue(fleet, [a, b]));
  await s.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  const schedulers = (await queue.getJobSchedulers(0, -1)).map((j) => `${j.key} ${j.pattern} ${j.tz}`).sort();
  assert.equal(schedulers, ['Alder Unified/roster 30 2 * * * America/Los_Angeles', 'Birch Elementary/patrons 30 2 * * * America/New_York', 'Birch Elementary/roster 30 2 * * * America/Los_Angeles']);
  await s.kill();
  const again = spawned(serveQueue(fleet, [a]));
  await again.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  assert.equal((await queue.getJobSchedulers(0, -1)).map((j) => j.key), ['Alder Unified/roster']);
  assert.ok(again.lines.some((l) => l.msg === 'schedule removed: the district is no longer served' && l.scheduler === 'Birch Elementary/patrons'));
  // Job data is names and ids only.
  const [next] = await queue.getDelayed();
  assert.equal(Object.keys(next!.data).sort(), ['district', 'spec', 'trigger']);
});

test('a worker SIGKILLed mid-run: the run completes once on the other worker, one ok row, the file as a clean run writes it', async () => {
  const dir = fleet.addDistrict('Cedar Unified');
  const s = spawned(serveQueue(fleet, [dir]));
  await s.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  const w1 = spawned(worker(fleet, [dir]));
  const w2 = spawned(worker(fleet, [dir]));
  await Promise.all([w1, w2].map((w) => w.waitFor((l) => l.msg === 'sisflow worker started')));
  const g = gate(fleet.api);
  // The scheduler's next run of Cedar's roster, made due now.
  const job = (await queue.getDelayed()).find((j) => j.data.district === 'Cedar Unified')!;
  await job.promote();
  await g.arrived(1);
  const first = (await Promise.race([w1, w2].map((w) => w.waitFor(started).then(() => w)))) as CliProcess;
  const other = first === w1 ? w2 : w1;
  await first.kill('SIGKILL');
  // The other worker finds the job stalled and runs it; its read comes to the gate too.
  await g.arrived(2);
  g.open();
  const end = await other.waitFor(ended(job.id!));
  assert.is(end.msg, 'run ok');
  const runs = await runsOf('Cedar Unified', job.id!);
  assert.equal(runs.map((r) => r.status).sort(), ['failed', 'ok']);
  assert.match(runs.find((r) => r.status === 'failed')!.error!, /abandoned: process \d+/);
  assert.is(runs.find((r) => r.status === 'ok')!.trigger, 'schedule');
  const published = readFileSync(join(dir, 'out', 'roster.csv'));
  assert.equal(readdirSync(join(dir, 'out')), ['roster.csv'], 'no stage or temporary file left');
  assert.ok((await cleanRun()).equals(published), 'identical to a clean run');

  // Delivered again (a duplicate of the job, same run key): acknowledged, not run.
  await queue.add('run', { ...job.data, run: job.id! }, { jobId: 'duplicate-1' });
  await other.waitFor((l) => l.job === job.id && typeof l.msg === 'string' && l.msg.startsWith('the job was already run by run'));
  assert.equal((await runsOf('Cedar Unified', job.id!)).map((r) => r.status).sort(), ['failed', 'ok']);
});

test('per-spec exclusivity under 4 workers: 8 run-now jobs of one spec while it runs, one runs, the others are skipped', async () => {
  const dir = fleet.addDistrict('Dogwood Unified');
  await serveOnce(fleet, [dir]);
  // A lock that a loaded machine cannot let expire: a skipped job taken again as stalled would run later.
  const workers = [0, 1, 2, 3].map(() => spawned(worker(fleet, [dir, '--concurrency', '2', '--district-concurrency', '8', '--lock-seconds', '30'])));
  await Promise.all(workers.map((w) => w.waitFor((l) => l.msg === 'sisflow worker started')));
  const g = gate(fleet.api);
  const keys = Array.from({ length: 8 }, (_, i) => `excl-${i}`);
  await queue.addBulk(keys.map((run) => ({ name: 'run', data: { district: 'Dogwood Unified', spec: 'roster', trigger: 'manual' as const, run }, opts: { jobId: run, priority: 1 } })));
  await g.arrived(1);
  // Every other job is refused by the lock while the first holds it.
  // Counted by job: under load a job can be taken twice (its lock expired) and skipped twice.
  await until(workers, (lines) => new Set(lines.filter((l) => l.msg.includes('of this spec is still running; this run is skipped')).map((l) => l.job)).size === 7);
  g.open();
  await Promise.race(workers.map((w) => w.waitFor((l) => l.msg === 'run ok' && l.district === 'Dogwood Unified')));
  assert.is(g.arrivals.length, 1, 'one run read the source');
  const h = history('Dogwood Unified');
  const all = await h.list({ limit: 100 });
  await h.close();
  assert.equal(all.map((r) => r.status), ['ok']);
});

test('a district removed while its job waits: the job is dropped, nothing runs', async () => {
  const dir = fleet.addDistrict('Elm Unified');
  const keep = fleet.addDistrict('Elm Keep Unified');
  await serveOnce(fleet, [dir, keep]);
  await queue.add('run', { district: 'Elm Unified', spec: 'roster', trigger: 'manual', run: 'elm-1' }, { jobId: 'elm-1', priority: 1 });
  // Removed from the fleet (serve --queue reconciles without it), though this worker still has its folder.
  await serveOnce(fleet, [keep]);
  const w = spawned(worker(fleet, [dir, keep]));
  await w.waitFor((l) => l.job === 'elm-1' && l.msg === 'the fleet no longer serves spec roster of district Elm Unified; the job is dropped');
  assert.equal(await runsOf('Elm Unified', 'elm-1'), []);
  assert.is(await (await queue.getJob('elm-1'))!.getState(), 'completed');
});

test('Redis restarted mid-run: no schedule lost, the job runs once; Redis holds no secret', async () => {
  const dir = fleet.addDistrict('Fir Unified');
  const s = spawned(serveQueue(fleet, [dir, '--projects-dir', fleet.root]));
  await s.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  const before = (await queue.getJobSchedulers(0, -1)).map((j) => j.key).sort();
  const w1 = spawned(worker(fleet, [dir]));
  const w2 = spawned(worker(fleet, [dir]));
  await Promise.all([w1, w2].map((w) => w.waitFor((l) => l.msg === 'sisflow worker started')));
  const g = gate(fleet.api);
  const printed: string[] = [];
  assert.is(await main(['serve', '--queue', fleet.redis.url, dir, '--run-now', 'roster'], { stdout: (t) => void printed.push(t), stderr: (t) => void printed.push(t), stderrRaw: () => undefined, color: false, tty: false }), 0, printed.join('\n'));
  const key = /run key (\S+)\)/.exec(printed.join('\n'))![1]!;
  await g.arrived(1);
  await fleet.redis.restart();
  g.open();
  const done = await Promise.race([w1, w2].map((w) => w.waitFor(ended(key))));
  assert.is(done.msg, 'run ok');
  assert.equal((await queue.getJobSchedulers(0, -1)).map((j) => j.key).sort(), before, 'the schedules survived the restart');
  // Whatever BullMQ does with the job after the restart, the run is not done twice.
  await queue.add('run', { district: 'Fir Unified', spec: 'roster', trigger: 'manual', run: key }, { jobId: 'fir-dup' });
  await Promise.race([w1, w2].map((w) => w.waitFor((l) => l.job === key && typeof l.msg === 'string' && l.msg.startsWith('the job was already run'))));
  assert.equal((await runsOf('Fir Unified', key)).map((r) => r.status), ['ok']);
  assert.is(g.arrivals.length, 1);

  // Every key and value in Redis, against the secrets the runs used.
  const r = new Redis(fleet.redis.url);
  let dump = '';
  for (const k of await r.keys('*')) {
    const type = await r.type(k);
    const v = type === 'string' ? await r.getBuffer(k) : type === 'hash' ? await r.hgetall(k) : type === 'list' ? await r.lrange(k, 0, -1) : type === 'zset' ? await r.zrange(k, 0, -1) : type === 'set' ? await r.smembers(k) : type === 'stream' ? await r.xrange(k, '-', '+') : '';
    dump += `${k}\n${Buffer.isBuffer(v) ? v.toString('latin1') : JSON.stringify(v)}\n`;
  }
  r.disconnect();
  assert.ok(dump.includes('Fir Unified'), 'the scan saw the jobs');
  assert.not.ok(dump.includes(API_KEY), 'the API key is not in Redis');
  assert.not.ok(dump.includes(fleet.pg.password), 'the history password is not in Redis');
  assert.not.ok(existsSync(join(dir, '.sisflow', 'history.db')));
});

test('a bad --concurrency, --district-concurrency or --lock-seconds is a usage error SF706, before anything is connected to', async () => {
  for (const [flag, value] of [['--concurrency', '0'], ['--district-concurrency', 'two'], ['--lock-seconds', '1.5']] as const) {
    const err: string[] = [];
    // A queue no Redis answers at: a worker that got as far as connecting would wait for it forever.
    const code = await main(['worker', '--queue', 'redis://127.0.0.1:1', fleet.root, flag, value], { stdout: () => undefined, stderr: (t) => void err.push(t), stderrRaw: () => undefined, color: false, tty: false });
    assert.is(code, 2, err.join('\n'));
    assert.match(err.join('\n'), `SF706`);
    assert.match(err.join('\n'), `${flag} needs a whole number of at least 1, not "${value}"`);
  }
});

test('workers on different folder sets: a job of a district the fleet serves waits for a worker that has it; dropped once the fleet stops serving it', async () => {
  const gum = fleet.addDistrict('Gum Unified');
  const hazel = fleet.addDistrict('Hazel Unified');
  const s = spawned(serveQueue(fleet, [gum, hazel]));
  await s.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  const wGum = spawned(worker(fleet, [gum]));
  await wGum.waitFor((l) => l.msg === 'sisflow worker started');
  await queue.add('run', { district: 'Hazel Unified', spec: 'roster', trigger: 'manual', run: 'hazel-1' }, { jobId: 'hazel-1', priority: 1, attempts: 3 });
  await wGum.waitFor((l) => l.job === 'hazel-1' && l.msg === "the fleet serves district Hazel Unified but this worker's project folders lack it; the job is left for another worker");
  // A worker that has Hazel's folder, started after the job was queued, runs it.
  const wHazel = spawned(worker(fleet, [hazel]));
  const end = await wHazel.waitFor(ended('hazel-1'));
  assert.is(end.msg, 'run ok');
  assert.equal((await runsOf('Hazel Unified', 'hazel-1')).map((r) => r.status), ['ok']);
  assert.not.ok([...wGum.lines, ...wHazel.lines].some((l) => l.job === 'hazel-1' && /dropped/.test(l.msg)));

  // Hazel removed from the fleet: serve --queue no longer given it. Its next job is dropped — by
  // whichever worker takes it, the one with Hazel's folder included.
  await s.kill();
  const s2 = spawned(serveQueue(fleet, [gum]));
  await s2.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  assert.equal([...(await servedDistricts(redis)).keys()].filter((d) => d === 'Hazel Unified'), []);
  await queue.add('run', { district: 'Hazel Unified', spec: 'roster', trigger: 'manual', run: 'hazel-2' }, { jobId: 'hazel-2', priority: 1, attempts: 3 });
  await Promise.race([wGum, wHazel].map((w) => w.waitFor((l) => l.job === 'hazel-2' && l.msg === 'the fleet no longer serves spec roster of district Hazel Unified; the job is dropped')));
  assert.equal(await runsOf('Hazel Unified', 'hazel-2'), []);
});

test('fairness under load: district A with 40 queued jobs and B, C with 2 each on 2 workers — B and C start before A drains, and A never runs more than --district-concurrency at once', async () => {
  const a = fleet.addDistrict('Ivy Unified', Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`a${i}`, rosterSpec(`a${i}`)])));
  const b = fleet.addDistrict('Juniper Unified', { roster: rosterSpec(), patrons: rosterSpec('patrons') });
  const c = fleet.addDistrict('Kapok Unified', { roster: rosterSpec(), patrons: rosterSpec('patrons') });
  await serveOnce(fleet, [a, b, c]);
  const workers = [0, 1].map(() => spawned(worker(fleet, [a, b, c, '--concurrency', '2', '--district-concurrency', '2', '--lock-seconds', '30'])));
  await Promise.all(workers.map((w) => w.waitFor((l) => l.msg === 'sisflow worker started')));
  // A's 40 jobs queued first, then B's and C's: in plain FIFO order B and C would start 41st to 44th.
  const jobs = [
    ...Array.from({ length: 40 }, (_, i) => ({ district: 'Ivy Unified', spec: `a${i}` })),
    ...['roster', 'patrons'].map((spec) => ({ district: 'Juniper Unified', spec })),
    ...['roster', 'patrons'].map((spec) => ({ district: 'Kapok Unified', spec })),
  ];
  await queue.addBulk(jobs.map((j, i) => ({ name: 'run', data: { ...j, trigger: 'manual' as const, run: `fair-${i}` }, opts: { jobId: `fair-${i}`, priority: 10, attempts: 3 } })));
  await until(workers, (lines) => lines.filter((l) => typeof l.job === 'string' && l.job.startsWith('fair-') && /^run (ok|failed|held|cancelled)$/.test(l.msg)).length === 44);
  const runs = async (district: string) => {
    const h = history(district);
    try {
      return (await h.list({ limit: 100 })).filter((r) => r.job?.startsWith('fair-'));
    } finally {
      await h.close();
    }
  };
  const [ivy, juniper, kapok] = await Promise.all(['Ivy Unified', 'Juniper Unified', 'Kapok Unified'].map(runs));
  assert.is(ivy!.length, 40);
  assert.ok([...ivy!, ...juniper!, ...kapok!].every((r) => r.status === 'ok'));
  // The order the history recorded: in FIFO order B's and C's runs would be the 41st to 44th; every
  // one started while at least half of A's backlog still waited (before A's 20th run).
  const ivyStarts = ivy!.map((r) => r.startedAt).sort();
  for (const r of [...juniper!, ...kapok!]) {
    const place = ivyStarts.filter((t) => t < r.startedAt).length + 1;
    assert.ok(place < 20, `${r.spec} of ${r.job} started after ${place - 1} of A's runs: A's backlog starved it`);
  }
  // Never more than 2 of A's runs at once, from the recorded intervals (an end at the same instant as a start counts first).
  const edges = ivy!.flatMap((r) => [{ at: Date.parse(r.startedAt), d: 1 }, { at: Date.parse(r.startedAt) + r.durationMs!, d: -1 }]).sort((x, y) => x.at - y.at || x.d - y.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  assert.ok(most <= 2, `${most} runs of A at once`);
  assert.ok(workers.some((w) => w.lines.some((l) => l.district === 'Ivy Unified' && l.msg === 'run started')));
});

test('a worker SIGTERMed mid-run: the run is cancelled and publishes nothing; the job runs again on the other worker to ok, once', async () => {
  const dir = fleet.addDistrict('Laurel Unified');
  await serveOnce(fleet, [dir]);
  const w1 = spawned(worker(fleet, [dir]));
  const w2 = spawned(worker(fleet, [dir]));
  await Promise.all([w1, w2].map((w) => w.waitFor((l) => l.msg === 'sisflow worker started')));
  const g = gate(fleet.api);
  const job = (await queue.getDelayed()).find((j) => j.data.district === 'Laurel Unified')!;
  await job.promote();
  await g.arrived(1);
  const first = (await Promise.race([w1, w2].map((w) => w.waitFor(started).then(() => w)))) as CliProcess;
  const other = first === w1 ? w2 : w1;
  const exit = first.exited;
  first.child.kill('SIGTERM');
  assert.is(await exit, 0, 'the worker stops cleanly');
  assert.ok(first.lines.some((l) => l.msg === 'sisflow worker stopped'));
  assert.not.ok(existsSync(join(dir, 'out')) && readdirSync(join(dir, 'out')).length > 0, 'the cancelled run published nothing');
  // The other worker may have taken the job again already: its run is then running, held at the gate.
  const firstRun = (await first.waitFor(started)).run;
  const runs = await runsOf('Laurel Unified', job.id!);
  assert.is(runs.find((r) => r.id === firstRun)?.status, 'cancelled');
  assert.equal(runs.filter((r) => r.id !== firstRun).map((r) => r.status), runs.length > 1 ? ['running'] : []);
  // Tried again by the other worker; its read comes to the gate too.
  await g.arrived(2);
  g.open();
  const end = await other.waitFor(ended(job.id!));
  assert.is(end.msg, 'run ok');
  assert.equal((await runsOf('Laurel Unified', job.id!)).map((r) => r.status).sort(), ['cancelled', 'ok']);
  assert.equal(readdirSync(join(dir, 'out')), ['roster.csv']);
  // The worker logs the run's end a moment before BullMQ records the job completed: wait for that event.
  await job.waitUntilFinished(events);
  assert.is(await job.getState(), 'completed');
  assert.is(g.arrivals.length, 2, 'run twice: once cancelled, once to its end');
});

test('serve --queue follows its projects folder: a district added is scheduled, an edited schedule updated, a removed district unscheduled and no longer served', async () => {
  const s = spawned(serveQueue(fleet, ['--projects-dir', fleet.root]));
  await s.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));
  const dir = fleet.addDistrict('Magnolia Unified');
  await s.waitFor((l) => l.msg === 'scheduled' && l.scheduler === 'Magnolia Unified/roster');
  const schedulerOf = async () => (await queue.getJobSchedulers(0, -1)).find((j) => j.key === 'Magnolia Unified/roster');
  assert.is((await schedulerOf())?.pattern, '30 2 * * *');
  assert.equal((await servedDistricts(redis)).get('Magnolia Unified'), ['roster']);
  writeFileSync(join(dir, 'specs', 'roster.yaml'), rosterSpec('roster', 994, 'America/Los_Angeles', '45 3 * * 1-5'));
  await s.waitFor((l) => l.msg === 'schedule changed' && l.scheduler === 'Magnolia Unified/roster');
  assert.is((await schedulerOf())?.pattern, '45 3 * * 1-5');
  rmSync(dir, { recursive: true });
  await s.waitFor((l) => l.msg === 'schedule removed: the district is no longer served' && l.scheduler === 'Magnolia Unified/roster');
  assert.is(await schedulerOf(), undefined);
  assert.not.ok((await servedDistricts(redis)).has('Magnolia Unified'));
});

test('runs asked for at once, of many specs of one district, all stay recorded as served (one step on the server, not read-then-write)', async () => {
  const district = 'Écoles Unifiées / Nord';
  await redis.hdel(SERVED_KEY, district);
  const specs = Array.from({ length: 25 }, (_, i) => `spec-${String(i).padStart(2, '0')}`).concat(['élèves/roster']).sort();
  // One connection, so the 26 calls are pipelined: a read-then-write would see no record 26 times.
  await Promise.all(specs.map((s) => recordServedSpec(redis, district, s)));
  assert.equal((await servedDistricts(redis)).get(district), specs);
  await Promise.all([recordServedSpec(redis, district, 'spec-03'), recordServedSpec(redis, district, 'spec-03')]);
  assert.equal((await servedDistricts(redis)).get(district), specs, 'a spec already recorded is not added twice');
  await redis.hdel(SERVED_KEY, district);
});

test.run();
