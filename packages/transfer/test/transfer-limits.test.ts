// Rate limits per district: past the limit a district's messages are refused (429) and nothing is
// queued, until its minute has passed. The service's clock is the test's, moved on by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpsRequest, privateKey, seal, SIGNING_ALG } from '@sisflow/connectors/records-transfer';
import { twoDistricts, type World } from './two-districts.js';

let w: World;
let now = Date.now();

test.before(async () => {
  w = await twoDistricts({ limits: { per_district_per_minute: 3 }, clock: () => new Date(now) });
});
test.after(async () => w.close());

async function request() {
  const k = await privateKey(readFileSync(join(w.b.secretsDir, 'transfer_signing_key'), 'utf8'), 'key', SIGNING_ALG);
  const body = { request_id: crypto.randomUUID(), reply_to: w.b.entry.url, student: { ssid: null, last_name: 'Nobody', first_name: 'Here', birth_date: '2012-01-01' } };
  const env = await seal('request', body, { code: w.b.code, signingKey: k.key, signingKid: k.thumbprint }, w.a.entry, new Date(now));
  return httpsRequest(`${w.a.service.url}/v1/requests`, { method: 'POST', body: env, ca: w.ca, timeoutMs: 30_000, signal: new AbortController().signal });
}

test('a district past its messages per minute is refused until the minute has passed', async () => {
  for (let i = 0; i < 3; i++) assert.is((await request()).status, 202);
  const refused = await request();
  assert.is(refused.status, 429);
  assert.is(refused.headers['retry-after'], '60');
  assert.is(w.a.district.store.listIncoming().length, 3);
  now += 61_000;
  assert.is((await request()).status, 202);
  assert.is(w.a.district.store.listIncoming().length, 4);
  // An unmatched student is queued for a person, not guessed.
  assert.ok(w.a.district.store.listIncoming().every((r) => r.match_kind === 'none' && r.match_id === null));
});

test.run();
