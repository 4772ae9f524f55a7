// @sisflow/console: the status console and metrics of `sisflow serve --http` — districts, their
// integrations, runs, held outputs and the audit, as server-rendered pages; /metrics for Prometheus.
export { createConsoleApp, type ConsoleApp } from './console-app.js';
export { startConsole, type RunningConsole, type StartOptions } from './server/start-console.js';
export { httpSettings, type HttpFlags, type HttpSettings } from './server/http-flags.js';
export { parseListenAddress, refuseAddress, isLoopback, type ListenAddress } from './server/listen-address.js';
export { ConsoleMetrics, DURATION_BUCKETS } from './metrics/console-metrics.js';
export { ADMIN_TOKEN_SECRET, type AuditEntry, type ConsoleDistrict, type ConsoleOptions, type QueueDepth, type QueueDepthSource, type ScheduledSpec, type ScheduleSource } from './console-options.js';
