// A failure of a connection itself — reaching its server, its host key, the log-in — rather than
// of what one source or output did with it. Connectors mark such errors; the runtime then names the
// connection and everything that uses it, never whichever output happened to connect first.
import type { JobPlan } from '../plan/plan.js';

const MARK = Symbol.for('sisflow.connectionFailure');

/** Marks an error as the connection's own failure (and returns it, to throw). */
export function connectionFailure<E extends Error>(e: E): E {
  (e as E & { [MARK]?: true })[MARK] = true;
  return e;
}

export function isConnectionFailure(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { [MARK]?: true })[MARK] === true;
}

/** What uses a connection in a plan, in plan order: `source students`, `output patrons_csv`, `rejects`, `notification import_log`. */
export function connectionUsers(plan: JobPlan, connection: string): string[] {
  return [
    ...plan.steps.filter((s) => s.kind === 'source' && s.connection === connection).map((s) => `source ${s.name}`),
    ...plan.outputs.filter((o) => o.connection === connection).map((o) => `output ${o.name}`),
    ...(plan.rejects.to === connection ? ['rejects'] : []),
    ...(plan.notify ?? []).filter((n) => n.connection === connection).map((n) => `notification ${n.name}`),
  ];
}

/** `connection destiny_sftp (used by output patrons_csv, rejects)`, the prefix of a connection's failure. */
export function connectionLabel(plan: JobPlan, connection: string): string {
  const users = connectionUsers(plan, connection);
  return `connection ${connection}${users.length ? ` (used by ${users.join(', ')})` : ''}`;
}
