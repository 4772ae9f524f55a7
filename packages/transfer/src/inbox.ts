// What a district's service does with a message that arrived: a request (prior district's side)
// or a package (receiving district's side). Every check fails closed — the answer says why in a
// few words, the audit log records the refusal, and nothing is stored.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimedSender, EnvelopeError, open, type PackageBody } from '@sisflow/connectors/records-transfer';
import type { District } from './district.js';
import { matchStudent } from './match.js';
import type { RequestBody } from './request.js';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** More than the sender is told, for the audit log. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

const STATUS: Record<EnvelopeError['reason'], number> = { malformed: 400, 'wrong-type': 400, stale: 401, 'not-for-us': 403, 'unknown-sender': 403, 'bad-signature': 403, 'wrong-recipient': 403 };
const ID = /^[A-Za-z0-9-]{8,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

async function opened<B>(district: District, envelope: string, type: 'request' | 'package') {
  const registry = await district.registry().catch((e: Error) => {
    throw new Refusal(503, 'this district cannot verify its registry now; try again later', e.message);
  });
  try {
    const o = await open<B>(envelope, type, await district.recipient(), registry, { maxAgeSeconds: district.config.limits.clockSkewSeconds, now: district.clock() });
    return { ...o, registry };
  } catch (e) {
    if (e instanceof EnvelopeError) throw new Refusal(STATUS[e.reason], e.message);
    throw e;
  }
}

/** Refuses a message whose nonce was accepted before (inside the window, a replay). */
function once(district: District, jti: string, iss: string, iat: number): void {
  const skew = district.config.limits.clockSkewSeconds;
  const now = Math.floor(district.clock().getTime() / 1000);
  if (!district.store.acceptNonce(jti, iss, iat + skew + 1, now)) throw new Refusal(409, 'this message was received before (replay)');
}

export async function receiveRequest(district: District, envelope: string, remote: string): Promise<Answer> {
  let from = claimedSender(envelope);
  try {
    const { message, registry, hash } = await opened<RequestBody>(district, envelope, 'request');
    from = message.iss;
    const sender = registry.district(message.iss, 'the requesting');
    // The package goes to the registry's address; a request naming another one is not trusted.
    if (message.reply_to !== sender.url) throw new Refusal(403, `the request's return address is not district ${sender.code}'s address in the registry`);
    const s = message.student;
    if (typeof message.request_id !== 'string' || !ID.test(message.request_id)) throw new Refusal(400, 'the request has no valid request_id');
    if (!s || typeof s.last_name !== 'string' || typeof s.first_name !== 'string' || typeof s.birth_date !== 'string' || !DATE.test(s.birth_date)) throw new Refusal(400, 'the request does not identify a student (last_name, first_name, birth_date YYYY-MM-DD; ssid and prior_id when known)');
    once(district, message.jti, message.iss, message.iat);
    const match = await matchStudent(district, s);
    const added = district.store.addIncoming({ id: message.request_id, from_code: message.iss, received_at: district.clock().toISOString(), student: s, match_id: match.id, match_kind: match.kind });
    if (!added) throw new Refusal(409, `request ${message.request_id} was received before`);
    district.audit.write({ event: 'request-received', by: `district ${message.iss}`, request: message.request_id, district: message.iss, student: match.id, ...(s.ssid ? { ssid: s.ssid } : {}), package_sha256: hash, remote, reason: `match: ${match.kind}` });
    return { status: 202, body: { request: message.request_id, status: 'pending' } };
  } catch (e) {
    return refused(district, e, 'request-refused', from, remote);
  }
}

export async function receivePackage(district: District, envelope: string, remote: string): Promise<Answer> {
  let from = claimedSender(envelope);
  try {
    const { message, hash } = await opened<PackageBody>(district, envelope, 'package');
    from = message.iss;
    const request = typeof message.request_id === 'string' ? district.store.outgoing(message.request_id) : undefined;
    if (!request || request.to_code !== message.iss) throw new Refusal(403, `district ${message.iss} sent a package for a request this district did not send it`);
    if (request.status !== 'sent') throw new Refusal(409, `request ${request.id} is ${request.status}, not waiting for a package`);
    if (!message.tables || typeof message.tables !== 'object') throw new Refusal(400, 'the package holds no tables');
    once(district, message.jti, message.iss, message.iat);
    // Kept exactly as it arrived: encrypted to this district's key, readable by nobody else.
    const file = join(district.store.packagesDir, `${request.id}.jwe`);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, envelope, { mode: 0o600 });
    renameSync(temp, file);
    if (!district.store.updateOutgoing(request.id, ['sent'], 'received', { package_file: file, package_sha256: hash, received_at: district.clock().toISOString() })) throw new Refusal(409, `request ${request.id} is no longer waiting for a package`);
    const rows = Object.values(message.tables).reduce((n, t) => n + (Array.isArray(t) ? t.length : 0), 0);
    district.audit.write({ event: 'package-received', by: `district ${message.iss}`, request: request.id, district: message.iss, student: request.student_id, package_sha256: hash, rows, remote });
    return { status: 202, body: { request: request.id, status: 'received' } };
  } catch (e) {
    return refused(district, e, 'package-refused', from, remote);
  }
}

function refused(district: District, e: unknown, event: 'request-refused' | 'package-refused', from: string | undefined, remote: string): Answer {
  const status = e instanceof Refusal ? e.status : 500;
  const reason = e instanceof Refusal ? e.message : 'the service could not handle the message';
  const detail = e instanceof Refusal ? e.detail : (e as Error).message;
  district.audit.write({ event, by: from ? `district ${from}` : 'unknown', ...(from ? { district: from } : {}), reason: detail ? `${reason}: ${detail}` : reason, remote });
  return { status, body: { error: reason } };
}
