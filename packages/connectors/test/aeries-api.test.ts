// The aeries-api source against a local HTTPS server that behaves like the Aeries API: the
// AERIES-CERT header, StartingRecord/EndingRecord paging, 401 for a wrong certificate, 429 and 503
// answered with retries, and a server certificate from a private CA the connection names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AeriesApiServer, PER_SCHOOL, SIRAS_AREAS } from './aeries/api-server.js';
import { runSpec, tempDir } from './sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXPORT = readFileSync(join(ROOT, 'examples/siras/export.yaml'), 'utf8');
const CERT = 'a1b2c3d4e5f6a7b8c9d0';

const server = new AeriesApiServer(new Map([[CERT, new Set(SIRAS_AREAS)]]));
const requests = server.requests;
const faults = server.faults;
let port = 0;
let ca = '';

test.before(async () => {
  await server.start(await tempDir('sisflow-aeries-api-'));
  ca = server.ca;
  port = Number(new URL(server.baseUrl).port);
});

test.after(() => server.stop());

const spec = () =>
  EXPORT.replace('base_url: ${env:AERIES_API_URL}', `base_url: https://127.0.0.1:${port}/aeries\n    ca: ${JSON.stringify(ca)}\n    retry_delay_seconds: 0.01`).replace(
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

test('the SIRAS export reads everything SIRAS pulls: programs, special education and enrollment history too', async () => {
  requests.length = 0;
  const dir = await tempDir('sisflow-aeries-api-run-');
  const { report } = await runSpec(spec(), { aeries_api_cert: CERT, aeries_ca: ca }, { baseDir: dir });
  assert.ok(report.ok, report.error);
  const read = (f: string) => parse(readFileSync(join(dir, 'out', f)), { columns: true, bom: true }) as Record<string, string>[];
  const programs = read('siras-programs.csv');
  assert.is(programs.length, 2 * Math.ceil(PER_SCHOOL / 10));
  assert.equal(programs[0], { 'Student ID': '99400000', Program: '144', Description: 'Special Education', 'Eligibility Start': '08/15/2024', 'Eligibility End': '', 'Participation Start': '08/20/2024', 'Participation End': '' });
  const sped = read('siras-special-education.csv');
  assert.is(sped.length, 2 * Math.ceil(PER_SCHOOL / 20));
  assert.equal(sped[1], { 'Student ID': '99400020', 'Disability 1': '240', 'Disability 2': '', 'Program Setting': '400', 'Case Manager': 'Manager 1', 'Last IEP Meeting': '03/02/2026', 'Exit Date': '', 'Exit Reason': '' });
  const enrollment = read('siras-enrollment-history.csv');
  assert.is(enrollment.length, 2 * (PER_SCHOOL + Math.ceil(PER_SCHOOL / 4)));
  assert.equal(enrollment[1], { 'Student ID': '99400000', School: '994', Year: '2025', Grade: 'PK', 'Enter Date': '08/20/2025', 'Leave Date': '06/05/2026', 'Exit Reason': '480' });
  // Enrollment history is asked for all students of a school at once (StudentID 0), unpaged.
  assert.equal(requests.filter((r) => r.includes('/enrollment/')), ['/aeries/api/v5/schools/994/enrollment/0', '/aeries/api/v5/schools/995/enrollment/0']);
});

test('a key without one of the five areas fails the run on the endpoint that needs it (403), naming it', async () => {
  server.keys.set('no-sped-key-000000000', new Set(SIRAS_AREAS.filter((a) => !a.endsWith('Special Education'))));
  const { report } = await runSpec(spec(), { aeries_api_cert: 'no-sped-key-000000000', aeries_ca: ca }, { baseDir: await tempDir('sisflow-aeries-api-run-') });
  assert.not.ok(report.ok);
  assert.match(report.error!, /^connection aeries \(used by source contacts, source students, source enrollment, source programs, source special_ed\): Aeries refused the API certificate for \/aeries\/api\/v5\/schools\/994\/specialed \(403\)/);
  assert.not.match(JSON.stringify(report), 'no-sped-key');
});

test('a wrong certificate is refused at once, naming the security areas to check; the certificate is never shown', async () => {
  const { report } = await runSpec(spec(), { aeries_api_cert: 'wrong-certificate', aeries_ca: ca }, { baseDir: await tempDir('sisflow-aeries-api-run-') });
  assert.not.ok(report.ok);
  // Whichever source asks first is refused; the error names its endpoint, and the connection.
  assert.match(report.error!, /^connection aeries \(used by source contacts, source students, source enrollment, source programs, source special_ed\): Aeries refused the API certificate for \/aeries\/api\/v5\/schools\/994\/(students|contacts|programs|specialed|enrollment\/0) \(401\)/);
  assert.equal(report.events, {});
  assert.not.match(JSON.stringify(report), 'wrong-certificate');
});

test('a server whose certificate the connection does not trust is refused', async () => {
  const { report } = await runSpec(spec().replace(`    ca: ${JSON.stringify(ca)}\n`, ''), { aeries_api_cert: CERT }, { baseDir: await tempDir('sisflow-aeries-api-run-') });
  assert.not.ok(report.ok);
  assert.match(report.error!, /self.signed certificate/i);
});

test('plan lists the API security areas the key needs, and http:// is not accepted', async () => {
  const { compile } = await import('@sisflow/core');
  const { defaultRegistry } = await import('@sisflow/connectors');
  const r = compile(EXPORT, 'export.yaml', { registry: defaultRegistry(), today: '2026-11-23' });
  assert.equal(r.plan!.needs.aeries, {
    permissions: [
      'Aeries API: Attendance / Enrollment History',
      'Aeries API: Student Data / Contacts',
      'Aeries API: Student Data / Student Data',
      'Aeries API: Student Data / Student Programs / Special Education',
      'Aeries API: Student Data / Student Programs / Special Programs',
    ],
  });
  const http = compile(EXPORT.replace('base_url: ${env:AERIES_API_URL}', 'base_url: http://aeries.example.org'), 'export.yaml', { registry: defaultRegistry(), today: '2026-11-23' });
  assert.equal(http.diagnostics.map((d) => d.code), ['SF405']);
});

test.run();
