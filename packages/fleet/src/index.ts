// @sisflow/fleet: many districts' projects run by workers on BullMQ/Redis, with the shared
// PostgreSQL run history — `sisflow serve --queue` and `sisflow worker`.
export { FleetScheduler, type FleetSchedulerOptions, type Reconciled } from './fleet-scheduler.js';
export { FleetWorker, type FleetWorkerEvent, type FleetWorkerOptions } from './fleet-worker.js';
export { loadFleetProjects, projectFolders, projectsSignature, districtSecrets, type FleetProjectsOptions } from './fleet-projects.js';
export { queueConnection, type QueueConnection } from './queue-connection.js';
export { QUEUE_NAME, PRIORITY, schedulerId, type FleetJob } from './fleet-job.js';
export { DistrictSlots, type Slot } from './district-slots.js';
export { FleetError } from './fleet-error.js';
export { fleetConsoleSources, type FleetConsoleDistrict, type FleetConsoleOptions, type FleetConsoleSources } from './fleet-console-sources.js';
export { FleetSchedules, type FleetScheduledSpec } from './fleet-schedules.js';
export { FleetQueueDepth, MAX_LISTED_JOBS, QUEUE_STATES, type FleetQueueCounts } from './fleet-queue-depth.js';
export { SERVED_KEY, servedDistricts, isServed } from './served-districts.js';
