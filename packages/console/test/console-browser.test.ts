// The console in a real browser (Debian's Chromium): the overnight page shows the failed and the
// held run; signed out there is no approve button and a forged form post is refused; signed in,
// approving through the page publishes the staged file and the page then says so.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { servedConsole, signIn, type ServedConsole } from './console-server.js';
import { ADMIN_TOKEN } from './seeded-district.js';

let c: ServedConsole;
let browser: Browser | undefined;
let evil: Server;
let evilUrl: string;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const out = () => join(c.dir, 'specs', 'out');

test.before(async () => {
  browser = await launchChromium();
  c = await servedConsole();
  // Another site's page with a form that posts to the console (what a CSRF attack sends).
  evil = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<!doctype html><html lang="en"><title>Prize</title><form method="post" action="${c.console.url}/d/1/runs/${c.held.id}/approve"><input type="hidden" name="csrf" value="guessed"><button>Claim your prize</button></form></html>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
});
test.after(async () => {
  await browser?.close();
  evil.close();
  await c.stop();
});

async function withPage(f: (page: Page) => Promise<void>): Promise<void> {
  if (!browser) return;
  const context = await browser.newContext();
  try {
    await f(await context.newPage());
  } finally {
    await context.close();
  }
}

test('the overnight page shows the failed run and the held run', () =>
  withPage(async (page) => {
    await page.goto(`${c.console.url}/`);
    const runs = page.getByRole('table', { name: /^Runs of /, exact: false });
    const failed = runs.getByRole('row').filter({ hasText: c.failed.id });
    assert.is(await failed.getByRole('cell').nth(3).innerText(), 'failed');
    assert.match(await failed.innerText(), 'cannot connect to SQL Server');
    const held = runs.getByRole('row').filter({ hasText: c.held.id });
    assert.is(await held.getByRole('cell').nth(3).innerText(), 'held');
    assert.match(await page.getByText('Last 24 hours:').innerText(), '1 failed; 1 held for approval');
    assert.is(await page.title(), `${await page.locator('h1').innerText()} · sisflow`);
    // Keyboard: the first Tab reaches the skip link, which leads to the main content.
    await page.keyboard.press('Tab');
    assert.is(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  }));

test('signed out, the held run has no approve button; a forged post from another page is refused 403', () =>
  withPage(async (page) => {
    await page.goto(`${c.console.url}/d/1/runs/${c.held.id}`);
    assert.is(await page.getByRole('button', { name: 'Approve and publish' }).count(), 0);
    assert.ok(await page.getByRole('link', { name: 'Sign in' }).first().isVisible());
    // Signed in in this browser, then lured to another page whose form posts to the console.
    await page.goto(`${c.console.url}/login`);
    await page.getByLabel(/Your name/).fill('Dana Reyes');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${c.console.url}/`);
    await page.goto(evilUrl);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/approve')), page.getByRole('button', { name: 'Claim your prize' }).click()]);
    assert.is(response.status(), 403);
    assert.is((await c.store.get(c.held.id))!.status, 'held');
    assert.ok(readdirSync(out()).some((f) => f.startsWith('.sisflow-held-')), 'the stage is untouched');
  }));

test('the main pages have no WCAG 2 A/AA violations that axe-core finds (contrast, labels, landmarks, headers)', async () => {
  if (!browser) return;
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // The console's CSP allows no script; the checker is injected past it, the pages are as served.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const session = await signIn(c.console.url, ADMIN_TOKEN, 'Dana Reyes');
    const [name, value] = session.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: c.console.url }]);
    const page = await context.newPage();
    for (const path of ['/', '/d/1/specs/destiny-patrons', `/d/1/runs/${c.ok.id}`, `/d/1/runs/${c.failed.id}`, `/d/1/runs/${c.held.id}`, '/held', '/audit', '/login', '/nowhere']) {
      await page.goto(`${c.console.url}${path}`);
      await page.evaluate(axe);
      const violations = await page.evaluate(async () => {
        const r = await (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.equal(violations, [], path);
    }
  } finally {
    await context.close();
  }
});

test('signed in, approving the held run through the page publishes the staged file; the page then shows it published', () =>
  withPage(async (page) => {
    const staged = readdirSync(out()).find((f) => f.startsWith('.sisflow-held-'))!;
    const stagedSha = sha(join(out(), staged));
    await page.goto(`${c.console.url}/login?next=${encodeURIComponent(`/d/1/runs/${c.held.id}`)}`);
    await page.getByLabel(/Your name/).fill('Dana Reyes');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${c.console.url}/d/1/runs/${c.held.id}`);
    await page.getByRole('button', { name: 'Approve and publish' }).click();
    await page.waitForURL(/\?done=approved$/);
    assert.is(await page.getByRole('status').innerText(), 'Approved: the staged outputs are published.');
    assert.match(await page.locator('dl').innerText(), 'approved by Dana Reyes');
    assert.is(sha(join(out(), 'patrons.csv')), stagedSha, 'the file on disk is the staged one');
    assert.not.ok(readdirSync(out()).some((f) => f.startsWith('.sisflow-held-')));
    assert.is(await page.getByRole('button', { name: 'Approve and publish' }).count(), 0);
    await page.getByRole('link', { name: /^\d{8}-\d{6}-[0-9a-f]{6}$/ }).first().click(); // the run that published it
    assert.is(await page.getByRole('table', { name: 'Rows written per output' }).getByRole('row').nth(1).getByRole('cell').nth(1).innerText(), 'published');
    await page.goto(`${c.console.url}/`);
    const held = page.getByRole('table', { name: /^Runs of / }).getByRole('row').filter({ hasText: c.held.id });
    assert.is(await held.getByRole('cell').nth(3).innerText(), 'approved');
  }));

test.run();
