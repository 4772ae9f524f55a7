// `sisflow transfer` as two districts' operators use it: the operator's key and the registry,
// each district's keys and transfer.yaml, both services running as `sisflow transfer serve`
// processes, then request → list → approve → show → import through the command line.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type BetterSqlite3 from 'better-sqlite3';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const EXAMPLE = join(ROOT, 'examples/records-transfer');
const Database = createRequire(join(ROOT, 'packages/connectors/package.json'))('better-sqlite3') as typeof BetterSqlite3;

const dir = mkdtempSync(join(tmpdir(), 'sisflow-transfer-cli-'));
const services: ChildProcess[] = [];

function sisflow(args: string[], cwd: string, secrets?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...(secrets ? { SISFLOW_SECRETS_DIR: secrets } : {}) } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `sisflow transfer serve` and resolves once it says it is listening. */
function startService(home: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'transfer', 'serve'], { cwd: home, env: { ...process.env, NO_COLOR: '1', SISFLOW_SECRETS_DIR: join(home, 'secrets') }, stdio: ['ignore', 'ignore', 'pipe'] });
    services.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      if (/records-transfer service on https:\/\//.test(err)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

test.after(() => {
  for (const s of services) s.kill('SIGTERM');
});

test('keys, registry, serve, request, approve, show, import — all from the command line', async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const op = sisflow(['transfer', 'keys', '--operator', '--secrets', join(dir, 'operator')], dir);
  assert.is(op.code, 0, op.stderr);
  const thumbprint = op.stdout.trim();
  assert.match(thumbprint, /^[A-Za-z0-9_-]{43}$/);

  const districts = [
    { code: '1964212', name: 'Prior Unified', seed: 20261123 },
    { code: '3768338', name: 'New Valley Unified', seed: 4242 },
  ];
  const entries = [];
  for (const d of districts) {
    const home = join(dir, d.code);
    mkdirSync(home);
    const port = await freePort();
    const keys = sisflow(['transfer', 'keys', '--secrets', 'secrets', '--district', d.code, '--name', d.name, '--url', `https://127.0.0.1:${port}`], home);
    assert.is(keys.code, 0, keys.stderr);
    const entry = JSON.parse(keys.stdout) as { signing_key: { d?: string } };
    assert.is(entry.signing_key.d, undefined, 'the entry holds public keys only');
    entries.push(entry);
    const again = sisflow(['transfer', 'keys', '--secrets', 'secrets', '--district', d.code, '--url', `https://127.0.0.1:${port}`], home);
    assert.is(again.code, 1);
    assert.match(again.stderr, /exists/);
    for (const f of ['send.yaml', 'receive.yaml']) writeFileSync(join(home, f), readFileSync(join(EXAMPLE, f), 'utf8').replace('    use: sqlite\n    demo: true\n', '    use: sqlite\n    path: aeries.db\n'));
    cpSync(join(EXAMPLE, 'codes'), join(home, 'codes'), { recursive: true });
    const { writeDemoDatabase } = await import('@sisflow/connectors');
    writeDemoDatabase(join(home, 'aeries.db'), { studentsPerSchool: 30, seed: d.seed });
    writeFileSync(
      join(home, 'transfer.yaml'),
      `district: "${d.code}"\nregistry: ../registry.jws\noperator_key: ${thumbprint}\nstate: state\nlisten: { host: 127.0.0.1, port: ${port} }\ntls: { cert: ../cert.pem, key: ../key.pem }\nca: ../cert.pem\n`,
    );
  }
  writeFileSync(join(dir, 'registry.json'), JSON.stringify({ districts: entries }));
  const signed = sisflow(['transfer', 'sign-registry', 'registry.json', '--key', join('operator', 'transfer_operator_key'), '-o', 'registry.jws'], dir);
  assert.is(signed.code, 0, signed.stderr);

  const [prior, next] = districts.map((d) => ({ ...d, home: join(dir, d.code), secrets: join(dir, d.code, 'secrets') })) as [{ code: string; home: string; secrets: string }, { code: string; home: string; secrets: string }];
  await Promise.all([startService(prior.home), startService(next.home)]);

  const a = new Database(join(prior.home, 'aeries.db'), { readonly: true });
  const s = a.prepare("SELECT * FROM STU WHERE DEL = 0 AND TG = '' AND EXISTS (SELECT 1 FROM TST t WHERE t.ID = STU.ID) ORDER BY ID LIMIT 1").get() as Record<string, string | number>;
  const sent = (a.prepare('SELECT count(*) AS n FROM TST WHERE ID = ?').get(s.ID) as { n: number }).n;
  a.close();
  const b = new Database(join(next.home, 'aeries.db'));
  b.prepare("INSERT INTO STU (SC, SN, ID, CID, LN, FN, GR, SX, BD, TG, DEL) VALUES (994, 999, 900001, ?, ?, ?, ?, ?, ?, '', 0)").run(s.CID, s.LN, s.FN, s.GR, s.SX, s.BD);
  b.close();

  // The SSID, name and birth date come from this district's Aeries row for the student.
  const req = sisflow(['transfer', 'request', '--from', prior.code, '--student', '900001', '--json'], next.home, next.secrets);
  assert.is(req.code, 0, req.stderr);
  const id = (JSON.parse(req.stdout) as { request: string }).request;
  const unknown = sisflow(['transfer', 'request', '--from', prior.code, '--student', '424242'], next.home, next.secrets);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /student 424242 is not in this district's Aeries .*--last-name/);
  const list = sisflow(['transfer', 'list'], prior.home, prior.secrets);
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${id}  pending  from ${next.code} .* student ${s.ID} by ssid`));
  const approve = sisflow(['transfer', 'approve', id], prior.home, prior.secrets);
  assert.is(approve.code, 0, approve.stderr);
  assert.match(approve.stdout, /approved: \d+ record\(s\) of student \d+ sent to district 3768338 \(package sha256 [0-9a-f]{64}\)/);
  const show = sisflow(['transfer', 'show', id], next.home, next.secrets);
  assert.is(show.code, 0, show.stderr);
  assert.match(show.stdout, new RegExp(`TST: ${sent} new, 0 same, 0 different`));
  const listed = JSON.parse(sisflow(['transfer', 'list', '--json'], next.home, next.secrets).stdout) as { sent: { id: string; status: string }[] };
  assert.equal(listed.sent.map((r) => r.id), [id]);
  const imported = sisflow(['transfer', 'import', id, '--json'], next.home, next.secrets);
  assert.is(imported.code, 0, imported.stderr);
  assert.equal((JSON.parse(imported.stdout) as { imported: unknown[] }).imported.find((c) => (c as { table: string }).table === 'TST'), { table: 'TST', inserted: sent, updated: 0 });
  const again = sisflow(['transfer', 'import', id], next.home, next.secrets);
  assert.is(again.code, 1);
  assert.match(again.stderr, /imported already/);
  assert.not.match(again.stderr, /\n\s+at /, 'no stack trace');
  const deny = sisflow(['transfer', 'deny', id, '--reason', 'x', '--json'], prior.home, prior.secrets);
  assert.is(deny.code, 1);
  assert.match(deny.stderr, /is sent, not pending/);
  assert.match((JSON.parse(deny.stdout) as { ok: boolean; error: string }).error, /is sent, not pending/);
});

test('a bad transfer.yaml is printed like a bad spec: place, code, code frame, hint; exit 1', () => {
  const home = mkdtempSync(join(tmpdir(), 'sisflow-transfer-cli-bad-'));
  writeFileSync(join(home, 'transfer.yaml'), `district: "1964212"\nregistry: registry.jws\noperator_kee: ${'a'.repeat(43)}\n`);
  const r = sisflow(['transfer', 'list'], home);
  assert.is(r.code, 1);
  assert.match(r.stderr, /transfer\.yaml:3:1: error SF451: `operator_kee` is not a transfer setting/);
  assert.match(r.stderr, /3 \| operator_kee: a+\n\s+\| \^+/);
  assert.match(r.stderr, /hint: did you mean `operator_key`\?/);
  assert.not.match(r.stderr, /\n\s+at /);
});

test.run();
