// Every `${env:…}` and `${secret:…}` a plan needs that has no value here, all at once: a run stops
// at the first one, so a new installation would learn them one failed run at a time.
import type { Settings } from '../connector/connector.js';
import { scanReferences } from '../check/references.js';
import type { JobPlan } from '../plan/plan.js';
import type { SecretSource } from './secrets.js';

export interface MissingReference {
  kind: 'env' | 'secret';
  name: string;
  /** Where the plan uses it: `connection destiny: password`. */
  usedBy: string[];
  /** How to give it a value. */
  how: string;
  /** The lookup itself failed (two spellings of a secret with different values). */
  error?: string;
}

export function missingReferences(plan: JobPlan, secrets: SecretSource): MissingReference[] {
  const found = new Map<string, MissingReference>();
  const visit = (value: unknown, where: string) => {
    if (typeof value === 'string') {
      for (const r of scanReferences(value).refs) {
        let error: string | undefined;
        let v: string | undefined;
        try {
          v = r.kind === 'env' ? secrets.env(r.name) : secrets.secret(r.name);
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        if (v !== undefined && !error) continue;
        const key = `${r.kind}:${r.name}`;
        const how = r.kind === 'env' ? `set the environment variable ${r.name}` : `set SISFLOW_SECRET_${r.name.toUpperCase()}, or put it in a file named ${r.name} under SISFLOW_SECRETS_DIR`;
        const m = found.get(key) ?? { kind: r.kind, name: r.name, usedBy: [], how, ...(error ? { error } : {}) };
        if (!m.usedBy.includes(where)) m.usedBy.push(where);
        found.set(key, m);
      }
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, Array.isArray(value) ? where : `${where}${where.endsWith(':') ? ' ' : '.'}${k}`);
    }
  };
  const settings = (s: Settings, where: string) => {
    for (const [k, v] of Object.entries(s)) visit(v, `${where}: ${k}`);
  };
  const used = new Set([...plan.steps.flatMap((s) => (s.kind === 'source' ? [s.connection] : [])), ...plan.outputs.map((o) => o.connection), ...(plan.notify ?? []).map((n) => n.connection)]);
  for (const [name, c] of Object.entries(plan.connections)) if (used.has(name)) settings(c.settings, `connection ${name}`);
  for (const s of plan.steps) if (s.kind === 'source') settings(s.settings, `source ${s.name}`);
  for (const o of plan.outputs) settings(o.settings, `output ${o.name}`);
  for (const n of plan.notify ?? []) settings(n.settings, `notify ${n.name}`);
  return [...found.values()].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'env' ? -1 : 1));
}
