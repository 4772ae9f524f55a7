// `sisflow serve --queue`: the schedules of every district's specs as BullMQ job schedulers (cron
// pattern in the spec's time zone), kept in Redis — they fire while this process is down, and a
// Redis with its append-only file loses none on restart. Reconciling adds new and changed
// schedules and removes those of specs and districts no longer given.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { formatDiagnostics, type ConnectorRegistry } from '@sisflow/core';
import { compileSpecFile, type Project, type SchedulerLog } from '@sisflow/service';
import { PRIORITY, ATTEMPTS, QUEUE_NAME, schedulerId, type FleetJob } from './fleet-job.js';
import { FleetError } from './fleet-error.js';
import type { QueueConnection } from './queue-connection.js';

export interface FleetSchedulerOptions {
  connection: QueueConnection;
  registry: ConnectorRegistry;
  log: SchedulerLog;
  profile?: string;
}

export interface Reconciled {
  scheduled: string[];
  removed: string[];
  /** Schedules kept because their district has a spec that no longer compiles. */
  kept: string[];
}

interface Wanted {
  pattern: string;
  tz: string;
  job: FleetJob;
}

export class FleetScheduler {
  readonly queue: Queue<FleetJob>;

  constructor(private readonly o: FleetSchedulerOptions) {
    this.queue = new Queue<FleetJob>(QUEUE_NAME, { connection: o.connection });
    this.queue.on('error', (e) => o.log.warn({}, `queue: ${e.message}`));
  }

  /** Makes the queue's schedulers those of these projects, exactly. */
  async reconcile(projects: Map<string, Project>): Promise<Reconciled> {
    const wanted = new Map<string, Wanted>();
    const unsure = new Set<string>();
    for (const [district, project] of projects) {
      for (const file of project.specs) {
        const r = compileSpecFile(file, project, { registry: this.o.registry, ...(this.o.profile ? { profile: this.o.profile } : {}) });
        if (!r.plan) {
          unsure.add(district);
          this.o.log.error({ district, file }, `invalid spec; the district's schedules are kept as they were:\n${formatDiagnostics(r.diagnostics, { color: false })}`);
          continue;
        }
        if (!r.plan.schedule) continue;
        wanted.set(schedulerId(district, r.plan.name), { pattern: r.plan.schedule.cron, tz: r.plan.schedule.timezone, job: { district, spec: r.plan.name, trigger: 'schedule' } });
      }
    }
    const existing = new Map((await this.queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
    const out: Reconciled = { scheduled: [], removed: [], kept: [] };
    for (const [id, w] of wanted) {
      const had = existing.get(id);
      if (had && had.pattern === w.pattern && had.tz === w.tz) continue;
      await this.queue.upsertJobScheduler(id, { pattern: w.pattern, tz: w.tz }, { name: 'run', data: w.job, opts: { priority: PRIORITY.schedule, attempts: ATTEMPTS, removeOnComplete: 1000, removeOnFail: 5000 } });
      out.scheduled.push(id);
      this.o.log.info({ scheduler: id, cron: w.pattern, tz: w.tz }, had ? 'schedule changed' : 'scheduled');
    }
    for (const id of existing.keys()) {
      if (wanted.has(id)) continue;
      const district = id.slice(0, id.lastIndexOf('/'));
      if (unsure.has(district)) {
        out.kept.push(id);
        continue;
      }
      await this.queue.removeJobScheduler(id);
      out.removed.push(id);
      this.o.log.info({ scheduler: id }, projects.has(district) ? 'schedule removed: the spec is gone or has no schedule' : 'schedule removed: the district is no longer served');
    }
    return out;
  }

  /** Queues a run of the spec ahead of scheduled work (`by`: who asked, recorded with the run); its run key. */
  async runNow(projects: Map<string, Project>, district: string, spec: string, by?: string): Promise<string> {
    const project = projects.get(district);
    if (!project) throw new FleetError('SF704', `no project of district ${district} was given`, `the districts given: ${[...projects.keys()].join(', ')}`);
    const run = `now-${randomUUID()}`;
    await this.queue.add('run', { district, spec, trigger: 'manual', run, ...(by ? { by } : {}) }, { jobId: run, priority: PRIORITY.now, attempts: ATTEMPTS, removeOnComplete: 1000, removeOnFail: 5000 });
    return run;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
