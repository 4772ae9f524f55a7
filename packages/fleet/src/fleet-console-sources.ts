// What the status console serves in fleet mode (`sisflow serve --queue … --http ADDRESS`): one
// district per project with its history (the shared PostgreSQL one, opened as a worker opens it) and
// its secrets, its schedules from the queue's job schedulers, and the queue's depth. Shaped as the
// console's ConsoleDistrict and QueueDepthSource, without this package depending on the console.
import type { JobSchedulerJson } from 'bullmq';
import type { ConnectorRegistry, SecretSource } from '@sisflow/core';
import { openHistory, type HistoryStore, type Project, type SchedulerLog } from '@sisflow/service';
import type { FleetJob } from './fleet-job.js';
import { FleetQueueDepth } from './fleet-queue-depth.js';
import { districtSecrets } from './fleet-projects.js';
import { FleetScheduler } from './fleet-scheduler.js';
import { FleetSchedules } from './fleet-schedules.js';
import type { QueueConnection } from './queue-connection.js';

export interface FleetConsoleOptions {
  connection: QueueConnection;
  registry: ConnectorRegistry;
  /** The district projects served, by district (loadFleetProjects). */
  projects: Map<string, Project>;
  /** `--history URL` for every project. */
  history?: string;
  /** Told when the queue's connection fails (Redis down): the pages say they cannot answer meanwhile. */
  log?: SchedulerLog;
}

export interface FleetConsoleDistrict {
  name: string;
  dir: string;
  store: HistoryStore;
  schedule: FleetSchedules;
  secrets: SecretSource;
}

export interface FleetConsoleSources {
  districts: FleetConsoleDistrict[];
  queue: FleetQueueDepth;
  /** Closes the histories and the queue connection. */
  close(): Promise<void>;
}

export function fleetConsoleSources(o: FleetConsoleOptions): FleetConsoleSources {
  const scheduler = new FleetScheduler({ connection: o.connection, registry: o.registry, log: o.log ?? { info: () => undefined, warn: () => undefined, error: () => undefined } });
  const projects = () => o.projects;
  // The districts of one page ask at once: one read of the queue's schedulers answers them all.
  let reading: Promise<JobSchedulerJson<FleetJob>[]> | undefined;
  const schedulers = () => (reading ??= scheduler.queue.getJobSchedulers(0, -1).finally(() => (reading = undefined)));
  const districts: FleetConsoleDistrict[] = [];
  try {
    for (const [name, project] of [...o.projects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const secrets = districtSecrets(name);
      const store = openHistory(project.dir, { ...(o.history ? { url: o.history } : {}), project, secrets });
      districts.push({ name, dir: project.dir, store, schedule: new FleetSchedules(scheduler, name, projects, schedulers), secrets });
    }
  } catch (e) {
    void Promise.all([...districts.map((d) => d.store.close()), scheduler.close()]);
    throw e;
  }
  return {
    districts,
    queue: new FleetQueueDepth(scheduler.queue),
    close: async () => {
      await Promise.all(districts.map((d) => d.store.close()));
      await scheduler.close();
    },
  };
}
