// OneRoster gradebook against the local provider (oneroster/provider.ts) holding the demo
// district's rosters: grade pass-back (examples/oneroster/grade-passback.yaml) PUTs categories,
// line items and results by sourcedId, in that order; refusals come back as rejects with the
// provider's status and message; classes at schools without a master schedule are never sent;
// running again replaces instead of duplicating; retried requests (429 with Retry-After, an
// answer lost after the write) make no duplicate; a dry run and a run that fails before
// publishing send nothing; the source reads the gradebook back with the gradebook scope.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkPlanAccess, compile } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { readBundle } from '@sisflow/connectors/oneroster';
import { bundleAsJson, OneRosterProvider, type Record_ } from './oneroster/provider.js';
import { runSpec, tempDir } from './sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXPORT = readFileSync(join(ROOT, 'examples/oneroster/csv-export.yaml'), 'utf8');
const PASSBACK = readFileSync(join(ROOT, 'examples/oneroster/grade-passback.yaml'), 'utf8');
const CLIENT = { clientId: 'lms-client', clientSecret: 'gradebook-s3cret' };
const SECRETS = { oneroster_client_id: CLIENT.clientId, oneroster_client_secret: CLIENT.clientSecret };
const V1P1 = '/ims/oneroster/v1p1';

let provider: OneRosterProvider;
let readOnly: OneRosterProvider;
let rosters: Map<string, Record_[]>;

const fresh = () => new Map([...rosters].map(([k, v]) => [k, [...v]]));

/** A provider with the demo district's rosters and an empty gradebook. */
async function startProvider(options: { readOnly?: boolean; scopes?: string[] } = {}): Promise<OneRosterProvider> {
  const p = new OneRosterProvider(fresh(), { ...CLIENT, ...options });
  await p.start(await tempDir('sisflow-gradebook-provider-'));
  return p;
}

test.before(async () => {
  const dir = await tempDir('sisflow-gradebook-');
  const exported = await runSpec(EXPORT, {}, { baseDir: dir });
  assert.ok(exported.report.ok, exported.report.error);
  rosters = bundleAsJson(readBundle(join(dir, 'out/oneroster.zip')), `https://127.0.0.1${V1P1}`);
  for (const c of ['categories', 'lineItems', 'results']) rosters.set(c, []);
  provider = await startProvider();
  readOnly = await startProvider({ readOnly: true });
});

test.after(async () => {
  await provider.stop();
  await readOnly.stop();
});

const spec = (p: OneRosterProvider, text = PASSBACK) =>
  text.replace('base_url: ${env:ONEROSTER_URL}\n    token_url: ${env:ONEROSTER_TOKEN_URL}', `base_url: ${p.baseUrl}\n    token_url: ${p.tokenUrl}\n    ca: ${JSON.stringify(p.ca)}\n    retry_delay_seconds: 0.01`);

async function passback(p: OneRosterProvider, options: { text?: string; dryRun?: boolean; now?: Date } = {}) {
  const dir = await tempDir('sisflow-gradebook-run-');
  cpSync(join(ROOT, 'examples/oneroster/sample'), join(dir, 'sample'), { recursive: true });
  const run = await runSpec(spec(p, options.text), { ...SECRETS, provider_ca: p.ca }, { baseDir: dir, ...(options.dryRun ? { dryRun: true } : {}), ...(options.now ? { now: options.now } : {}) });
  return { ...run, dir };
}

const collection = (p: OneRosterProvider, name: string) => (p as unknown as { collections: Map<string, Record_[]> }).collections.get(name) ?? [];
const puts = (p: OneRosterProvider) => p.requests.filter((r) => r.startsWith('PUT '));

test('grade pass-back: categories, then line items, then results, each PUT by sourcedId; refusals are rejects with the reason', async () => {
  provider.requests.length = 0;
  const { report, dir } = await passback(provider);
  assert.ok(report.ok, report.error);
  assert.equal(collection(provider, 'categories').map((c) => c.sourcedId), ['lms-cat-essays', 'lms-cat-quizzes', 'lms-cat-homework']);
  // The elementary class (org-991 has no master schedule) is refused before anything is sent.
  assert.equal(collection(provider, 'lineItems').map((c) => c.sourcedId), ['lms-A-1001', 'lms-A-1002']);
  const results = collection(provider, 'results');
  assert.is(results.length, 7);
  assert.equal(results[0], {
    sourcedId: 'lms-A-1001-stu-101280',
    status: 'active',
    dateLastModified: report.startedAt,
    lineItem: { href: `${provider.baseUrl}/lineItems/lms-A-1001`, sourcedId: 'lms-A-1001', type: 'lineItem' },
    student: { href: `${provider.baseUrl}/students/stu-101280`, sourcedId: 'stu-101280', type: 'user' },
    scoreStatus: 'fully graded',
    score: 92,
    scoreDate: '2026-09-18',
    comment: 'Strong thesis',
  });
  assert.equal(collection(provider, 'lineItems')[0], {
    sourcedId: 'lms-A-1001',
    status: 'active',
    dateLastModified: report.startedAt,
    title: 'Essay: Causes of the First World War',
    assignDate: '2026-09-01T08:00:00',
    dueDate: '2026-09-15T23:59:00',
    class: { href: `${provider.baseUrl}/classes/cls-994-5`, sourcedId: 'cls-994-5', type: 'class' },
    category: { href: `${provider.baseUrl}/categories/lms-cat-essays`, sourcedId: 'lms-cat-essays', type: 'category' },
    gradingPeriod: { href: `${provider.baseUrl}/academicSessions/term-994-Y`, sourcedId: 'term-994-Y', type: 'academicSession' },
    resultValueMin: 0,
    resultValueMax: 100,
  });
  // Order: every category before any line item, every line item before any result.
  const order = puts(provider).map((r) => r.split('/')[4]);
  assert.equal([...new Set(order)], ['categories', 'lineItems', 'results']);
  assert.equal(report.outputs.results!.changes, { results: { inserted: 7, updated: 0, deleted: 0 } });
  assert.equal(report.outputs.line_items!.changes, { lineItems: { inserted: 2, updated: 0, deleted: 0 } });
  const rejects = parse(readFileSync(join(dir, 'out/grade-passback.rejects.csv')), { columns: true, bom: true }) as Record<string, string>[];
  assert.equal(
    rejects.map((r) => [r.step, r.kind, r.reason]),
    [
      ['line_items', 'refused', 'lineItem lms-A-2001: class cls-991-24 is at school org-991, which has no master schedule; the provider takes no grades for it'],
      ['results', 'refused', "result: scoreStatus is 'late', not one of exempt, fully graded, not submitted, partially graded, submitted"],
      ['results', 'refused', 'result lms-A-2001-stu-100038: class cls-991-24 is at school org-991, which has no master schedule; the provider takes no grades for it'],
      ['results', 'refused', 'result lms-A-2001-stu-100039: class cls-991-24 is at school org-991, which has no master schedule; the provider takes no grades for it'],
      ['results', 'refused', 'the provider refused result lms-A-1002-stu-999999: 422 student stu-999999 does not exist'],
    ],
  );
  // The class's school was asked once per class, not once per record.
  assert.is(provider.requests.filter((r) => r.startsWith(`GET ${V1P1}/classes/cls-991-24`)).length, 2);
  assert.not.match(JSON.stringify(report), CLIENT.clientSecret);
});

test('running again replaces every record (200), creates none, duplicates none', async () => {
  const before = collection(provider, 'results').length;
  const { report } = await passback(provider);
  assert.ok(report.ok, report.error);
  assert.equal(report.outputs.results!.changes, { results: { inserted: 0, updated: 7, deleted: 0 } });
  assert.is(collection(provider, 'results').length, before);
  assert.is(provider.puts.get('lms-A-1001-stu-101280'), 2);
});

test('throttling (429, Retry-After) and an answer lost after the write are retried; the retry makes no duplicate', async () => {
  const p = await startProvider();
  try {
    p.faults.throttle.add(`${V1P1}/results/lms-A-1001-stu-101283`);
    p.faults.loseAnswer.add(`${V1P1}/results/lms-A-1002-stu-101214`);
    p.faults.fail.add(`${V1P1}/lineItems/lms-A-1002`);
    const { report } = await passback(p);
    assert.ok(report.ok, report.error);
    assert.equal(report.events, { 'oneroster-api retries': 3 });
    assert.is(collection(p, 'results').length, 7);
    assert.is(new Set(collection(p, 'results').map((r) => r.sourcedId)).size, 7);
    // The lost answer: the write reached the provider twice, and it holds the record once.
    assert.is(p.puts.get('lms-A-1002-stu-101214'), 2);
    assert.equal(report.outputs.results!.changes, { results: { inserted: 6, updated: 1, deleted: 0 } });
  } finally {
    await p.stop();
  }
});

test('a dry run shows what would be sent and sends nothing', async () => {
  const p = await startProvider();
  try {
    const now = new Date('2026-11-29T20:00:00.000Z');
    const { report, logs } = await passback(p, { dryRun: true, now });
    assert.ok(report.ok, report.error);
    assert.equal(puts(p), []);
    assert.is(report.outputs.results!.rows, 7 + 1); // the provider's own refusal cannot be known without sending
    assert.is(report.outputs.results!.committed, false);
    assert.match(report.outputs.results!.files[0]!.path, `${p.baseUrl}/results`);
    assert.ok(logs.some((l) => l.startsWith(`line_items: would PUT ${p.baseUrl}/lineItems/lms-A-1001 {"lineItem":{`)), logs.join('\n'));
    assert.ok(logs.includes(`results: dry run: 8 result(s) would be sent to ${p.baseUrl}/results (nothing sent)`), logs.join('\n'));
    // Same data, same clock: the same requests, to the byte (the fingerprint covers every PUT's address and body).
    const again = await passback(p, { dryRun: true, now });
    assert.is(again.report.outputs.results!.files[0]!.sha256, report.outputs.results!.files[0]!.sha256);
    assert.is(again.report.outputs.results!.files[0]!.bytes, report.outputs.results!.files[0]!.bytes);
  } finally {
    await p.stop();
  }
});

test('a run that fails before publishing sends nothing; a client without the write scope stops the run', async () => {
  const p = await startProvider();
  try {
    const strict = PASSBACK.replace('rejects:\n  to: out', 'rejects:\n  max: 1\n  to: out');
    const { report } = await passback(p, { text: strict });
    assert.not.ok(report.ok);
    assert.match(report.error!, /rejects/);
    assert.equal(puts(p), []);
  } finally {
    await p.stop();
  }
  const { report } = await passback(readOnly);
  assert.not.ok(report.ok);
  assert.match(report.error!, /^connection \w+ \(used by [^)]*\): output \w+ could not be published: the OneRoster provider refused to take categories \(403\); check that the client has the scope `sisflow plan` lists \(gradebook.createput\)/);
  assert.is(collection(readOnly, 'categories').length, 0);
});

test('the gradebook is read back with the gradebook scope: paging, filter, nested references', async () => {
  const reader = `sisflow: 1
name: gradebook-read
connections:
  provider:
    use: oneroster-api
    base_url: \${env:ONEROSTER_URL}
    token_url: \${env:ONEROSTER_TOKEN_URL}
    client_id: \${secret:oneroster_client_id}
    client_secret: \${secret:oneroster_client_secret}
  out: { use: files, dir: out }
sources:
  results:
    from: provider
    endpoint: results
    filter: "scoreStatus='fully graded'"
    sort: sourcedId
    page_size: 2
    columns:
      sourcedId: string
      lineItemSourcedId: { path: lineItem.sourcedId, type: string }
      studentSourcedId: { path: student.sourcedId, type: string }
      score: decimal
      scoreDate: date
  line_items:
    from: provider
    endpoint: lineItems
    columns: { sourcedId: string, title: string, classSourcedId: { path: class.sourcedId, type: string }, resultValueMax: decimal }
  categories:
    from: provider
    endpoint: categories
    columns: { sourcedId: string, title: string }
outputs:
  results: { from: results, to: out, path: results.csv }
  line_items: { from: line_items, to: out, path: line-items.csv }
  categories: { from: categories, to: out, path: categories.csv }
`;
  const r = compile(spec(provider, reader), 'read.yaml', { registry: defaultRegistry(), today: '2026-11-23' });
  assert.equal(r.plan!.needs.provider, { permissions: ['OAuth scope https://purl.imsglobal.org/spec/or/v1p1/scope/gradebook.readonly'] });
  provider.requests.length = 0;
  const dir = await tempDir('sisflow-gradebook-read-');
  const { report } = await runSpec(spec(provider, reader), { ...SECRETS, provider_ca: provider.ca }, { baseDir: dir });
  assert.ok(report.ok, report.error);
  const results = readFileSync(join(dir, 'out/results.csv'), 'utf8').trimEnd().split(/\r?\n/);
  assert.is(results[0], 'sourcedId,lineItemSourcedId,studentSourcedId,score,scoreDate');
  assert.is(results.length, 1 + 5); // seven sent: one not submitted, one exempt
  assert.is(results[1], 'lms-A-1001-stu-101280,lms-A-1001,stu-101280,92,2026-09-18');
  assert.is(provider.requests.filter((q) => q.startsWith(`GET ${V1P1}/results`)).length, 3);
  assert.match(readFileSync(join(dir, 'out/line-items.csv'), 'utf8'), 'lms-A-1002,Quiz 1: Linear Functions,cls-994-12,10');
});

test('plan lists the gradebook scopes; columns that cannot make the records are diagnosed at their place', () => {
  const registry = defaultRegistry();
  const plan = compile(PASSBACK, 'grade-passback.yaml', { registry, today: '2026-11-23' }).plan!;
  assert.equal(plan.needs.provider, {
    permissions: ['OAuth scope https://purl.imsglobal.org/spec/or/v1p1/scope/gradebook.createput', 'OAuth scope https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly'],
  });
  const codes = (text: string) => compile(text, 'g.yaml', { registry, today: '2026-11-23' }).diagnostics.map((d) => `${d.code} ${d.message}`);
  assert.equal(codes(PASSBACK.replace('      scoreDate: graded_on\n', '')), ['SF460 a OneRoster result needs the column scoreDate']);
  assert.equal(codes(PASSBACK.replace('      score: coalesce(score, 0.0)', `      score: "'high'"`)), ['SF461 score of a OneRoster result must be int or decimal, not string']);
  assert.equal(codes(PASSBACK.replace('      title: category\n', '      title: category\n      points: "1"\n')), ['SF208 a OneRoster category has no field for the column `points`']);
  assert.equal(codes(PASSBACK.replace('      classSourcedId: section_id   # checked', '      # checked')), ['SF460 the connection names schools without a master schedule, so each result needs the column classSourcedId (its class, checked, not sent)']);
});

test('access check: the pass-back client is asked for each scope it needs; a write scope is judged from the token answer', async () => {
  const check = async (p: OneRosterProvider) => {
    const plan = compile(spec(p), 'grade-passback.yaml', { registry: defaultRegistry(), today: '2026-11-23' }).plan!;
    const report = await checkPlanAccess(plan, { registry: defaultRegistry(), only: new Set(['oneroster-api']), secrets: { env: () => undefined, secret: (n) => ({ ...SECRETS, provider_ca: p.ca })[n as keyof typeof SECRETS] } });
    const provider = report.connections.find((c) => c.connection === 'provider')!;
    return { report, probes: provider.probes.map((x) => `${x.needed ? 'needed' : 'extra'} ${x.area.replace(/^OAuth scope https:\/\/purl.imsglobal.org\/spec\/or\/v1p1\/scope\//, '')} ${x.status} ${x.request}`), error: provider.error };
  };
  const exact = await startProvider({ scopes: ['gradebook.createput', 'roster-core.readonly'] });
  const wide = await startProvider({ scopes: ['gradebook.createput', 'roster-core.readonly', 'roster-demographics.readonly'] });
  const noWrite = await startProvider({ scopes: ['roster-core.readonly', 'gradebook.readonly'] });
  try {
    const a = await check(exact);
    assert.is(a.report.ok, true);
    assert.equal(a.probes, [
      'needed gradebook.createput granted PUT /categories/{sourcedId} (not sent)',
      `needed roster-core.readonly granted GET ${V1P1}/classes`,
      `extra roster-demographics.readonly refused GET ${V1P1}/demographics`,
      `extra gradebook.readonly refused GET ${V1P1}/results`,
    ]);
    assert.equal(puts(exact), [], 'nothing written');
    const b = await check(wide);
    assert.is(b.report.ok, true);
    assert.match(b.probes[2]!, 'extra roster-demographics.readonly granted');
    const c = await check(noWrite);
    assert.is(c.report.ok, false);
    assert.match(c.probes[0]!, 'needed gradebook.createput refused');
    assert.match(c.probes[3]!, 'extra gradebook.readonly granted');
    // A provider that does not list scopes: the write cannot be known without writing.
    const d = await check(provider);
    assert.is(d.report.ok, true);
    assert.match(d.probes[0]!, 'needed gradebook.createput unknown');
    // A client the token endpoint refuses: the connection's error, the secret never in it.
    const wrong = compile(spec(exact), 'g.yaml', { registry: defaultRegistry(), today: '2026-11-23' }).plan!;
    const refused = await checkPlanAccess(wrong, { registry: defaultRegistry(), secrets: { env: () => undefined, secret: (n) => ({ oneroster_client_id: 'lms-client', oneroster_client_secret: 'wrong-secret-value', provider_ca: exact.ca })[n as 'provider_ca'] } });
    assert.is(refused.ok, false);
    assert.match(refused.connections.find((x) => x.connection === 'provider')!.error!, /refused the client ID and secret/);
    assert.not.match(JSON.stringify(refused), 'wrong-secret-value');
  } finally {
    await exact.stop();
    await wide.stop();
    await noWrite.stop();
  }
});

test.run();
