// `sisflow doctor SPEC`: before the first run, everything a spec needs from this machine, at once —
// every environment value and secret that has no value, then each connection asked, without moving
// data, whether it works (log-in, host key, the grants or files or folders the spec needs). Exit 1
// on any problem. Secret values are never printed.
import { dirname, resolve } from 'node:path';
import { checkPlanAccess, missingReferences, type AccessProbe } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { environmentSecrets, EXIT, type Out } from '../io.js';
import { compileForVerb, type CompileFlags } from './validate.js';

const LABEL: Record<AccessProbe['status'], string> = { granted: 'ok', refused: 'REFUSED', 'not found': 'NOT FOUND', failed: 'FAILED', unknown: 'unknown' };

export async function doctor(file: string, flags: CompileFlags & { json?: boolean }, out: Out, signal?: AbortSignal): Promise<number> {
  const plan = compileForVerb(file, flags, out);
  if (!plan) return EXIT.failed;
  const secrets = environmentSecrets();
  const missing = missingReferences(plan, secrets);
  const access = await checkPlanAccess(plan, { registry: defaultRegistry(), secrets, baseDir: resolve(dirname(file)), ...(signal ? { signal } : {}) });
  const problems =
    missing.length +
    access.connections.reduce((n, c) => n + (c.error && !missing.length ? 1 : 0) + c.probes.filter((p) => p.needed && p.status !== 'granted' && p.status !== 'unknown').length, 0);
  if (flags.json) {
    out.stdout(JSON.stringify({ name: plan.name, ok: problems === 0, missing, connections: access.connections }, null, 2));
    return problems === 0 ? EXIT.ok : EXIT.failed;
  }
  const lines = [`doctor ${plan.name}${plan.profile ? ` (profile ${plan.profile})` : ''}`];
  lines.push('', 'settings');
  if (missing.length === 0) lines.push('  ok       every ${env:…} and ${secret:…} the spec uses has a value');
  for (const m of missing) lines.push(`  MISSING  \${${m.kind}:${m.name}}  for ${m.usedBy.join('; ')}: ${m.error ?? m.how}`);
  lines.push('', 'connections');
  for (const c of access.connections) {
    lines.push(`  ${c.connection} (${c.use})`);
    if (!c.checked) {
      lines.push('    not checked: sisflow cannot ask this kind of connection without using it');
      continue;
    }
    if (c.error) {
      lines.push(missing.length ? '    not checked: it needs the settings above' : `    FAILED   ${c.error}`);
      continue;
    }
    for (const p of c.probes.filter((x) => x.needed)) lines.push(`    ${LABEL[p.status].padEnd(9)}${p.area}${p.status === 'granted' ? (p.detail ? `  (${p.detail})` : '') : `  (${p.detail ?? p.request})`}`);
    for (const p of c.probes.filter((x) => !x.needed && x.status === 'granted')) lines.push(`    warning  the key can also read ${p.area} (${p.holds ?? 'not needed'}), which this spec does not need`);
  }
  lines.push('', problems === 0 ? 'no problems found' : `${problems} problem(s) found`);
  out.stdout(lines.join('\n'));
  return problems === 0 ? EXIT.ok : EXIT.failed;
}
