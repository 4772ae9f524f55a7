// @sisflow/service: keeping specs running unattended — project folders, the run history, recorded
// runs with guards and approval, alerts, and the scheduler of `sisflow serve`.
export * from './project/index.js';
export type * from './history/history-store.js';
export { SqliteHistory } from './history/sqlite-history.js';
export { HISTORY_MIGRATIONS } from './history/sqlite-migrations.js';
export { openHistory, historyPath, historyUrl, resolveSecretUrl, type HistoryChoice } from './history/open-history.js';
export { PostgresHistory, HistoryUnreachableError, describeUrl } from './history/postgres-history.js';
export { POSTGRES_MIGRATIONS } from './history/postgres-migrations.js';
export { HistoryError } from './history/history-error.js';
export { reportFigures, type RunFigures } from './history/run-figures.js';
export { GuardWatch } from './guard/guard-watch.js';
export { runRecorded, type RecordedRun, type RecordedRunOptions } from './runs/run-recorded.js';
export { approveRun, discardRun, type Decision } from './runs/decide-held.js';
export { projectAlerts, type Alerts } from './alerts/project-alerts.js';
export { runAlerts, sourceCounts, type FinishedRun } from './alerts/run-alerts.js';
export { Scheduler, type SchedulerEvent, type SchedulerLog, type SchedulerOptions } from './serve/scheduler.js';
export { ManualClock, systemClock, type Clock } from './serve/clock.js';
export { isTransient } from './serve/transient.js';
export { serviceLogger } from './serve/logger.js';
