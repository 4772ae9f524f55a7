// Alerts through a project's notify: a webhook received by a local HTTPS server (JSON, Teams,
// Slack bodies); the zero-row alert; the webhook URL, a secret, never shown anywhere.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/src/cli.js';
import { historyPath } from '@sisflow/service';
import { capture, makeProject, projectFile } from './helpers.js';
import { WebhookReceiver } from './webhook-receiver.js';

const TOKEN = 'T0KEN-8c1f2e9d7a';
const hook = new WebhookReceiver();
let base = '';

test.before(async () => {
  base = await hook.listen();
  process.env.TEST_HOOK_URL = `${base}/hooks/${TOKEN}`;
  process.env.TEST_HOOK_CA = hook.ca;
});
test.after(() => hook.close());

const NOTIFY = (format: string, on = '') => `  hook: { use: webhook, url: "\${env:TEST_HOOK_URL}", ca: "\${env:TEST_HOOK_CA}", format: ${format} }
notify:
  ops: { to: hook${on} }
`;

test('a source that reads 0 rows where the last good run read some raises zero_rows (and the guard holds the file)', async () => {
  const dir = makeProject(100, { project: projectFile(NOTIFY('json', ', on: [zero_rows, held]')) });
  const c = capture();
  assert.is(await main(['run', dir], c.out), 0, c.errors());
  writeFileSync(join(dir, 'in', 'students.csv'), 'ID,LN\n');
  c.clear();
  assert.is(await main(['run', dir], c.out), 3, c.errors());
  const got = [await hook.next(), await hook.next()].map((g) => g.body).sort((a, b) => String(a.kind).localeCompare(String(b.kind)));
  assert.equal(got.map((b) => b.kind), ['held', 'zero_rows']);
  const zero = got[1]!;
  assert.is(zero.spec, 'roster');
  assert.equal(zero.details, { source: 'students', rows: 0, previous: 100 });
  assert.match(String(zero.text), 'the last successful run read 100');
  assert.match(String(got[0]!.text), '0 row(s), fewer than min_rows 1');
  assert.match(String(got[0]!.text), 'removed: {"ID":1,"LN":"Name1"}');
  assert.is(hook.bodies.length, 0, 'only the alerts asked for');
  // The URL carries the channel's token: it is in no output and not in the history.
  assert.not.match(c.text() + c.errors(), TOKEN);
  assert.not.ok(readFileSync(historyPath(dir)).includes(TOKEN));
});

test('Teams and Slack bodies; a failed run alerts', async () => {
  for (const format of ['teams', 'slack']) {
    const dir = makeProject(10, { project: projectFile(NOTIFY(format, ', on: [failed]')) });
    writeFileSync(join(dir, 'in', 'students.csv'), 'ID\n1\n'); // the LN column is missing: the run fails
    const c = capture();
    assert.is(await main(['run', dir], c.out), 1);
    const { path, body } = await hook.next();
    assert.is(path, `/hooks/${TOKEN}`);
    if (format === 'teams') {
      const card = (body.attachments as { contentType: string; content: { type: string; body: { text: string }[] } }[])[0]!;
      assert.is(card.contentType, 'application/vnd.microsoft.card.adaptive');
      assert.is(card.content.type, 'AdaptiveCard');
      assert.match(card.content.body[0]!.text, /^roster failed \(run /);
    } else {
      assert.match(String(body.text), /^\*roster failed \(run /);
    }
  }
});

test('a webhook URL written in clear text, or over plain HTTP, is refused at validate', async () => {
  const clear = makeProject(1, { project: projectFile('  hook: { use: webhook, url: "https://example.org/hooks/abc" }\n') });
  const c = capture();
  assert.is(await main(['validate', clear], c.out), 1);
  assert.match(c.errors(), 'SF407');
  const http = makeProject(1, { project: projectFile('  hook: { use: webhook, url: "http://example.org/x" }\n') });
  c.clear();
  assert.is(await main(['validate', http], c.out), 1);
  assert.match(c.errors(), 'SF405');
});

test.run();
