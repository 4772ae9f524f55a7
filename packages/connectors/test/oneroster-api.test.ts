// The oneroster-api source against a local HTTPS OneRoster 1.1 provider (oneroster/provider.ts):
// the round trip demo district → CSV bundle → provider JSON → sisflow → CSV bundle gives the
// provider's data back; OAuth 2 tokens fetched once, again when revoked, never shown; paging
// with limit/offset past a provider's page cap; filters; throttling and server errors retried;
// records that do not fit rejected with the reason; a provider that does not page is caught.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { checkBundle, readBundle } from '@sisflow/connectors/oneroster';
import { bundleAsJson, OneRosterProvider } from './oneroster/provider.js';
import { runSpec, tempDir } from './sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXPORT = readFileSync(join(ROOT, 'examples/oneroster/csv-export.yaml'), 'utf8');
const API = readFileSync(join(ROOT, 'examples/oneroster/api-to-csv.yaml'), 'utf8');
const CLIENT = { clientId: 'sisflow-test-client', clientSecret: 's3cr3t:with/odd&chars' };
const SECRETS = { oneroster_client_id: CLIENT.clientId, oneroster_client_secret: CLIENT.clientSecret };

let provider: OneRosterProvider;
let original: Map<string, Uint8Array>;

test.before(async () => {
  const dir = await tempDir('sisflow-oneroster-api-');
  const exported = await runSpec(EXPORT, {}, { baseDir: dir });
  assert.ok(exported.report.ok, exported.report.error);
  original = readBundle(join(dir, 'out/oneroster.zip'));
  provider = new OneRosterProvider(new Map(), { ...CLIENT, maxLimit: 1000 });
  await provider.start(dir);
  const collections = bundleAsJson(original, provider.baseUrl);
  collections.set('students', collections.get('users')!.filter((u) => u.role === 'student'));
  for (const [k, v] of collections) (provider as unknown as { collections: Map<string, unknown> }).collections.set(k, v);
});

test.after(() => provider.stop());

const connection = (extra = '') =>
  `base_url: ${provider.baseUrl}\n    token_url: ${provider.tokenUrl}\n    ca: ${JSON.stringify(provider.ca)}\n    retry_delay_seconds: 0.01${extra}`;
const spec = (text = API, extra = '') => text.replace('base_url: ${env:ONEROSTER_URL}\n    token_url: ${env:ONEROSTER_TOKEN_URL}', connection(extra));
const run = (text: string, dir: string, params: Record<string, string> = {}, secrets: Record<string, string> = SECRETS) => runSpec(text, { ...secrets, provider_ca: provider.ca }, { baseDir: dir, params });
const csv = (bytes: Uint8Array | undefined) => Buffer.from(bytes!).toString('utf8');

test('round trip: what the provider serves comes back as the same OneRoster CSV bundle', async () => {
  provider.requests.length = 0;
  const before = provider.tokensIssued;
  const dir = await tempDir('sisflow-oneroster-api-run-');
  const { report } = await run(spec(), dir, { page_size: '700' });
  assert.ok(report.ok, report.error);
  const bundle = readBundle(join(dir, 'out/oneroster-from-api.zip'));
  assert.equal(checkBundle(bundle), []);
  assert.equal([...bundle.keys()], [...original.keys()]);
  for (const name of original.keys()) {
    if (name === 'manifest.csv') {
      assert.is(csv(bundle.get(name)), csv(original.get(name)));
      continue;
    }
    // Same header, same rows; the API was read sorted by sourcedId.
    const [head, ...rows] = csv(original.get(name)).trimEnd().split('\r\n');
    const [gotHead, ...got] = csv(bundle.get(name)).trimEnd().split('\r\n');
    assert.is(gotHead, head, name);
    assert.equal(got, [...rows].sort((a, b) => (a.split(',')[0]! < b.split(',')[0]! ? -1 : 1)), name);
  }
  // One token for the whole run (seven collections), sent as HTTP Basic.
  assert.is(provider.tokensIssued - before, 1);
  assert.is(provider.requests.filter((r) => r.startsWith('POST /oauth/token')).length, 1);
  // 7,755 enrollments in pages of 700: offsets 0, 700, … 7700 (the last one short).
  const pages = provider.requests.filter((r) => r.startsWith('GET /ims/oneroster/v1p1/enrollments'));
  assert.is(pages.length, 12);
  assert.is(pages[1], 'GET /ims/oneroster/v1p1/enrollments?limit=700&offset=700&sort=sourcedId&orderBy=asc');
  assert.not.match(JSON.stringify(report), CLIENT.clientSecret);
  assert.not.match(JSON.stringify(report), 'tok-');
});

test('a provider that caps its pages below page_size is still read to the end (X-Total-Count)', async () => {
  provider.requests.length = 0;
  const capped = new OneRosterProvider((provider as unknown as { collections: Map<string, never> }).collections, { ...CLIENT, maxLimit: 250 });
  const dir = await tempDir('sisflow-oneroster-api-run-');
  await capped.start(dir);
  try {
    const text = API.replace('base_url: ${env:ONEROSTER_URL}\n    token_url: ${env:ONEROSTER_TOKEN_URL}', `base_url: ${capped.baseUrl}\n    token_url: ${capped.tokenUrl}\n    ca: ${JSON.stringify(capped.ca)}`);
    const { report } = await runSpec(text, { ...SECRETS, provider_ca: capped.ca }, { baseDir: dir });
    assert.ok(report.ok, report.error);
    assert.is(report.outputs.enrollments!.rows, 7755);
    assert.is(capped.requests.filter((r) => r.includes('/enrollments?')).length, Math.ceil(7755 / 250));
  } finally {
    await capped.stop();
  }
});

const STUDENTS = `sisflow: 1
name: students
connections:
  provider:
    use: oneroster-api
    ${'base_url: ${env:ONEROSTER_URL}\n    token_url: ${env:ONEROSTER_TOKEN_URL}'}
    client_id: \${secret:oneroster_client_id}
    client_secret: \${secret:oneroster_client_secret}
  out: { use: files, dir: . }
sources:
  students:
    from: provider
    endpoint: users
    filter: "role='student' AND grades~'12'"
    page_size: 50
    columns: { sourcedId: string, familyName: string, grade: { path: 'grades[]', type: list<string> }, school: { path: 'orgs[].sourcedId', type: list<string> }, ids: { path: 'userIds[]', type: list<string>, format: '{type}={identifier}' } }
outputs:
  seniors: { from: students, to: out, path: seniors.csv }
`;

test('filters go to the provider; paths, lists and formats pick nested fields', async () => {
  provider.requests.length = 0;
  const dir = await tempDir('sisflow-oneroster-api-run-');
  const { report } = await run(spec(STUDENTS), dir);
  assert.ok(report.ok, report.error);
  const lines = readFileSync(join(dir, 'seniors.csv'), 'utf8').trimEnd().split(/\r?\n/);
  const users = (provider as unknown as { collections: Map<string, { role: string; grades: string[] }[]> }).collections.get('users')!;
  assert.is(lines.length - 1, users.filter((u) => u.role === 'student' && u.grades.join(',').includes('12')).length);
  assert.ok(lines.length > 10);
  assert.match(lines[1]!, /^stu-\d+,[^,]+,12,org-99\d,SIS=\d+$/);
  assert.match(provider.requests[1]!, "filter=role%3D%27student%27+AND+grades%7E%2712%27");
});

test('a revoked token is replaced once; throttling and server errors are retried and counted', async () => {
  const dir = await tempDir('sisflow-oneroster-api-run-');
  await run(spec(STUDENTS), dir); // a token in the cache
  provider.revokeTokens();
  const before = provider.tokensIssued;
  provider.faults.throttle.add('/ims/oneroster/v1p1/users');
  provider.faults.fail.add('/ims/oneroster/v1p1/users');
  const { report } = await run(spec(STUDENTS), dir);
  assert.ok(report.ok, report.error);
  assert.is(provider.tokensIssued - before, 1);
  assert.equal(report.events, { 'oneroster-api retries': 2 });
});

test('a wrong client secret is refused at once with what to check; the secret is never shown', async () => {
  const dir = await tempDir('sisflow-oneroster-api-run-');
  const { report } = await run(spec(STUDENTS), dir, {}, { ...SECRETS, oneroster_client_secret: 'not-the-secret' });
  assert.not.ok(report.ok);
  assert.match(report.error!, /^connection provider \(used by source [^)]*\): the token endpoint \/oauth\/token refused the client ID and secret \(invalid_client\)/);
  assert.equal(report.events, {});
  assert.not.match(JSON.stringify(report), 'not-the-secret');
});

test('client_auth: body sends the credentials in the form instead of HTTP Basic', async () => {
  const dir = await tempDir('sisflow-oneroster-api-run-');
  const { report } = await run(spec(STUDENTS, '\n    client_auth: body\n    scope: https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly'), dir);
  assert.ok(report.ok, report.error);
});

test('a record that does not fit its column is rejected with the reason; the rest is read', async () => {
  const users = (provider as unknown as { collections: Map<string, Record<string, unknown>[]> }).collections.get('users')!;
  const victim = users.find((u) => u.role === 'student' && (u.grades as string[]).includes('12'))!;
  const grades = victim.grades;
  victim.grades = '12';
  try {
    const dir = await tempDir('sisflow-oneroster-api-run-');
    const { report } = await run(spec(STUDENTS).replace('outputs:', `rejects: { to: out, path: rejects.csv }\noutputs:`), dir);
    assert.ok(report.ok, report.error);
    assert.is(report.rejects.count, 1);
    assert.match(readFileSync(join(dir, 'rejects.csv'), 'utf8'), 'users: grade is string, not a list');
  } finally {
    victim.grades = grades;
  }
});

test('a provider that ignores offset is caught instead of read forever', async () => {
  provider.faults.ignoreOffset = true;
  provider.faults.noTotal = true;
  try {
    const { report } = await run(spec(STUDENTS), await tempDir('sisflow-oneroster-api-run-'));
    assert.not.ok(report.ok);
    assert.match(report.error!, 'users: the provider sent the same page for offset 50 as for the one before; it does not page with limit/offset');
  } finally {
    provider.faults.ignoreOffset = false;
    provider.faults.noTotal = false;
  }
});

test('a provider whose certificate is not trusted is refused', async () => {
  const { report } = await run(spec(STUDENTS).replace(`    ca: ${JSON.stringify(provider.ca)}\n`, ''), await tempDir('sisflow-oneroster-api-run-'));
  assert.not.ok(report.ok);
  assert.match(report.error!, /self.signed certificate/i);
});

test('validate: plan lists OAuth scopes; http://, a bad filter, a bad path or format are diagnostics', () => {
  const registry = defaultRegistry();
  const c = (text: string) => compile(text, 'spec.yaml', { registry, today: '2026-11-23', env: { ONEROSTER_URL: 'https://x.example/ims/oneroster/v1p1', ONEROSTER_TOKEN_URL: 'https://x.example/token' } });
  const ok = c(API);
  assert.equal(ok.diagnostics, []);
  assert.equal(ok.plan!.needs.provider, { permissions: ['OAuth scope https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly', 'OAuth scope https://purl.imsglobal.org/spec/or/v1p1/scope/roster-demographics.readonly'] });
  const codes = (text: string) => c(text).diagnostics.map((d) => `${d.code} ${d.message}`);
  assert.equal(codes(STUDENTS.replace('${env:ONEROSTER_URL}', 'http://x.example/v1p1')), ['SF405 connections.provider.base_url uses http://; sisflow only talks HTTPS to services']);
  assert.equal(codes(STUDENTS.replace("role='student' AND grades~'12'", "role=student")), ["SF408 `role=student` is not a OneRoster 1.1 filter"]);
  assert.equal(codes(STUDENTS.replace("path: 'grades[]'", "path: 'grades[].x[]'")), ['SF404 `grades[].x[]` walks more than one list']);
  assert.equal(codes(STUDENTS.replace("path: 'grades[]', type: list<string>", "path: 'grades[]', type: string")), ['SF404 `grades[]` gives a list, but the type is string']);
  assert.equal(codes(STUDENTS.replace("format: '{type}={identifier}'", "format: '{type={identifier}'")), ['SF404 the format `{type={identifier}` has an unmatched brace']);
});

test.run();
