// `sisflow access check` for the Aeries API: one cheap request (the first record) per security
// area the spec's sources need, then one per sensitive area they do not need, each answered
// granted, refused (401/403), not found (404) or failed. Throttling and server errors are retried
// like a run retries them; the certificate is never part of an answer.
import type { AccessCheckRequest, AccessProbe, Settings } from '@sisflow/core';
import { probeAccess } from '../http/access-probe.js';
import { aeriesGet, aeriesUrl } from './aeries-api-read.js';
import { securityArea, SENSITIVE_AREAS } from './security-areas.js';

export async function checkAeriesAccess(req: AccessCheckRequest): Promise<AccessProbe[]> {
  const needed = new Map<string, { usedBy: string[]; path: string }>();
  let school: number | undefined;
  for (const use of req.uses) {
    if (use.role !== 'source') continue;
    const endpoint = String(use.settings.endpoint);
    const first = (use.settings.schools as number[] | undefined)?.[0];
    school ??= first;
    const area = (use.settings.area as string | undefined) ?? securityArea(endpoint) ?? endpoint;
    const entry = needed.get(area) ?? needed.set(area, { usedBy: [], path: endpoint.replaceAll('{school}', String(first)) }).get(area)!;
    entry.usedBy.push(use.step);
  }
  const probes: AccessProbe[] = [];
  for (const [area, { usedBy, path }] of [...needed].sort(([a], [b]) => a.localeCompare(b))) {
    probes.push({ area, needed: true, usedBy, ...(await probe(req.connection, path, req.signal)) });
  }
  // School 0 is the district in Aeries: the place to ask when the spec names no school.
  for (const s of SENSITIVE_AREAS) {
    if (needed.has(s.name)) continue;
    probes.push({ area: s.name, needed: false, usedBy: [], holds: s.what, ...(await probe(req.connection, s.probe.replaceAll('{school}', String(school ?? 0)), req.signal)) });
  }
  return probes;
}

function probe(c: Settings, path: string, signal: AbortSignal) {
  const url = aeriesUrl(c, path, new URLSearchParams({ StartingRecord: '1', EndingRecord: '1' }));
  return probeAccess(c, url, signal, () => aeriesGet(url, c, signal), message);
}

/** Aeries' `{ "Message": … }`, shortened. */
function message(body: string): string {
  try {
    const m = (JSON.parse(body) as { Message?: unknown }).Message;
    return typeof m === 'string' && m !== '' ? `: ${m.slice(0, 160)}` : '';
  } catch {
    return '';
  }
}
