// Sessions that survive a restart: the session cookie is signed (HMAC under a key derived from the
// admin token) and expiring, so a restarted console — or a second one behind the same address —
// accepts it, with its CSRF token; a forged, altered or expired cookie, or any after the token was
// rotated, is refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultRegistry, environmentSecrets } from '@sisflow/connectors';
import { startConsole, type RunningConsole } from '@sisflow/console';
import { ADMIN_TOKEN, seededDistrict, type Seeded } from './seeded-district.js';
import { signIn } from './console-server.js';

let s: Seeded;
const open: RunningConsole[] = [];

test.before(async () => {
  s = await seededDistrict();
});
test.after.each(async () => {
  for (const c of open.splice(0)) await c.close();
  writeFileSync(join(s.secretsDir, 'console_admin_token'), `${ADMIN_TOKEN}\n`);
});
test.after(async () => {
  await s.store.close();
});

/** A console over the seeded district: a new server, as after a restart (nothing shared but the secrets and the history). */
async function consoleAt(now?: () => Date): Promise<string> {
  const c = await startConsole({ districts: [{ name: 'Sessions Unified', dir: s.dir, store: s.store }], registry: defaultRegistry(), secrets: environmentSecrets(s.env), address: { host: '127.0.0.1', port: 0 }, ...(now ? { now } : {}) });
  open.push(c);
  return c.url;
}

const signedIn = async (url: string, cookie: string) => /Signed in as ([^<]+)</.exec(await (await fetch(`${url}/`, { headers: { cookie } })).text())?.[1];
const logout = (url: string, cookie: string, csrf: string) => fetch(`${url}/logout`, { method: 'POST', body: new URLSearchParams({ csrf }), headers: { cookie }, redirect: 'manual' });
const csrfOf = async (url: string, cookie: string) => /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${url}/`, { headers: { cookie } })).text())?.[1];

test('a session opened before a restart is still signed in after it, and its CSRF token still passes', async () => {
  const first = await consoleAt();
  const session = await signIn(first, ADMIN_TOKEN, 'Dana Reyes');
  const csrf = (await csrfOf(first, session.cookie))!;
  await open.shift()!.close();
  const restarted = await consoleAt();
  assert.is(await signedIn(restarted, session.cookie), 'Dana Reyes');
  assert.is(await csrfOf(restarted, session.cookie), csrf, 'the CSRF token is the session\u2019s, not the process\u2019s');
  assert.is((await logout(restarted, session.cookie, csrf)).status, 303);
});

test('two consoles behind one address agree: a session opened on one is signed in on the other', async () => {
  const a = await consoleAt();
  const b = await consoleAt();
  const session = await signIn(a, ADMIN_TOKEN, 'Lee Park');
  assert.is(await signedIn(b, session.cookie), 'Lee Park');
  const csrf = (await csrfOf(a, session.cookie))!;
  assert.is((await logout(b, session.cookie, csrf)).status, 303);
  assert.is(await signedIn(b, session.cookie), undefined, 'signed out where it was signed out');
});

test('a forged, altered or truncated cookie is refused: read-only, and a POST with it is 403', async () => {
  const url = await consoleAt();
  const session = await signIn(url, ADMIN_TOKEN, 'Dana Reyes');
  const csrf = (await csrfOf(url, session.cookie))!;
  const value = session.cookie.slice(session.cookie.indexOf('=') + 1);
  const [v, body, mac] = value.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { by: string; exp: number; sid: string };
  const cookie = (x: string) => `sisflow_console=${x}`;
  const reSigned = (p: object) => cookie(`${v}.${Buffer.from(JSON.stringify(p)).toString('base64url')}.${mac}`);
  const bad = {
    random: cookie('v1.eyJieSI6Im1hbGxvcnkifQ.AAAA'),
    'another name': reSigned({ ...payload, by: 'Mallory' }),
    'a later expiry': reSigned({ ...payload, exp: payload.exp + 86_400_000 }),
    'no mac': cookie(`${v}.${body}`),
    'a session id alone': cookie(payload.sid),
    'another version': cookie(`v2.${body}.${mac}`),
  };
  for (const [what, c] of Object.entries(bad)) {
    assert.is(await signedIn(url, c), undefined, what);
    assert.is((await logout(url, c, csrf)).status, 403, what);
  }
  assert.is(await signedIn(url, session.cookie), 'Dana Reyes', 'the real one still is');
});

test('an expired session is refused; rotating the admin token revokes every session at once', async () => {
  let at = Date.now();
  const url = await consoleAt(() => new Date(at));
  const session = await signIn(url, ADMIN_TOKEN, 'Dana Reyes');
  assert.is(await signedIn(url, session.cookie), 'Dana Reyes');
  at += 12 * 3600_000 + 1000;
  assert.is(await signedIn(url, session.cookie), undefined, 'expired after 12 hours');
  at = Date.now();
  const again = await signIn(url, ADMIN_TOKEN, 'Dana Reyes');
  const csrf = (await csrfOf(url, again.cookie))!;
  writeFileSync(join(s.secretsDir, 'console_admin_token'), 'a-new-admin-token-Zr51\n');
  assert.is(await signedIn(url, again.cookie), undefined, 'signed under the old token');
  assert.is((await logout(url, again.cookie, csrf)).status, 403);
  assert.is(await signedIn(url, (await signIn(url, 'a-new-admin-token-Zr51', 'Dana Reyes')).cookie), 'Dana Reyes', 'the new token opens sessions');
});

test('the cookie holds no secret: not the admin token, and it is HttpOnly, SameSite=Strict, for 12 hours', async () => {
  const url = await consoleAt();
  const r = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ by: 'Dana Reyes', token: ADMIN_TOKEN, next: '/' }), redirect: 'manual' });
  const set = r.headers.getSetCookie()[0]!;
  assert.match(set, /HttpOnly/i);
  assert.match(set, /SameSite=Strict/i);
  assert.match(set, /Max-Age=43200/);
  const value = decodeURIComponent(set.split(';')[0]!.split('=')[1]!);
  const decoded = value.split('.').map((p) => Buffer.from(p, 'base64url').toString('latin1')).join(' ');
  assert.not.ok(value.includes(ADMIN_TOKEN) || decoded.includes(ADMIN_TOKEN));
});

test.run();
