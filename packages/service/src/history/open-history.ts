// Where a run's history lives — the one place that chooses the store: the shared PostgreSQL history
// when `--history URL` or the project's `history: { url: … }` names one, else the embedded file
// `.sisflow/history.db` of the project (or, for a spec outside any project, of the spec's folder).
import { join } from 'node:path';
import { historyUrlProblem, MissingReferenceError, Redactor, resolveSettings, type SecretSource } from '@sisflow/core';
import type { Project } from '../project/open-project.js';
import { HistoryError } from './history-error.js';
import type { HistoryStore } from './history-store.js';
import { PostgresHistory } from './postgres-history.js';
import { SqliteHistory } from './sqlite-history.js';

export function historyPath(folder: string): string {
  return join(folder, '.sisflow', 'history.db');
}

export interface HistoryChoice {
  /** `--history URL`: wins over the project's `history: url:`. */
  url?: string;
  /** The project the history belongs to (its district is the tenant of a shared history). */
  project?: Project;
  /** Resolves `${secret:…}` in the URL. */
  secrets?: SecretSource;
}

/** The URL of the shared history chosen, unresolved (`${secret:…}` as written), or undefined for the embedded file. */
export function historyUrl(o: HistoryChoice): string | undefined {
  return o.url ?? o.project?.config.history?.url;
}

/**
 * Opens the history chosen. A PostgreSQL history connects on first use; what goes wrong (a bad URL,
 * a secret without a value, a refused connection) is a HistoryError with its code.
 */
export function openHistory(folder: string, o: HistoryChoice = {}): HistoryStore {
  const url = historyUrl(o);
  if (!url) return SqliteHistory.open(historyPath(folder));
  const problem = historyUrlProblem(url);
  if (problem) throw new HistoryError(problem.code, problem.message, problem.hint);
  if (!o.project) {
    throw new HistoryError('SF700', `${folder} is not a project folder: a shared PostgreSQL history keeps each district's runs apart, and the district is the project's`, 'give the project folder (`-C DIR`), the one with the sisflow.yaml');
  }
  const { resolved, redactor } = resolveSecretUrl(url, o.secrets, 'the history URL');
  return PostgresHistory.open(resolved, o.project.config.district.name, redactor);
}

/** A URL with its `${secret:…}` references resolved, and a redactor that knows their values. */
export function resolveSecretUrl(url: string, secrets: SecretSource | undefined, what: string): { resolved: string; redactor: Redactor } {
  const redactor = new Redactor();
  try {
    return { resolved: String(resolveSettings({ url }, secrets ?? { env: () => undefined, secret: () => undefined }, redactor, what).url), redactor };
  } catch (e) {
    if (e instanceof MissingReferenceError) throw new HistoryError('SF702', e.message);
    throw e;
  }
}
