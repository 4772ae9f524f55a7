// Where a run's history lives: the project's `.sisflow/history.db`, or for a spec outside any
// project, `.sisflow/history.db` in the spec's folder.
import { join } from 'node:path';
import type { HistoryStore } from './history-store.js';
import { SqliteHistory } from './sqlite-history.js';

export function historyPath(folder: string): string {
  return join(folder, '.sisflow', 'history.db');
}

/** The embedded store of a folder; the only store so far (a fleet's PostgreSQL store comes next). */
export function openHistory(folder: string): HistoryStore {
  return SqliteHistory.open(historyPath(folder));
}
