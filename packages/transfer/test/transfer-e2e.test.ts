// Records transfer end to end between two districts on loopback: the new district asks, the
// prior district approves, the package travels encrypted to the new district's service, is
// reviewed and imported; the imported rows equal the sender's after code mapping, and doing it
// all again changes nothing.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { approveRequest, importPackage, reviewPackage, sendRequest } from '@sisflow/transfer';
import { enroll, query, twoDistricts, type Row, type World } from './two-districts.js';

const NEW_ID = 900001;
const MAP: Record<string, string> = { 'SBAC-ELA': 'SBAC-ELA', 'SBAC-MA': 'SBAC-MTH', ELPAC: 'ELPAC-S' };

let w: World;
let student: Row;


test.before(async () => {
  w = await twoDistricts();
  // A high-school student of the prior district with test scores, college tests and history.
  student = query(w.a.db, 'SELECT s.* FROM STU s WHERE s.DEL = 0 AND s.TG = \'\' AND EXISTS (SELECT 1 FROM CTS c WHERE c.ID = s.ID) AND EXISTS (SELECT 1 FROM TST t WHERE t.ID = s.ID AND t.TA = \'ELPAC\') ORDER BY s.ID LIMIT 1')[0]
    ?? query(w.a.db, 'SELECT s.* FROM STU s WHERE s.DEL = 0 AND s.TG = \'\' AND EXISTS (SELECT 1 FROM CTS c WHERE c.ID = s.ID) ORDER BY s.ID LIMIT 1')[0]!;
  enroll(w.b.db, student, NEW_ID, 999);
});
test.after(async () => w.close());

const identity = () => ({ ssid: String(student.CID), last_name: String(student.LN), first_name: String(student.FN), birth_date: String(student.BD) });

async function transferOnce() {
  const req = await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() });
  const pending = w.a.district.store.incoming(req.id)!;
  assert.is(pending.status, 'pending');
  assert.is(pending.match_kind, 'ssid');
  assert.is(pending.match_id, student.ID);
  const approval = await approveRequest(w.a.district, req.id);
  assert.is(approval.request.status, 'sent');
  assert.ok(approval.rows > 0);
  const out = w.b.district.store.outgoing(req.id)!;
  assert.is(out.status, 'received');
  assert.is(out.package_sha256, approval.packageSha256);
  return { id: req.id, out, approval };
}

function senderRows(table: string, order: string): Row[] {
  return query(w.a.db, `SELECT * FROM ${table} WHERE ID = ? ORDER BY ${order}`, student.ID);
}
function receiverRows(table: string, order: string): Row[] {
  return query(w.b.db, `SELECT * FROM ${table} WHERE ID = ? ORDER BY ${order}`, NEW_ID);
}

test('request → approve → delivery → review → import: the receiver has the sender\'s records under its own ID and codes', async () => {
  const { id, out } = await transferOnce();
  // Stored as it arrived: the package file is the encrypted envelope, no student data readable.
  const stored = readFileSync(out.package_file!, 'utf8');
  assert.is(stored.split('.').length, 5);
  assert.not.ok(stored.includes(String(student.LN)) || stored.includes('SBAC'));

  const review = await reviewPackage(w.b.district, id);
  assert.equal(review.rejects, []);
  assert.ok(review.records.length > 0);
  assert.ok(review.records.every((r) => r.status === 'new'), 'nothing of this student was in Aeries yet');
  assert.is(review.counts.TST!.new, senderRows('TST', 'TA').length);

  const report = await importPackage(w.b.district, id);
  assert.ok(report.ok);
  assert.is(w.b.district.store.outgoing(id)!.status, 'imported');
  assert.not.ok(existsSync(out.package_file!), 'an imported package is deleted');

  const mapTst = (r: Row) => ({ ...r, ID: NEW_ID, TA: MAP[String(r.TA)] });
  assert.equal(receiverRows('TST', 'TA, PT, TD'), senderRows('TST', 'TA, PT, TD').map(mapTst).sort((x, y) => String(x.TA).localeCompare(String(y.TA)) || String(x.TD).localeCompare(String(y.TD))));
  assert.equal(receiverRows('CST', 'TA, TD, CS'), senderRows('CST', 'TA, TD, CS').map(mapTst).sort((x, y) => String(x.TA).localeCompare(String(y.TA)) || String(x.TD).localeCompare(String(y.TD)) || String(x.CS).localeCompare(String(y.CS))));
  assert.equal(receiverRows('CTS', 'TI, TS, TD'), senderRows('CTS', 'TI, TS, TD').map((r) => ({ ...r, ID: NEW_ID })));
  const his = senderRows('HIS', 'SQ');
  assert.equal(receiverRows('HIS', 'SQ'), his.map((r) => ({ ...r, ID: NEW_ID, SQ: Number(r.SQ) + 500 })));
  assert.ok(receiverRows('TST', 'TA').length > 0 && receiverRows('CTS', 'TI').length > 0);
});

test('running the whole transfer again changes nothing: review says "same", the import updates no row', async () => {
  const before = ['TST', 'CST', 'CTS', 'HIS'].map((t) => receiverRows(t, 'rowid'));
  const { id } = await transferOnce();
  const review = await reviewPackage(w.b.district, id);
  assert.ok(review.records.length > 0 && review.records.every((r) => r.status === 'same'));
  const report = await importPackage(w.b.district, id);
  for (const o of Object.values(report.outputs)) for (const c of Object.values(o.changes ?? {})) assert.equal(c, { inserted: 0, updated: 0, deleted: 0 });
  assert.equal(['TST', 'CST', 'CTS', 'HIS'].map((t) => receiverRows(t, 'rowid')), before);
});

test('the audit log names who, when, which student and the package hash, never record contents', async () => {
  const lines = (d: string) => readFileSync(join(d, 'state', 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
  const a = lines(w.a.dir);
  const b = lines(w.b.dir);
  assert.equal(a.map((e) => e.event), ['request-received', 'approved', 'package-sent', 'request-received', 'approved', 'package-sent']);
  assert.equal(b.map((e) => e.event), ['request-sent', 'package-received', 'reviewed', 'imported', 'request-sent', 'package-received', 'reviewed', 'imported']);
  const sent = a.filter((e) => e.event === 'package-sent');
  const received = b.filter((e) => e.event === 'package-received');
  assert.equal(sent.map((e) => e.package_sha256), received.map((e) => e.package_sha256));
  assert.ok(sent.every((e) => /^[0-9a-f]{64}$/.test(String(e.package_sha256)) && e.student === student.ID && typeof e.at === 'string' && typeof e.by === 'string'));
  const text = JSON.stringify([a, b]);
  for (const secret of [String(student.LN), String(student.FN), 'SBAC', String(student.BD)]) assert.not.ok(text.includes(secret), `the audit log holds ${secret}`);
  assert.equal(readdirSync(join(w.b.dir, 'state', 'packages')), []);
});

test.run();
