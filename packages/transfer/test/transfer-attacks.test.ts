// Each attack on records transfer fails closed: the service refuses it with a reason, the audit
// log records the refusal, and nothing is queued, stored or imported.
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:tls';
import { createServer } from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { httpsRequest, newEncryptionKey, newSigningKey, privateKey, seal, SIGNING_ALG, type DistrictEntry } from '@sisflow/connectors/records-transfer';
import { approveRequest, importPackage, reviewPackage, sendRequest } from '@sisflow/transfer';
import { enroll, query, twoDistricts, type Row, type World } from './two-districts.js';

let w: World;
let student: Row;
const NEW_ID = 900002;


test.before(async () => {
  w = await twoDistricts({ limits: { max_request_bytes: 16384 } });
  student = query(w.a.db, "SELECT * FROM STU WHERE DEL = 0 AND TG = '' AND GR >= 9 AND EXISTS (SELECT 1 FROM HIS h WHERE h.ID = STU.ID) ORDER BY ID LIMIT 1")[0]!;
  enroll(w.b.db, student, NEW_ID, 998);
});
test.after(async () => w.close());

const identity = () => ({ ssid: String(student.CID), last_name: String(student.LN), first_name: String(student.FN), birth_date: String(student.BD) });
const post = (url: string, body: string) => httpsRequest(url, { method: 'POST', headers: { 'content-type': 'application/jose' }, body, ca: w.ca, timeoutMs: 30_000, signal: new AbortController().signal });
const secret = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8').trim();
const signer = async (d: { secretsDir: string; code: string }) => {
  const k = await privateKey(secret(d.secretsDir, 'transfer_signing_key'), 'key', SIGNING_ALG);
  return { code: d.code, signingKey: k.key, signingKid: k.thumbprint };
};
const requestBody = (reply_to: string) => ({ request_id: crypto.randomUUID(), reply_to, student: identity() });
const incoming = () => w.a.district.store.listIncoming().length;
const lastAudit = (d: { dir: string }) => JSON.parse(readFileSync(join(d.dir, 'state', 'audit.log'), 'utf8').trim().split('\n').pop()!) as Row;
const imported = () => ['TST', 'CST', 'CTS', 'HIS'].reduce((n, t) => n + query(w.b.db, `SELECT count(*) AS n FROM ${t} WHERE ID = ?`, NEW_ID)[0]!.n as number, 0);

/** A district with keys of its own that the registry does not list. */
async function stranger(code = '9999999'): Promise<{ code: string; signingKey: CryptoKey; signingKid: string }> {
  const k = await newSigningKey();
  return { code, signingKey: (await privateKey(JSON.stringify(k.privateJwk), 'key', SIGNING_ALG)).key, signingKid: k.thumbprint };
}

test('a request from a district not in the registry is refused', async () => {
  const before = incoming();
  const env = await seal('request', requestBody('https://127.0.0.1:1'), await stranger(), w.a.entry);
  const res = await post(`${w.a.service.url}/v1/requests`, env);
  assert.is(res.status, 403);
  assert.match(res.body, /not in the registry/);
  assert.is(incoming(), before);
  assert.is(lastAudit(w.a).event, 'request-refused');
});

test('a request that claims a registered district but is signed with another key is refused', async () => {
  const before = incoming();
  const forged = { ...(await stranger(w.b.code)) };
  const res = await post(`${w.a.service.url}/v1/requests`, await seal('request', requestBody(w.b.entry.url), forged, w.a.entry));
  assert.is(res.status, 403);
  assert.match(res.body, /not district 3768338's registered key/);
  // The registered key id with a signature by another key: the signature itself does not verify.
  const other = await stranger(w.b.code);
  const res2 = await post(`${w.a.service.url}/v1/requests`, await seal('request', requestBody(w.b.entry.url), { ...other, signingKid: (await signer(w.b)).signingKid }, w.a.entry));
  assert.is(res2.status, 403);
  assert.match(res2.body, /signature does not verify/);
  assert.is(incoming(), before);
});

test('a request whose return address differs from the registry is refused', async () => {
  const before = incoming();
  const res = await post(`${w.a.service.url}/v1/requests`, await seal('request', requestBody('https://attacker.example/collect'), await signer(w.b), w.a.entry));
  assert.is(res.status, 403);
  assert.match(res.body, /return address is not district 3768338's address in the registry/);
  assert.is(incoming(), before);
});

test('a replayed request is refused; so is one outside the time window', async () => {
  const before = incoming();
  const env = await seal('request', requestBody(w.b.entry.url), await signer(w.b), w.a.entry);
  assert.is((await post(`${w.a.service.url}/v1/requests`, env)).status, 202);
  const again = await post(`${w.a.service.url}/v1/requests`, env);
  assert.is(again.status, 409);
  assert.match(again.body, /replay/);
  assert.is(incoming(), before + 1);
  const old = await seal('request', requestBody(w.b.entry.url), await signer(w.b), w.a.entry, new Date(Date.now() - 3600_000));
  const stale = await post(`${w.a.service.url}/v1/requests`, old);
  assert.is(stale.status, 401);
  assert.match(stale.body, /outside the 300 s window/);
  assert.is(incoming(), before + 1);
});

test('a package altered in transit is refused and nothing is stored or imported', async () => {
  const { id } = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  const body = { request_id: id, student: { id: student.ID }, tables: { TST: [] } };
  const env = await seal('package', body, await signer(w.a), w.b.entry);
  const parts = env.split('.');
  const ct = Buffer.from(parts[3]!, 'base64url');
  ct[0] = ct[0]! ^ 1;
  parts[3] = ct.toString('base64url');
  const res = await post(`${w.b.service.url}/v1/packages`, parts.join('.'));
  assert.is(res.status, 403);
  assert.match(res.body, /altered in transit or encrypted to another district/);
  assert.is(w.b.district.store.outgoing(id)!.status, 'sent');
  assert.equal(readdirSync(join(w.b.dir, 'state', 'packages')), []);
  assert.is(imported(), 0);
});

test('a package encrypted to another district is refused', async () => {
  const { id } = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  const elsewhere = await newEncryptionKey();
  const env = await seal('package', { request_id: id, student: { id: student.ID }, tables: { TST: [] } }, await signer(w.a), { code: w.b.code, encryption_key: elsewhere.publicJwk });
  const res = await post(`${w.b.service.url}/v1/packages`, env);
  assert.is(res.status, 403);
  assert.match(res.body, /encrypted to another key/);
  assert.is(w.b.district.store.outgoing(id)!.status, 'sent');
  assert.equal(readdirSync(join(w.b.dir, 'state', 'packages')), []);
  assert.is(imported(), 0);
});

test('a package for a request the receiver never made, or from a district it did not ask, is refused', async () => {
  const res = await post(`${w.b.service.url}/v1/packages`, await seal('package', { request_id: crypto.randomUUID(), student: { id: 1 }, tables: { TST: [] } }, await signer(w.a), w.b.entry));
  assert.is(res.status, 403);
  assert.match(res.body, /did not send it/);
  assert.equal(readdirSync(join(w.b.dir, 'state', 'packages')), []);
});

test('a signed package whose records do not fit the tables is held at review and imports nothing', async () => {
  const { id } = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  const good = { ID: student.ID, TA: 'SBAC-ELA', PT: 0, TD: '2026-05-01', GR: 9, RS: 40, SS: 2500, PL: '2', SCL: 994, DEL: false };
  const tables = { TST: [good, { ...good, TD: '2025-05-01', SS: '2700; DROP TABLE TST' }, { ...good, TD: 'yesterday' }], HIS: [{ ID: student.ID }] };
  const res = await post(`${w.b.service.url}/v1/packages`, await seal('package', { request_id: id, student: { id: student.ID }, tables }, await signer(w.a), w.b.entry));
  assert.is(res.status, 202, res.body);
  const review = await reviewPackage(w.b.district, id);
  assert.equal(review.rejects.map((j) => j.reason).sort(), ['HIS record 1: SQ is missing', 'TST record 2: SS is not an integer', 'TST record 3: TD is not a date']);
  try {
    await importPackage(w.b.district, id);
    assert.unreachable('imported a package with bad records');
  } catch (e) {
    assert.match((e as Error).message, /nothing was imported/);
  }
  assert.is(imported(), 0);
  assert.is(w.b.district.store.outgoing(id)!.status, 'received');
});

test('a package filed under another request\'s name is not read', async () => {
  const first = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  const second = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  await approveRequest(w.a.district, first.id);
  await approveRequest(w.a.district, second.id);
  const { writeFileSync } = await import('node:fs');
  const dir = join(w.b.dir, 'state', 'packages');
  writeFileSync(join(dir, `${second.id}.jwe`), readFileSync(join(dir, `${first.id}.jwe`)));
  try {
    await reviewPackage(w.b.district, second.id);
    assert.unreachable('read a package filed under another request');
  } catch (e) {
    assert.match((e as Error).message, new RegExp(`filed for request ${second.id} answers request ${first.id}`));
  }
  try {
    await importPackage(w.b.district, second.id);
    assert.unreachable('imported a package filed under another request');
  } catch (e) {
    assert.match((e as Error).message, /nothing was imported/);
  }
  assert.is(imported(), 0);
});

test('TLS 1.1 and weak cipher suites are refused (checked against a server that allows them)', async () => {
  // A control server that accepts TLS 1.0–1.1 and CBC suites: if this OpenSSL cannot speak TLS 1.1
  // at all, the control says so and the refusal by the service proves nothing about it.
  const control = createServer({ cert: w.tls.cert, key: w.tls.key, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, (_q, r) => r.end('ok'));
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));
  const handshake = (port: number, o: Record<string, unknown>) =>
    new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, ca: w.ca, ...o }, () => {
        const v = s.getProtocol() ?? 'unknown';
        s.destroy();
        resolve(v);
      });
      s.on('error', (e) => resolve(`refused: ${e.message}`));
    });
  const port = Number(new URL(w.a.service.url).port);
  const tls11 = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' };
  const weak = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' };
  const controlTls11 = await handshake((control.address() as AddressInfo).port, tls11);
  const controlWeak = await handshake((control.address() as AddressInfo).port, weak);
  control.close();
  assert.is(controlWeak, 'TLSv1.2', 'the control server accepts a CBC suite');
  assert.match(await handshake(port, weak), /^refused/);
  if (controlTls11 === 'TLSv1.1') assert.match(await handshake(port, tls11), /^refused/);
  else {
    console.log(`  note: this OpenSSL refuses TLS 1.1 even to a permissive server (${controlTls11}); the service's own refusal is still checked`);
    assert.match(await handshake(port, tls11), /^refused/);
  }
  assert.is(await handshake(port, {}), 'TLSv1.3');
  assert.is(await handshake(port, { maxVersion: 'TLSv1.2' }), 'TLSv1.2');
});

test('an oversized body is refused before it is read, and nothing is queued', async () => {
  const before = incoming();
  const res = await post(`${w.a.service.url}/v1/requests`, 'x'.repeat(100_000));
  assert.is(res.status, 413);
  assert.is(incoming(), before);
  assert.match(String(lastAudit(w.a).reason), /over 16384 bytes/);
});

test('a revoked district is refused: its new requests, and the approval of one it made before', async () => {
  const { id } = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  assert.is(w.a.district.store.incoming(id)!.status, 'pending');
  await w.publish([w.a.entry, { ...w.b.entry, revoked: true } as DistrictEntry]);
  try {
    const before = incoming();
    const res = await post(`${w.a.service.url}/v1/requests`, await seal('request', requestBody(w.b.entry.url), await signer(w.b), w.a.entry));
    assert.is(res.status, 403);
    assert.match(res.body, /revoked/);
    assert.is(incoming(), before);
    try {
      await approveRequest(w.a.district, id);
      assert.unreachable('approved for a revoked district');
    } catch (e) {
      assert.match((e as Error).message, /revoked/);
    }
    assert.is(w.a.district.store.incoming(id)!.status, 'pending');
    assert.is(imported(), 0);
  } finally {
    await w.publish([w.a.entry, w.b.entry]);
  }
});

test('a district whose own signing key is not the registered one sends nothing', async () => {
  const { writeFileSync } = await import('node:fs');
  const { id } = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  const file = join(w.a.secretsDir, 'transfer_signing_key');
  const registered = readFileSync(file, 'utf8');
  writeFileSync(file, JSON.stringify((await newSigningKey()).privateJwk));
  try {
    await approveRequest(w.a.district, id);
    assert.unreachable('sent with an unregistered key');
  } catch (e) {
    assert.match((e as Error).message, /not the one the registry lists for district 1964212/);
  } finally {
    writeFileSync(file, registered);
  }
  assert.is(w.a.district.store.incoming(id)!.status, 'failed');
  assert.is(w.b.district.store.outgoing(id)!.status, 'sent');
  const audit = readFileSync(join(w.a.dir, 'state', 'audit.log'), 'utf8');
  assert.match(audit, /"event":"send-failed"/);
  assert.not.ok(audit.includes((JSON.parse(registered) as { d: string }).d), 'a private key in the audit log');
  assert.is(imported(), 0);
});

test('a registry signed by any key but the pinned operator key is refused', async () => {
  const { signRegistry } = await import('@sisflow/connectors/records-transfer');
  const fake = await newSigningKey();
  const { writeFileSync } = await import('node:fs');
  const good = readFileSync(w.registryFile, 'utf8');
  writeFileSync(w.registryFile, await signRegistry({ registry: 'sisflow-records-transfer', issued: '2026-11-29T00:00:00.000Z', districts: [w.a.entry, w.b.entry] }, JSON.stringify(fake.privateJwk)));
  try {
    const res = await post(`${w.a.service.url}/v1/requests`, await seal('request', requestBody(w.b.entry.url), await signer(w.b), w.a.entry));
    assert.is(res.status, 503);
    assert.not.match(res.body, /pinned/);
    assert.match(String(lastAudit(w.a).reason), /not by the pinned operator key/);
  } finally {
    writeFileSync(w.registryFile, good);
  }
});

test.run();
