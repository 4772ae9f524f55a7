// `sisflow access check SPEC`: asks each API the spec uses whether its key has the permissions the
// spec needs (one cheap request per area, by the connector), and whether it can read sensitive
// areas the spec does not need. Exit 1 when a needed one is refused. Credentials are never printed.
import { dirname, resolve } from 'node:path';
import { checkPlanAccess, type AccessReport } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { environmentSecrets, EXIT, type Out } from '../io.js';
import { compileForVerb, type CompileFlags } from './validate.js';

/** This check is about API keys and their permission areas; `sisflow doctor` asks every connection. */
const API_CONNECTORS = new Set(['aeries-api', 'oneroster-api']);

export async function accessCheck(file: string, flags: CompileFlags & { json?: boolean }, out: Out, signal?: AbortSignal): Promise<number> {
  const plan = compileForVerb(file, flags, out);
  if (!plan) return EXIT.failed;
  const report = await checkPlanAccess(plan, { registry: defaultRegistry(), secrets: environmentSecrets(), baseDir: resolve(dirname(file)), only: API_CONNECTORS, ...(signal ? { signal } : {}) });
  if (flags.json) out.stdout(JSON.stringify(report, null, 2));
  else out.stdout(describeAccess(report));
  return report.ok ? EXIT.ok : EXIT.failed;
}

const LABEL = { granted: 'granted', refused: 'REFUSED', 'not found': 'NOT FOUND', failed: 'FAILED', unknown: 'unknown' } as const;

export function describeAccess(report: AccessReport): string {
  const lines = [`${report.name}: access ${report.ok ? 'ok' : 'NOT ok'}`];
  // Files, databases and the like are left out: their rights are not a key's (`sisflow grants` prints SQL Server's).
  for (const c of report.connections.filter((x) => x.checked)) {
    lines.push('', `connection ${c.connection} (${c.use})`);
    if (c.error) lines.push(`  error: ${c.error}`);
    const needed = c.probes.filter((p) => p.needed);
    const width = Math.max(0, ...needed.map((p) => p.area.length));
    for (const p of needed) {
      lines.push(`  ${LABEL[p.status].padEnd(9)}  ${p.area.padEnd(width)}  for ${p.usedBy.join(', ')}${p.status === 'granted' ? '' : `  (${p.request}: ${p.detail ?? 'no answer'})`}`);
    }
    const extra = c.probes.filter((p) => !p.needed && p.status === 'granted');
    for (const p of extra) lines.push(`  warning: the key can also read ${p.area} (${p.holds ?? 'not needed'}), which this spec does not need; ask the district to remove it`);
    const unsure = c.probes.filter((p) => !p.needed && p.status === 'failed');
    for (const p of unsure) lines.push(`  note: could not tell whether the key can read ${p.area} (${p.detail ?? 'no answer'})`);
    const refused = needed.filter((p) => p.status !== 'granted' && p.status !== 'unknown');
    if (refused.length > 0) lines.push(`  ${refused.length} needed permission(s) missing: grant ${refused.map((p) => p.area).join('; ')}`);
  }
  if (!report.connections.some((c) => c.checked)) lines.push('  nothing to check: no connection of this spec is an API sisflow can ask about its permissions');
  return lines.join('\n');
}
