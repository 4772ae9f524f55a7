// The status console in fleet mode, end to end with real parts: `sisflow serve --queue … --http` as a
// child process over real Redis and PostgreSQL, its pages listing the fleet's districts and their
// job schedulers, "run now" through the page putting a job in the queue (with who asked), /metrics
// showing the queue's depth, and a real `sisflow worker` child process running that job to ok.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PostgresHistory } from '@sisflow/service';
import { PRIORITY, QUEUE_NAME, type FleetJob } from '@sisflow/fleet';
import { signIn } from '../../console/test/console-server.js';
import { API_KEY, rosterSpec, serveQueue, startFleet, worker, type CliProcess, type Fleet } from './fleet-helpers.js';

const ADMIN_TOKEN = 'fleet-console-admin-Hq93-token';
let fleet: Fleet;
let queue: Queue<FleetJob>;
const running: CliProcess[] = [];

test.before(async () => {
  fleet = await startFleet();
  // The console's admin token is the serving process's own secret, beside the districts' folders.
  writeFileSync(join(fleet.secretsDir, 'console_admin_token'), ADMIN_TOKEN);
  queue = new Queue<FleetJob>(QUEUE_NAME, { connection: { url: fleet.redis.url, maxRetriesPerRequest: null } });
});
test.after(async () => {
  for (const p of running.splice(0)) await p.kill('SIGTERM');
  await queue?.close();
  await fleet?.stop();
});

/** The value of the sample of name whose labels include these (the console's own tests check the format with a parser). */
function metric(text: string, name: string, labels: Record<string, string>): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = Object.fromEntries([...m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) return m[3];
  }
  return undefined;
}

test('serve --queue --http: the fleet\'s districts and schedules, run now through the page queues a job a worker runs to ok, /metrics has the queue depth', async () => {
  const alder = fleet.addDistrict('Alder Unified');
  const birch = fleet.addDistrict('Birch Elementary', { roster: rosterSpec(), patrons: rosterSpec('patrons', 995, 'America/New_York') });
  const serve = serveQueue(fleet, [alder, birch, '--http', '127.0.0.1:0']);
  running.push(serve);
  const url = String((await serve.waitFor((l) => l.msg.startsWith('status console at'))).url);
  await serve.waitFor((l) => l.msg.startsWith('sisflow serve --queue started'));

  const overview = await (await fetch(`${url}/`)).text();
  assert.match(overview, 'Alder Unified');
  assert.match(overview, 'Birch Elementary');
  const birchPage = await (await fetch(`${url}/d/2`)).text();
  assert.match(birchPage, '30 2 * * * (America/New_York)', 'the job scheduler of patrons, in its time zone');
  const next = (await queue.getJobSchedulers(0, -1)).find((s) => s.key === 'Birch Elementary/patrons')!.next!;
  assert.match(birchPage, new Date(next).toISOString().slice(0, 19).replace('T', ' '), 'its next run, as the queue has it');
  for (const secret of [API_KEY, fleet.pg.password, ADMIN_TOKEN]) assert.not.ok(overview.includes(secret) || birchPage.includes(secret), 'no secret in a page');

  // Run now, through the signed-in page: a run-now job with priority, naming who asked.
  const session = await signIn(url, ADMIN_TOKEN, 'Dana Reyes');
  const form = await (await fetch(`${url}/d/2/specs/patrons`, { headers: { cookie: session.cookie } })).text();
  assert.match(form, 'Run now');
  const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
  const r = await fetch(`${url}/d/2/specs/patrons/run`, { method: 'POST', body: new URLSearchParams({ csrf }), headers: { cookie: session.cookie }, redirect: 'manual' });
  assert.is(r.status, 303);
  const [job] = await queue.getJobs(['prioritized', 'waiting']);
  assert.ok(job, 'a job is in the queue');
  assert.equal({ ...job!.data, run: undefined }, { district: 'Birch Elementary', spec: 'patrons', trigger: 'manual', run: undefined, by: 'Dana Reyes' });
  assert.is(job!.opts.priority, PRIORITY.now);
  const unknown = await fetch(`${url}/d/1/specs/patrons/run`, { method: 'POST', body: new URLSearchParams({ csrf }), headers: { cookie: session.cookie }, redirect: 'manual' });
  assert.is(unknown.status, 409, 'Alder has no patrons spec');
  assert.match(await unknown.text(), 'patrons is not a spec of district Alder Unified');

  // The queue's depth: every state, and the pending jobs by district and spec.
  const text = await (await fetch(`${url}/metrics`)).text();
  assert.is(metric(text, 'sisflow_queue_jobs', { state: 'prioritized' }), '1');
  assert.is(metric(text, 'sisflow_queue_jobs', { state: 'delayed' }), '3', 'the next scheduled run of each of the three specs');
  assert.is(metric(text, 'sisflow_queue_depth', { district: 'Birch Elementary', spec: 'patrons', state: 'prioritized' }), '1');
  assert.is(metric(text, 'sisflow_queue_depth', { district: 'Alder Unified', spec: 'roster', state: 'delayed' }), '1');

  // A real worker runs it to ok; the run says it was a run now and who asked, on its page too.
  const w = worker(fleet, [alder, birch]);
  running.push(w);
  const end = await w.waitFor((l) => l.job === job!.data.run && /^run (ok|failed|held|cancelled)$/.test(l.msg));
  assert.is(end.msg, 'run ok');
  const h = PostgresHistory.open(fleet.pg.url('fleet'), 'Birch Elementary');
  const [run] = await h.list({ job: job!.data.run! });
  await h.close();
  assert.is(run!.status, 'ok');
  assert.is(run!.trigger, 'manual');
  assert.is(run!.requestedBy, 'Dana Reyes');
  const runPage = await (await fetch(`${url}/d/2/runs/${run!.id}`)).text();
  assert.match(runPage, '<dt>Asked by</dt><dd>Dana Reyes</dd>');
  assert.match(await (await fetch(`${url}/d/2`)).text(), `<a href="/d/2/runs/${run!.id}">`, 'the district page lists the run');
  const after = await (await fetch(`${url}/metrics`)).text();
  assert.is(metric(after, 'sisflow_runs_total', { district: 'Birch Elementary', spec: 'patrons', status: 'ok' }), '1');
  assert.is(metric(after, 'sisflow_queue_jobs', { state: 'prioritized' }), '0');
  assert.match(await (await fetch(`${url}/audit`)).text(), '<td>run-now</td><td>Dana Reyes</td>');

  serve.killed = true;
  serve.child.kill('SIGTERM');
  assert.is(await serve.exited, 0);
  assert.ok(serve.lines.some((l) => l.msg === 'console: run-now by Dana Reyes'));
});

test.run();
