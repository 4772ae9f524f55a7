// `sisflow access check` for a OneRoster provider: the client gets a token (a refused client is
// the connection's error), then one cheap request (`limit=1`) per OAuth scope the spec's sources
// need, and per sensitive scope they do not (demographics, the gradebook). A write cannot be tried
// without writing: the pass-back scope is granted or refused when the token answer lists the
// client's scopes, unknown otherwise.
import type { AccessCheckRequest, AccessProbe, Settings } from '@sisflow/core';
import { probeAccess } from '../http/access-probe.js';
import { TokenSource } from './oauth.js';
import { GRADEBOOK_WRITE_SCOPE, onerosterScope } from './oneroster-api-connector.js';
import { describeFailure, providerRequest } from './provider-request.js';

/** Scopes that open what an integration should not read unless it needs it, each with an endpoint only it opens. */
const SENSITIVE: { endpoint: string; holds: string }[] = [
  { endpoint: 'demographics', holds: 'birth dates, sex, race and ethnicity' },
  { endpoint: 'results', holds: 'scores and grades' },
];

export async function checkOneRosterAccess(req: AccessCheckRequest): Promise<AccessProbe[]> {
  const c = req.connection;
  const tokens = new TokenSource(c);
  await tokens.get(req.signal);
  const needed = new Map<string, { usedBy: string[]; endpoint: string; write: boolean }>();
  const need = (scope: string, step: string, endpoint: string, write = false) => (needed.get(scope) ?? needed.set(scope, { usedBy: [], endpoint, write }).get(scope)!).usedBy.push(step);
  for (const use of req.uses) {
    if (use.role === 'source') need(onerosterScope(String(use.settings.endpoint)), use.step, String(use.settings.endpoint));
    else {
      need(GRADEBOOK_WRITE_SCOPE, use.step, String(use.settings.collection), true);
      const without = (c.schools_without_master_schedule as string[] | undefined) ?? [];
      if (without.length > 0 && use.settings.collection !== 'categories') need(onerosterScope('classes'), use.step, 'classes');
    }
  }
  const granted = tokens.grantedScopes();
  const probes: AccessProbe[] = [];
  for (const [scope, n] of [...needed].sort(([a], [b]) => a.localeCompare(b))) {
    const area = `OAuth scope ${scope}`;
    if (n.write) {
      const request = `PUT /${n.endpoint}/{sourcedId} (not sent)`;
      probes.push(granted ? { area, needed: true, usedBy: n.usedBy, status: granted.includes(scope) ? 'granted' : 'refused', request, ...(granted.includes(scope) ? {} : { detail: `the token was granted ${granted.join(' ') || 'no scope'}` }) } : { area, needed: true, usedBy: n.usedBy, status: 'unknown', request, detail: 'the provider does not list the scopes it granted, and a write cannot be tried without writing' });
    } else probes.push({ area, needed: true, usedBy: n.usedBy, ...(await probe(c, tokens, n.endpoint, req.signal)) });
  }
  for (const s of SENSITIVE) {
    const scope = onerosterScope(s.endpoint);
    if (needed.has(scope)) continue;
    probes.push({ area: `OAuth scope ${scope}`, needed: false, usedBy: [], holds: s.holds, ...(await probe(c, tokens, s.endpoint, req.signal)) });
  }
  return probes;
}

function probe(c: Settings, tokens: TokenSource, endpoint: string, signal: AbortSignal) {
  const url = `${String(c.base_url).replace(/\/+$/, '')}/${endpoint}?limit=1`;
  return probeAccess(c, url, signal, () => providerRequest(url, c, tokens, signal), (body) => `: ${describeFailure(body)}`);
}
