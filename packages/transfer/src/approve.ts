// The prior district decides: approving a request runs the send spec for the matched student
// (the package is sealed and delivered in that run); denying records why. Both are audited.
import { operator } from './audit.js';
import type { District } from './district.js';
import type { IncomingRequest } from './state.js';

export interface ApproveOptions {
  /** This district's student ID, when the request matched nobody or the match is to be overridden. */
  student?: number;
  /** A match by name and birth date only is a guess: a person confirms it. */
  confirmMatch?: boolean;
  signal?: AbortSignal;
}

export interface Approval {
  request: IncomingRequest;
  student: number;
  rows: number;
  packageSha256?: string;
}

export async function approveRequest(district: District, id: string, o: ApproveOptions = {}): Promise<Approval> {
  const r = district.store.incoming(id);
  if (!r) throw new Error(`there is no received request ${id} (sisflow transfer list shows them)`);
  if (r.status !== 'pending' && r.status !== 'failed') throw new Error(`request ${id} is ${r.status}, not pending`);
  const student = o.student ?? r.match_id;
  if (student === null || student === undefined) throw new Error(`request ${id} matched no student here: find the student and approve with --student ID`);
  if (o.student === undefined && r.match_kind === 'name-birth-date' && !o.confirmMatch) {
    throw new Error(`request ${id} matched student ${student} by name and birth date only: check it is the same student, then approve with --confirm-match (or --student ID)`);
  }
  // The registry is checked again now: a district revoked since it asked gets nothing.
  const registry = await district.registry(o.signal);
  registry.district(r.from_code, 'the requesting');
  if (!district.store.decideIncoming(id, ['pending', 'failed'], 'approved', { match_id: student })) throw new Error(`request ${id} was decided meanwhile`);
  district.audit.write({ event: 'approved', by: operator(), request: id, district: r.from_code, student, ...(r.student.ssid ? { ssid: r.student.ssid } : {}) });
  const hashes: string[] = [];
  const { report } = await district.runSpec(
    district.config.sendSpec,
    { student_id: String(student), request_id: id, recipient: r.from_code },
    {
      ...(o.signal ? { signal: o.signal } : {}),
      log: (line) => {
        const m = /sha256 ([0-9a-f]{64})/.exec(line);
        if (m) hashes.push(m[1]!);
        district.options.log?.(line);
      },
    },
  );
  const rows = Object.values(report.outputs).reduce((n, x) => n + x.rows, 0);
  if (!report.ok) {
    district.store.decideIncoming(id, ['approved'], 'failed', { reason: report.error ?? 'the send run failed' });
    district.audit.write({ event: 'send-failed', by: operator(), request: id, district: r.from_code, student, reason: report.error ?? 'the send run failed' });
    throw new Error(`the records of request ${id} were not sent: ${report.error ?? 'the send run failed'}`);
  }
  district.store.decideIncoming(id, ['approved'], 'sent', { ...(hashes[0] ? { package_sha256: hashes[0] } : {}) });
  district.audit.write({ event: 'package-sent', by: operator(), request: id, district: r.from_code, student, rows, ...(hashes[0] ? { package_sha256: hashes[0] } : {}) });
  return { request: district.store.incoming(id)!, student, rows, ...(hashes[0] ? { packageSha256: hashes[0] } : {}) };
}

export function denyRequest(district: District, id: string, reason: string): IncomingRequest {
  const r = district.store.incoming(id);
  if (!r) throw new Error(`there is no received request ${id}`);
  if (!reason.trim()) throw new Error('say why the request is denied (--reason)');
  if (!district.store.decideIncoming(id, ['pending', 'failed'], 'denied', { reason })) throw new Error(`request ${id} is ${r.status}, not pending`);
  district.audit.write({ event: 'denied', by: operator(), request: id, district: r.from_code, student: r.match_id, reason });
  return district.store.incoming(id)!;
}
