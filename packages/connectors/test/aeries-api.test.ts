// The aeries-api source against a local HTTPS server that behaves like the Aeries API: the
// AERIES-CERT header, StartingRecord/EndingRecord paging, 401 for a wrong certificate, 429 and 503
// answered with retries, and a server certificate from a private CA the connection names.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSpec, tempDir } from './sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXPORT = readFileSync(join(ROOT, 'examples/siras/export.yaml'), 'utf8');
const CERT = 'a1b2c3d4e5f6a7b8c9d0';
const PER_SCHOOL = 1203;

let server: Server;
let port = 0;
let ca = '';
const requests: string[] = [];
const faults = { throttleOnce: new Set<string>(), failOnce: new Set<string>() };

function students(school: number) {
  return Array.from({ length: PER_SCHOOL }, (_, i) => ({
    StudentID: school * 100000 + i,
    SchoolCode: school,
    StateStudentID: i % 50 === 0 ? null : String(1000000000 + school * 10000 + i),
    LastName: i === 7 ? 'Núñez' : `Last${i}`,
    FirstName: `First${i}`,
    Sex: i % 2 ? 'F' : 'M',
    Birthdate: `2015-0${(i % 9) + 1}-1${i % 10}T00:00:00`,
    Grade: (i % 14) - 1,
    InactiveStatusCode: i % 100 === 99 ? 'I' : '',
    ExtraField: 'ignored',
  }));
}

test.before(async () => {
  const dir = await tempDir('sisflow-aeries-api-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca, minVersion: 'TLSv1.2' }, (req, res) => {
    const url = new URL(req.url!, 'https://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers['aeries-cert'] !== CERT) return send(401, { Message: 'Authorization has been denied for this request.' });
    if (faults.throttleOnce.delete(url.pathname)) return send(429, { Message: 'Too many requests' }, { 'retry-after': '0' });
    if (faults.failOnce.delete(url.pathname)) return send(503, { Message: 'Service unavailable' });
    const m = /^\/aeries\/api\/v5\/schools\/(\d+)\/(students|contacts)$/.exec(url.pathname);
    if (!m) return send(404, { Message: 'No HTTP resource was found' });
    const school = Number(m[1]);
    const all = m[2] === 'students' ? students(school) : students(school).slice(0, 10).map((s, i) => ({ StudentID: s.StudentID, SequenceNumber: 1, LastName: s.LastName, FirstName: `Parent${i}`, RelationshipToStudentCode: '10', HomePhone: '555-0100', EmailAddress: ` Parent${i}@Example.ORG ` }));
    const from = Number(url.searchParams.get('StartingRecord') ?? 1);
    const to = Number(url.searchParams.get('EndingRecord') ?? all.length);
    send(200, all.slice(from - 1, to));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as { port: number }).port;
});

test.after(() => new Promise((r) => server.close(() => r(undefined))));

const spec = () =>
  EXPORT.replace('base_url: ${env:AERIES_API_URL}', `base_url: https://127.0.0.1:${port}/aeries\n    ca: \${secret:aeries_ca}\n    retry_delay_seconds: 0.01`).replace(
    'default: [991, 992, 993, 994, 995]',
    'default: [994, 995]',
  );

test('the SIRAS export pages through every school, skips inactive students, and retries throttling', async () => {
  requests.length = 0;
  faults.throttleOnce.add('/aeries/api/v5/schools/994/students');
  faults.failOnce.add('/aeries/api/v5/schools/995/contacts');
  const dir = await tempDir('sisflow-aeries-api-run-');
  const { report } = await runSpec(spec(), { aeries_api_cert: CERT, aeries_ca: ca }, { baseDir: dir });
  assert.ok(report.ok, report.error);
  assert.equal(report.events, { 'aeries-api retries': 2 });
  const rows = parse(readFileSync(join(dir, 'out/siras-demographics.csv')), { columns: true, bom: true }) as Record<string, string>[];
  const inactive = Math.floor(PER_SCHOOL / 100);
  assert.is(rows.length, 2 * (PER_SCHOOL - inactive));
  assert.ok(rows.some((r) => r['Last Name'] === 'Núñez'));
  assert.equal(rows[0], { 'Student ID': '99400000', SSID: '', School: '994', 'Last Name': 'Last0', 'First Name': 'First0', Gender: 'M', 'Birth Date': '01/10/2015', Grade: 'TK' });
  // 1,203 records in pages of 500: 1–500, 501–1000, 1001–1500 (short: the last page).
  assert.equal(
    requests.filter((r) => r.startsWith('/aeries/api/v5/schools/995/students')),
    ['/aeries/api/v5/schools/995/students?StartingRecord=1&EndingRecord=500', '/aeries/api/v5/schools/995/students?StartingRecord=501&EndingRecord=1000', '/aeries/api/v5/schools/995/students?StartingRecord=1001&EndingRecord=1500'],
  );
  const contacts = readFileSync(join(dir, 'out/siras-contacts.csv'), 'utf8');
  assert.match(contacts, '99400000,1,Last0,Parent0,10,555-0100,parent0@example.org');
});

test('a wrong certificate is refused at once, naming the security areas to check; the certificate is never shown', async () => {
  const { report } = await runSpec(spec(), { aeries_api_cert: 'wrong-certificate', aeries_ca: ca }, { baseDir: await tempDir('sisflow-aeries-api-run-') });
  assert.not.ok(report.ok);
  assert.match(report.error!, /^source (students|contacts): Aeries refused the API certificate for \/aeries\/api\/v5\/schools\/994\/(students|contacts) \(401\)/);
  assert.equal(report.events, {});
  assert.not.match(JSON.stringify(report), 'wrong-certificate');
});

test('a server whose certificate the connection does not trust is refused', async () => {
  const { report } = await runSpec(spec().replace('    ca: ${secret:aeries_ca}\n', ''), { aeries_api_cert: CERT }, { baseDir: await tempDir('sisflow-aeries-api-run-') });
  assert.not.ok(report.ok);
  assert.match(report.error!, /self.signed certificate/i);
});

test('plan lists the API security areas the key needs, and http:// is not accepted', async () => {
  const { compile } = await import('@sisflow/core');
  const { defaultRegistry } = await import('@sisflow/connectors');
  const r = compile(EXPORT, 'export.yaml', { registry: defaultRegistry(), today: '2026-11-23' });
  assert.equal(r.plan!.needs.aeries, { permissions: ['Aeries API: Contacts', 'Aeries API: Student Data'] });
  const http = compile(EXPORT.replace('base_url: ${env:AERIES_API_URL}', 'base_url: http://aeries.example.org'), 'export.yaml', { registry: defaultRegistry(), today: '2026-11-23' });
  assert.equal(http.diagnostics.map((d) => d.code), ['SF405']);
});

test.run();
