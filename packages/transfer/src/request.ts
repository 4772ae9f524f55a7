// The receiving district asks: a request for one of its students' records, signed with its key,
// encrypted to the prior district's key and sent to the prior district's address — both taken
// from the registry, never from anything the request itself says.
import { randomUUID } from 'node:crypto';
import { answer, envelopeHash, seal } from '@sisflow/connectors/records-transfer';
import { post } from './post.js';
import { readAeriesTable } from './aeries-read.js';
import { operator } from './audit.js';
import type { District } from './district.js';
import type { StudentIdentity } from './state.js';

export interface RequestBody {
  request_id: string;
  /** Where the package should go: must equal the requester's registry address, or the request is refused. */
  reply_to: string;
  student: StudentIdentity;
}

export interface NewRequest {
  /** The prior district's registry code. */
  from: string;
  /** This district's permanent ID of the student (kept here; not sent). */
  studentId: number;
  /** How the prior district knows the student; what is left out is taken from this district's Aeries (STU). */
  student?: Partial<StudentIdentity>;
}

/** The student's SSID, name and birth date as this district's Aeries has them (the receive spec's connection). */
export async function identityFromAeries(district: District, studentId: number, signal?: AbortSignal): Promise<Partial<StudentIdentity>> {
  const spec = district.config.receiveSpec;
  for await (const r of readAeriesTable(district, { plan: district.compileSpec(spec, {}), spec, connection: 'aeries', table: 'STU', columns: ['ID', 'CID', 'LN', 'FN', 'BD', 'DEL'], anyOf: { ID: studentId }, ...(signal ? { signal } : {}) })) {
    if (r.DEL === true) continue;
    return { ssid: (r.CID as string | null) ?? null, last_name: String(r.LN), first_name: String(r.FN), ...(r.BD ? { birth_date: String(r.BD) } : {}) };
  }
  return {};
}

export async function sendRequest(district: District, r: NewRequest, signal?: AbortSignal): Promise<{ id: string; status: string }> {
  const given = r.student ?? {};
  const known = given.last_name && given.first_name && given.birth_date ? {} : await identityFromAeries(district, r.studentId, signal);
  const student = { ...known, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== null && v !== '')) } as Partial<StudentIdentity>;
  if (!student.last_name || !student.first_name || !student.birth_date || !/^\d{4}-\d{2}-\d{2}$/.test(student.birth_date)) {
    throw new Error(`student ${r.studentId} is not in this district's Aeries with a name and birth date: give --last-name, --first-name and --birth-date (YYYY-MM-DD)`);
  }
  const registry = await district.registry(signal);
  const me = registry.district(district.code, 'this');
  const prior = registry.district(r.from, 'the prior');
  const key = await district.signingKey();
  const id = randomUUID();
  const body: RequestBody = { request_id: id, reply_to: me.url, student: clean(student as StudentIdentity) };
  const envelope = await seal('request', body, { code: me.code, signingKey: key.key, signingKid: key.thumbprint }, prior, district.clock());
  district.store.addOutgoing({ id, to_code: prior.code, student_id: r.studentId, created_at: district.clock().toISOString() });
  const res = await post(district, `${prior.url.replace(/\/+$/, '')}/v1/requests`, envelope, signal).catch((e: Error) => ({ status: 0, body: JSON.stringify({ error: e.message }) }));
  const ok = res.status === 202;
  district.store.updateOutgoing(id, ['sending'], ok ? 'sent' : 'refused', ok ? {} : { reason: `${res.status || 'no answer'}: ${answer(res.body)}` });
  district.audit.write({ event: 'request-sent', by: operator(), request: id, district: prior.code, student: r.studentId, package_sha256: envelopeHash(envelope), ...(ok ? {} : { reason: `refused (${res.status}): ${answer(res.body)}` }) });
  if (!ok) throw new Error(`district ${prior.code} did not accept the request (${res.status || 'no answer'}): ${answer(res.body)}`);
  return { id, status: 'sent' };
}

function clean(s: StudentIdentity): StudentIdentity {
  return { ssid: s.ssid ?? null, last_name: s.last_name, first_name: s.first_name, birth_date: s.birth_date, prior_id: s.prior_id ?? null };
}
