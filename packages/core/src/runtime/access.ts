// Whether a plan's credentials can do what the plan needs, asked of the systems themselves before
// a run: each connection whose connector can check access gets its references resolved and is
// asked, once per permission, by the connector. Secrets are redacted from every answer.
import type { AccessProbe } from '../connector/connector.js';
import type { ConnectorRegistry } from '../connector/registry.js';
import type { JobPlan } from '../plan/plan.js';
import { Redactor, resolveSettings, type SecretSource } from './secrets.js';

export interface ConnectionAccess {
  connection: string;
  use: string;
  /** false: the connector cannot check its access (a file folder, a database sisflow grants with `sisflow grants`). */
  checked: boolean;
  probes: AccessProbe[];
  /** Why the check could not be made (a missing secret, a server that cannot be reached). */
  error?: string;
}

export interface AccessReport {
  name: string;
  planHash: string;
  /** Every needed permission is granted (or cannot be known without using it) and every connection could be checked. */
  ok: boolean;
  connections: ConnectionAccess[];
}

export interface AccessOptions {
  registry: ConnectorRegistry;
  secrets: SecretSource;
  signal?: AbortSignal;
  /** The folder relative paths resolve against (the spec's). */
  baseDir?: string;
  /** Ask only connections of these connectors (default: every one that can be asked). */
  only?: ReadonlySet<string>;
}

export async function checkPlanAccess(plan: JobPlan, options: AccessOptions): Promise<AccessReport> {
  const redactor = new Redactor();
  const signal = options.signal ?? new AbortController().signal;
  const connections: ConnectionAccess[] = [];
  for (const [name, conn] of Object.entries(plan.connections).sort(([a], [b]) => a.localeCompare(b))) {
    const connector = options.registry.get(conn.use);
    const uses = [
      ...plan.steps.flatMap((s) => (s.kind === 'source' && s.connection === name ? [{ step: s.name, role: 'source' as const, settings: s.settings }] : [])),
      ...plan.outputs.filter((o) => o.connection === name).map((o) => ({ step: o.name, role: 'output' as const, settings: o.settings })),
    ];
    if (uses.length === 0 || (options.only && !options.only.has(conn.use))) continue;
    const entry: ConnectionAccess = { connection: name, use: conn.use, checked: !!connector?.checkAccess, probes: [] };
    connections.push(entry);
    if (!connector?.checkAccess) continue;
    try {
      const connection = resolveSettings(conn.settings, options.secrets, redactor, `connection \`${name}\``);
      const resolved = uses.map((u) => ({ ...u, settings: resolveSettings(u.settings, options.secrets, redactor, `${u.role} \`${u.step}\``) }));
      const probes = await connector.checkAccess({ connection, uses: resolved, signal, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
      const r = (t: string) => redactor.redact(t);
      entry.probes = probes.map((p) => ({ ...p, area: r(p.area), request: r(p.request), ...(p.detail !== undefined ? { detail: r(p.detail) } : {}) }));
    } catch (e) {
      entry.error = redactor.redact(e instanceof Error ? e.message : String(e));
    }
  }
  const ok = connections.every((c) => !c.error && c.probes.every((p) => !p.needed || p.status === 'granted' || p.status === 'unknown'));
  return { name: plan.name, planHash: plan.hash, ok, connections };
}
