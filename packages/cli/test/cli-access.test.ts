// `sisflow access check` against the local Aeries API (keys granted areas one by one): each area
// the SIRAS export needs is reported granted, refused or not found, sensitive areas the key should
// not have are warned about, a refused needed area exits 1, and the key is never printed.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AeriesApiServer, SIRAS_AREAS } from '../../connectors/test/aeries/api-server.js';
import { tempDir } from '../../connectors/test/sftp-helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const FULL = 'sirasfullkey00000001';
const NARROW = 'sirasnarrowkey000002';
const WIDE = 'siraswidekey00000003';

const server = new AeriesApiServer(
  new Map([
    [FULL, new Set(SIRAS_AREAS)],
    [NARROW, new Set(SIRAS_AREAS.filter((a) => !a.endsWith('Special Education')))],
    [WIDE, new Set([...SIRAS_AREAS, 'Student Data / Discipline', 'Grades / Gradebooks'])],
  ]),
);
let spec = '';

/** Runs the CLI without blocking this process, which serves the API meanwhile. */
function sisflow(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', AERIES_API_URL: server.baseUrl, AERIES_CA: server.ca, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const check = (key: string, ...extra: string[]) => sisflow(['access', 'check', spec, '--param', 'schools=994,995', ...extra], { SISFLOW_SECRET_aeries_api_cert: key });

test.before(async () => {
  const dir = await tempDir('sisflow-cli-access-');
  await server.start(dir);
  spec = join(dir, 'export.yaml');
  writeFileSync(spec, readFileSync(join(ROOT, 'examples/siras/export.yaml'), 'utf8').replace('cert: ${secret:aeries_api_cert}', 'cert: ${secret:aeries_api_cert}\n    ca: ${env:AERIES_CA}\n    retry_delay_seconds: 0.01'));
});
test.after(() => server.stop());

test('a key with exactly the five SIRAS areas: every one granted, no warning, exit 0, one request per area', async () => {
  server.requests.length = 0;
  const r = await check(FULL);
  assert.is(r.code, 0, r.stderr);
  assert.is(
    r.stdout,
    [
      'siras-export: access ok',
      '',
      'connection aeries (aeries-api)',
      '  granted    Attendance / Enrollment History                      for enrollment',
      '  granted    Student Data / Contacts                              for contacts',
      '  granted    Student Data / Student Data                          for students',
      '  granted    Student Data / Student Programs / Special Education  for special_ed',
      '  granted    Student Data / Student Programs / Special Programs   for programs',
      '',
    ].join('\n'),
  );
  // Five needed areas and six sensitive ones, each asked once for its first record at the first school.
  assert.is(server.requests.length, 11);
  assert.ok(server.requests.every((q) => q.includes('/schools/994/') && q.endsWith('?StartingRecord=1&EndingRecord=1')), server.requests.join('\n'));
  assert.not.match(r.stdout + r.stderr, FULL);
});

test('a key without Special Education: refused with the server answer, the grant to add, exit 1', async () => {
  const r = await check(NARROW);
  assert.is(r.code, 1);
  assert.match(r.stdout, 'siras-export: access NOT ok');
  assert.match(r.stdout, '  REFUSED    Student Data / Student Programs / Special Education  for special_ed  (GET /aeries/api/v5/schools/994/specialed: 403: The API key does not have permission to Student Data / Student Programs / Special Education)');
  assert.match(r.stdout, '  1 needed permission(s) missing: grant Student Data / Student Programs / Special Education');
  assert.not.match(r.stdout + r.stderr, NARROW);
});

test('a key that can read discipline and gradebooks besides: warned about both, still exit 0', async () => {
  const r = await check(WIDE);
  assert.is(r.code, 0, r.stdout);
  assert.match(r.stdout, '  warning: the key can also read Student Data / Discipline (discipline incidents), which this spec does not need; ask the district to remove it');
  assert.match(r.stdout, '  warning: the key can also read Grades / Gradebooks (gradebooks and assignment scores), which this spec does not need');
  assert.is(r.stdout.match(/warning:/g)?.length, 2);
});

test('an unknown key: every area refused (401); an endpoint this Aeries lacks: not found; JSON for scripts', async () => {
  const wrong = await check('not-a-key-at-all-xyz');
  assert.is(wrong.code, 1);
  assert.is(wrong.stdout.match(/ REFUSED /g)?.length, 5);
  assert.match(wrong.stdout, '401: Authorization has been denied for this request.');
  assert.not.match(wrong.stdout, 'not-a-key-at-all-xyz');
  server.missing.add('schools/994/programs');
  try {
    const r = await check(FULL, '--json');
    assert.is(r.code, 1);
    const report = JSON.parse(r.stdout) as { ok: boolean; connections: { connection: string; probes: { area: string; needed: boolean; status: string; usedBy: string[] }[] }[] };
    assert.is(report.ok, false);
    const programs = report.connections[0]!.probes.find((p) => p.area.endsWith('Special Programs'))!;
    assert.equal([programs.status, programs.needed, programs.usedBy], ['not found', true, ['programs']]);
    assert.is(report.connections[0]!.probes.filter((p) => !p.needed).length, 6);
  } finally {
    server.missing.clear();
  }
});

test('a missing key secret is a clear error, not a stack trace', async () => {
  const r = await sisflow(['access', 'check', spec], {});
  assert.is(r.code, 1);
  assert.match(r.stdout, 'error: connection `aeries` needs ${secret:aeries_api_cert}, which has no value');
  assert.not.match(r.stdout + r.stderr, /\n\s+at /);
});

test.run();
