// The console's pages over a history of real runs: what ran, failed and is held, every report
// figure, names printed as text, and no secret on any page.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_TOKEN, DISTRICT, SIS_PASSWORD } from './seeded-district.js';
import { servedConsole, signIn, type ServedConsole } from './console-server.js';

let c: ServedConsole;
const get = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${c.console.url}${path}`, { headers });
  return { status: r.status, text: await r.text(), headers: r.headers };
};

test.before(async () => {
  c = await servedConsole();
});
test.after(async () => {
  await c.stop();
});

test('the overview shows the district, its integrations with schedules and next runs, and the failed and held runs of the night', async () => {
  const r = await get('/');
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type')!, 'text/html');
  assert.match(r.text, '<html lang="en">');
  assert.match(r.text, '<main id="main">');
  assert.match(r.text, '<nav aria-label="Main">');
  assert.match(r.text, 'Test &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Unified', 'the district name is text');
  assert.not.match(r.text, '<script', 'no script anywhere: the name is escaped and the console needs none');
  assert.match(r.text, 'Last 24 hours: 3 run(s), 1 failed; 1 held for approval.');
  assert.match(r.text, '30 5 * * 1-5 (America/Los_Angeles)');
  assert.match(r.text, '0 4 * * 1-5 (America/Los_Angeles)');
  assert.match(r.text, `href="/d/1/runs/${c.failed.id}"`);
  assert.match(r.text, `href="/d/1/runs/${c.held.id}"`);
  assert.match(r.text, 'cannot connect to SQL Server 127.0.0.1:1');
  assert.match(r.text, '1542 row(s) removed, more than max_removed 10% of the 1925 published last time');
  assert.match(r.text, '<span class="status status-held">held</span>');
  assert.match(r.text, '<span class="status status-failed">failed</span>');
  assert.match(r.text, /<svg class="spark" role="img" aria-label="Duration of the last 2 runs/);
});

test('a run page has the report: counts per source, step and output, files with their sha256, warnings and rejects', async () => {
  const r = await get(`/d/1/runs/${c.ok.id}`);
  assert.is(r.status, 200);
  const report = c.ok.report!;
  assert.match(r.text, `<th scope="row">students</th><td class="num">${report.sources.students!.rows.toLocaleString('en-US')}</td>`);
  assert.match(r.text, `<th scope="row">patrons</th><td class="num">${report.steps.patrons!.in.toLocaleString('en-US')}</td>`);
  assert.match(r.text, `<th scope="row">patrons_csv</th><td class="num">1,925</td><td>published</td>`);
  const sha = createHash('sha256').update(readFileSync(join(c.dir, 'specs', 'out', 'patrons.csv'))).digest('hex');
  assert.match(r.text, `<code>${sha}</code>`, 'the sha256 of the file on disk');
  assert.match(r.text, '<h2>Warnings</h2>');
  assert.match(r.text, '<h2>Rejects</h2>');
  assert.match(r.text, '<caption>Files written</caption>');
  const failed = await get(`/d/1/runs/${c.failed.id}`);
  assert.match(failed.text, /<pre class="error">connection \w+ \(used by source students\): cannot connect to SQL Server 127\.0\.0\.1:1/);
});

test('a held run shows what the guard saw, with sample rows, and no approve button without signing in', async () => {
  const r = await get(`/d/1/runs/${c.held.id}`);
  assert.match(r.text, '<h2>What the guard saw</h2>');
  assert.match(r.text, '<th scope="row">patrons_csv</th><td class="num">383</td><td class="num">1,925</td><td class="num">1,542</td><td class="num">0</td><td class="num">0</td>');
  assert.match(r.text, '<caption>patrons_csv: sample of removed rows</caption>');
  const removed = c.held.guard!.outputs[0]!.sample.removed[0]!;
  assert.match(r.text, `<td>${String(removed['Last Name'])}</td>`);
  assert.match(r.text, 'staged, held for approval');
  assert.not.match(r.text, '/approve"', 'no approve form');
  assert.match(r.text, 'Sign in</a> to approve or discard it.');
  const held = await get('/held');
  assert.match(held.text, '1 run(s) held for approval.');
  assert.match(held.text, `href="/d/1/runs/${c.held.id}"`);
});

test('no page shows a secret value: every page reachable from the overview, signed in or not', async () => {
  const session = await signIn(c.console.url, ADMIN_TOKEN);
  const seen = new Set<string>();
  const queue = ['/', '/held', '/audit', '/login', '/metrics', '/healthz', '/readyz'];
  for (let path = queue.shift(); path; path = queue.shift()) {
    if (seen.has(path)) continue;
    seen.add(path);
    for (const headers of [{}, { cookie: session.cookie }]) {
      const r = await get(path, headers);
      assert.is(r.status, 200, path);
      for (const secret of [ADMIN_TOKEN, SIS_PASSWORD]) assert.not.ok(r.text.includes(secret), `${path} shows a secret`);
      for (const m of r.text.matchAll(/href="(\/[^"#?]*)"/g)) if (!seen.has(m[1]!)) queue.push(m[1]!);
    }
  }
  assert.ok(seen.size >= 10, `crawled ${[...seen].join(' ')}`);
  assert.ok(seen.has(`/d/1/runs/${c.held.id}`) && seen.has('/d/1/specs/destiny-patrons'));
});

test('unknown districts, specs, runs and pages are a 404 page, not an error', async () => {
  for (const path of ['/d/9', '/d/1/specs/nope', '/d/1/runs/nope', '/d/x/runs/1', '/nowhere']) {
    const r = await get(path);
    assert.is(r.status, 404, path);
    assert.match(r.text, '<main id="main">');
  }
});

test('several districts: each has its section and its own pages', async () => {
  const { createConsoleApp } = await import('@sisflow/console');
  const { defaultRegistry, environmentSecrets } = await import('@sisflow/connectors');
  const { app } = createConsoleApp({ districts: [{ name: 'North USD', dir: c.dir, store: c.store }, { name: 'South USD', dir: c.dir, store: c.store }], registry: defaultRegistry(), secrets: environmentSecrets(c.env) });
  const overview = await (await app.request('/')).text();
  assert.match(overview, '<h1>Districts</h1>');
  assert.match(overview, '<h2><a href="/d/1">North USD</a></h2>');
  assert.match(overview, '<h2><a href="/d/2">South USD</a></h2>');
  assert.match(overview, '<h3>Integrations</h3>');
  assert.match(overview, `href="/d/2/runs/${c.held.id}"`);
  const south = await (await app.request('/d/2')).text();
  assert.match(south, '<h1>South USD</h1>');
  assert.match(south, '<h2>Integrations</h2>');
  assert.is((await app.request('/d/3')).status, 404);
  assert.match(await (await app.request(`/d/2/runs/${c.held.id}`)).text(), '<h2>What the guard saw</h2>');
});

test('healthz answers while the process is up; readyz while the history answers', async () => {
  assert.equal([(await get('/healthz')).status, (await get('/readyz')).text], [200, 'ready\n']);
  const { createConsoleApp } = await import('@sisflow/console');
  const { defaultRegistry, environmentSecrets } = await import('@sisflow/connectors');
  const { openHistory } = await import('@sisflow/service');
  const closed = openHistory(c.dir);
  await closed.close();
  const errors: Error[] = [];
  const { app } = createConsoleApp({ districts: [{ name: 'Gone', dir: c.dir, store: closed }], registry: defaultRegistry(), secrets: environmentSecrets(c.env), onError: (e) => void errors.push(e) });
  assert.is((await app.request('/healthz')).status, 200);
  const ready = await app.request('/readyz');
  assert.is(ready.status, 503);
  assert.is(await ready.text(), 'the run history does not answer\n');
  const page = await app.request('/');
  assert.is(page.status, 500);
  assert.match(await page.text(), 'The console could not answer this page; the service log says why.');
  assert.is(errors.length, 1, 'told to the service log');
});

test.run();
