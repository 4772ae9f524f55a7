// How the prior district finds the requested student, and what a person must confirm: an SSID
// match, a prior ID with the birth date, a name and birth date (confirmed by hand), no match (the
// person names the student); denying; and packages that wait too long being deleted.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { approveRequest, denyRequest, expirePackages, importPackage, sendRequest, type StudentIdentity } from '@sisflow/transfer';
import { enroll, query, twoDistricts, type Row, type World } from './two-districts.js';

let w: World;
let now = Date.now();
let student: Row;

test.before(async () => {
  w = await twoDistricts({ clock: () => new Date(now) });
  student = query(w.a.db, "SELECT * FROM STU WHERE DEL = 0 AND TG = '' AND GR >= 7 AND BD IS NOT NULL ORDER BY ID LIMIT 1")[0]!;
  enroll(w.b.db, student, 900003, 997);
});
test.after(async () => w.close());

const who = (o: Partial<StudentIdentity> = {}): StudentIdentity => ({ ssid: null, last_name: String(student.LN), first_name: String(student.FN), birth_date: String(student.BD), ...o });
const ask = async (s: StudentIdentity) => w.a.district.store.incoming((await sendRequest(w.b.district, { from: w.a.code, studentId: 900003, student: s })).id)!;
const fails = async (p: Promise<unknown>, re: RegExp) => {
  try {
    await p;
    assert.unreachable('did not fail');
  } catch (e) {
    assert.match((e as Error).message, re);
  }
};

test('by SSID, by prior ID and birth date, by name and birth date (accents and case aside), or not at all', async () => {
  assert.equal([(await ask(who({ ssid: String(student.CID), last_name: 'Someone Else' }))).match_kind, student.ID], ['ssid', student.ID]);
  const byId = await ask(who({ prior_id: String(student.ID), last_name: 'X', first_name: 'Y' }));
  assert.equal([byId.match_kind, byId.match_id], ['prior-id', student.ID]);
  const folded = String(student.LN).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase();
  const byName = await ask(who({ last_name: folded }));
  assert.equal([byName.match_kind, byName.match_id], ['name-birth-date', student.ID]);
  const none = await ask(who({ birth_date: '1990-01-01' }));
  assert.equal([none.match_kind, none.match_id], ['none', null]);
});

test('a name-and-birth-date match is sent only once a person confirms it; no match, once a person names the student', async () => {
  const byName = await ask(who());
  await fails(approveRequest(w.a.district, byName.id), /by name and birth date only: .*--confirm-match/);
  assert.is(w.a.district.store.incoming(byName.id)!.status, 'pending');
  assert.is((await approveRequest(w.a.district, byName.id, { confirmMatch: true })).request.status, 'sent');
  const none = await ask(who({ birth_date: '1990-01-01' }));
  await fails(approveRequest(w.a.district, none.id), /matched no student here: .*--student ID/);
  const a = await approveRequest(w.a.district, none.id, { student: Number(student.ID) });
  assert.is(a.request.match_id, student.ID);
  await fails(approveRequest(w.a.district, none.id), /is sent, not pending/);
});

test('a denied request sends nothing and says why in the audit log', async () => {
  const r = await ask(who({ ssid: String(student.CID) }));
  assert.is(denyRequest(w.a.district, r.id, 'no release on file').status, 'denied');
  await fails(approveRequest(w.a.district, r.id), /is denied, not pending/);
  const last = JSON.parse(readFileSync(join(w.a.dir, 'state', 'audit.log'), 'utf8').trim().split('\n').pop()!) as Row;
  assert.equal([last.event, last.request, last.reason], ['denied', r.id, 'no release on file']);
  assert.is(w.b.district.store.outgoing(r.id)!.status, 'sent');
});

test('a package not imported within package_days is deleted and can no longer be imported', async () => {
  const r = await ask(who({ ssid: String(student.CID) }));
  await approveRequest(w.a.district, r.id);
  const out = w.b.district.store.outgoing(r.id)!;
  assert.is(out.status, 'received');
  assert.equal(expirePackages(w.b.district), []);
  now += 31 * 86_400_000;
  assert.ok(expirePackages(w.b.district).includes(r.id));
  assert.not.ok(existsSync(out.package_file!));
  await fails(importPackage(w.b.district, r.id), /is expired: no package is waiting/);
});

test.run();
