// Acting from the console: signing in with the admin token, approve / discard / run now behind a
// per-session CSRF token (or a bearer token), refused otherwise, each recorded with who did it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_TOKEN } from './seeded-district.js';
import { servedConsole, signIn, type ServedConsole } from './console-server.js';

let c: ServedConsole;
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${c.console.url}${path}`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' });
const heldStage = () => readdirSync(join(c.dir, 'specs', 'out')).find((f) => f.startsWith('.sisflow-held-'));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test.before(async () => {
  c = await servedConsole();
});
test.after(async () => {
  await c.stop();
});

test('a forged POST is refused 403 and changes nothing: no session, a session without its CSRF token, a wrong bearer', async () => {
  const path = `/d/1/runs/${c.held.id}/approve`;
  assert.is((await post(path, {})).status, 403);
  const session = await signIn(c.console.url, ADMIN_TOKEN);
  assert.is((await post(path, {}, { cookie: session.cookie })).status, 403, 'no CSRF token');
  assert.is((await post(path, { csrf: 'guessed' }, { cookie: session.cookie })).status, 403, 'a wrong CSRF token');
  const other = await signIn(c.console.url, ADMIN_TOKEN, 'Someone Else');
  assert.is((await post(path, { csrf: await other.csrf('/') }, { cookie: session.cookie })).status, 403, "another session's token");
  assert.is((await post(path, {}, { authorization: 'Bearer not-the-token' })).status, 403);
  assert.is((await post(`/d/1/specs/roster/run`, {})).status, 403);
  assert.is((await c.store.get(c.held.id))!.status, 'held');
  assert.ok(heldStage(), 'the stage is still there');
});

test('signing in: a wrong token is refused 401 and audited; the session cookie is HttpOnly and SameSite=Strict', async () => {
  const wrong = await post('/login', { by: 'Mallory', token: 'nope', next: '/' });
  assert.is(wrong.status, 401);
  assert.match(await wrong.text(), 'That is not the admin token.');
  assert.equal(wrong.headers.getSetCookie(), []);
  assert.ok(c.audit.some((e) => e.action === 'login-refused' && e.by === 'Mallory'));
  const ok = await post('/login', { by: 'Dana Reyes', token: ADMIN_TOKEN, next: '//evil.example/' });
  assert.is(ok.status, 303);
  assert.is(ok.headers.get('location'), '/', 'no redirect off the console');
  const cookie = ok.headers.getSetCookie()[0]!;
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  assert.not.match(cookie, ADMIN_TOKEN);
});

test('approving through the signed-in page publishes exactly the staged bytes, and the audit names who', async () => {
  const session = await signIn(c.console.url, ADMIN_TOKEN, 'Dana Reyes');
  const page = await (await fetch(`${c.console.url}/d/1/runs/${c.held.id}`, { headers: { cookie: session.cookie } })).text();
  assert.match(page, 'Approve and publish');
  const staged = heldStage()!;
  const stagedSha = sha(join(c.dir, 'specs', 'out', staged));
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  const r = await post(`/d/1/runs/${c.held.id}/approve`, { csrf }, { cookie: session.cookie });
  assert.is(r.status, 303);
  assert.is(r.headers.get('location'), `/d/1/runs/${c.held.id}?done=approved`);
  assert.is(sha(join(c.dir, 'specs', 'out', 'patrons.csv')), stagedSha, 'the published file is the staged one');
  assert.is(heldStage(), undefined);
  const record = (await c.store.get(c.held.id))!;
  assert.is(record.status, 'approved');
  assert.is(record.decision!.by, 'Dana Reyes');
  assert.is((await c.store.get(record.decision!.run!))!.requestedBy, 'Dana Reyes', 'the approve run says who asked for it');
  const after = await (await fetch(`${c.console.url}${r.headers.get('location')}`)).text();
  assert.match(after, 'Approved: the staged outputs are published.');
  assert.match(after, `approved</span> by Dana Reyes`);
  const approveRun = await (await fetch(`${c.console.url}/d/1/runs/${record.decision!.run}`)).text();
  assert.match(approveRun, '<td>published</td>');
  const audit = await (await fetch(`${c.console.url}/audit`)).text();
  assert.match(audit, `<td><a href="/d/1/runs/${c.held.id}">${c.held.id}</a></td><td><span class="status status-approved">approved</span></td><td>Dana Reyes</td>`);
  // A second approve: refused, with why.
  const again = await post(`/d/1/runs/${c.held.id}/approve`, { csrf }, { cookie: session.cookie });
  assert.is(again.status, 409);
  assert.match(await again.text(), `Approve refused: run ${c.held.id} is approved (approved by Dana Reyes`);
});

test('run now starts a run of the spec through the scheduler, recorded as manual with who asked, in the history and the audit', async () => {
  const session = await signIn(c.console.url, ADMIN_TOKEN, 'Lee Park');
  const csrf = await session.csrf('/d/1/specs/roster');
  const ended = c.next('run-end');
  const r = await post('/d/1/specs/roster/run', { csrf }, { cookie: session.cookie });
  assert.is(r.status, 303);
  const e = await ended;
  assert.is(e.type === 'run-end' && e.record.trigger, 'manual');
  const run = (await c.store.get(e.type === 'run-end' ? e.record.id : ''))!;
  assert.is(run.trigger, 'manual');
  assert.is(run.requestedBy, 'Lee Park', 'the run itself says who asked');
  const runPage = await (await fetch(`${c.console.url}/d/1/runs/${run.id}`)).text();
  assert.match(runPage, '<dt>Trigger</dt><dd>run now</dd>');
  assert.match(runPage, '<dt>Asked by</dt><dd>Lee Park</dd>');
  assert.match(await (await fetch(`${c.console.url}/d/1`)).text(), '<td>run now <span class="muted">by Lee Park</span></td>');
  assert.ok(c.audit.some((a) => a.action === 'run-now' && a.by === 'Lee Park' && a.spec === 'roster' && a.outcome === 'started'));
  const audit = await (await fetch(`${c.console.url}/audit`)).text();
  assert.match(audit, '<td>run-now</td><td>Lee Park</td>');
  const unknown = await post('/d/1/specs/nope/run', { csrf }, { cookie: session.cookie });
  assert.is(unknown.status, 409);
  assert.match(await unknown.text(), 'nope is not a spec of this project');
});

test('a bearer token may discard (scripts), named by X-Sisflow-By', async () => {
  // Hold the spec again: one school after five published.
  const { compileSpecFile, openProject, runRecorded } = await import('@sisflow/service');
  const { defaultRegistry, environmentSecrets } = await import('@sisflow/connectors');
  const registry = defaultRegistry();
  const file = join(c.dir, 'specs', 'patrons.yaml');
  const plan = compileSpecFile(file, openProject(c.dir, registry).project, { registry, params: { schools: '992' } }).plan!;
  const held = (await runRecorded({ plan, file, store: c.store, trigger: 'manual', run: { registry, baseDir: join(c.dir, 'specs'), secrets: environmentSecrets(c.env) } })).record!;
  assert.is(held.status, 'held');
  const before = sha(join(c.dir, 'specs', 'out', 'patrons.csv'));
  const r = await post(`/d/1/runs/${held.id}/discard`, {}, { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-sisflow-by': 'nightly-script' });
  assert.is(r.status, 303);
  const record = (await c.store.get(held.id))!;
  assert.is(record.status, 'discarded');
  assert.is(record.decision!.by, 'nightly-script');
  assert.is(sha(join(c.dir, 'specs', 'out', 'patrons.csv')), before, 'nothing published');
  assert.is(heldStage(), undefined);
});

// Last: it locks this address out of signing in.
test('after five wrong tokens from an address, it is refused 429 for a while, the right token included', async () => {
  for (let i = 0; i < 5; i++) assert.is((await post('/login', { by: 'Mallory', token: `guess-${i}` })).status, 401);
  const locked = await post('/login', { by: 'Mallory', token: ADMIN_TOKEN });
  assert.is(locked.status, 429);
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  assert.equal(locked.headers.getSetCookie(), []);
  assert.is((await post(`/d/1/specs/roster/run`, {}, { authorization: `Bearer ${ADMIN_TOKEN}` })).status, 403, 'the bearer token too');
  assert.ok(c.audit.some((e) => e.action === 'login-refused' && e.outcome.startsWith('too many wrong tokens')));
});

test.run();
