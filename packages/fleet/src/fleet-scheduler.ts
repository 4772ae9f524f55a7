// `sisflow serve --queue`: the schedules of every district's specs as BullMQ job schedulers (cron
// pattern in the spec's time zone), kept in Redis — they fire while this process is down, and a
// Redis with its append-only file loses none on restart. Reconciling adds new and changed
// schedules, removes those of specs and districts no longer given, and records what the fleet
// serves (served-districts.ts), which the workers go by.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { formatDiagnostics, type ConnectorRegistry } from '@sisflow/core';
import { compileSpecFile, type Project, type SchedulerLog } from '@sisflow/service';
import { PRIORITY, ATTEMPTS, QUEUE_NAME, schedulerId, type FleetJob } from './fleet-job.js';
import { FleetError } from './fleet-error.js';
import type { QueueConnection } from './queue-connection.js';
import { recordServed, recordServedSpec, servedDistricts } from './served-districts.js';

/** BullMQ's error code when a scheduler's next job id is taken by an existing job. */
const SCHEDULER_JOB_ID_COLLISION = -10;

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
  /** Our own connection, for the record of what the fleet serves. */
  private readonly redis: Redis;

  constructor(private readonly o: FleetSchedulerOptions) {
    this.queue = new Queue<FleetJob>(QUEUE_NAME, { connection: o.connection });
    this.redis = new Redis(o.connection.url, { maxRetriesPerRequest: null });
    this.redis.on('error', (e: Error) => o.log.warn({}, `queue: ${e.message}`));
    this.queue.on('error', (e) => o.log.warn({}, `queue: ${e.message}`));
  }

  /** Makes the queue's schedulers those of these projects, exactly. */
  async reconcile(projects: Map<string, Project>): Promise<Reconciled> {
    const wanted = new Map<string, Wanted>();
    const unsure = new Set<string>();
    const served = new Map<string, string[]>();
    for (const [district, project] of projects) {
      served.set(district, []);
      for (const file of project.specs) {
        const r = compileSpecFile(file, project, { registry: this.o.registry, ...(this.o.profile ? { profile: this.o.profile } : {}) });
        if (!r.plan) {
          unsure.add(district);
          this.o.log.error({ district, file }, `invalid spec; the district's schedules are kept as they were:\n${formatDiagnostics(r.diagnostics, { color: false })}`);
          continue;
        }
        served.get(district)!.push(r.plan.name);
        if (!r.plan.schedule) continue;
        wanted.set(schedulerId(district, r.plan.name), { pattern: r.plan.schedule.cron, tz: r.plan.schedule.timezone, job: { district, spec: r.plan.name, trigger: 'schedule' } });
      }
    }
    const redis = this.redis;
    // A district with a spec that does not compile keeps the specs it was served with: that spec's name is not known now.
    const before = await servedDistricts(redis);
    for (const district of unsure) served.set(district, [...served.get(district)!, ...(before.get(district) ?? [])]);
    await recordServed(redis, served);
    const existing = new Map((await this.queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
    const out: Reconciled = { scheduled: [], removed: [], kept: [] };
    for (const [id, w] of wanted) {
      const had = existing.get(id);
      if (had && had.pattern === w.pattern && had.tz === w.tz) continue;
      await this.upsert(id, w);
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

  private async upsert(id: string, w: Wanted): Promise<void> {
    const add = () => this.queue.upsertJobScheduler(id, { pattern: w.pattern, tz: w.tz }, { name: 'run', data: w.job, opts: { priority: PRIORITY.schedule, attempts: ATTEMPTS, removeOnComplete: 1000, removeOnFail: 5000 } });
    try {
      await add();
    } catch (e) {
      if ((e as { code?: number }).code !== SCHEDULER_JOB_ID_COLLISION) throw e;
      // A finished job of an earlier scheduler of this id (the district removed and given again the
      // same day, or its due job run early) holds the id of the next firing: it is history, it goes.
      const stale = (await this.queue.getJobs(['completed', 'failed'])).filter((j) => j.id?.startsWith(`repeat:${id}:`));
      for (const j of stale) await j.remove();
      this.o.log.warn({ scheduler: id, removed: stale.map((j) => j.id) }, 'finished jobs of an earlier schedule of this spec held the id of its next firing; they were removed');
      await add();
    }
  }

  /** Queues a run of the spec ahead of scheduled work (`by`: who asked, recorded with the run); its run key. */
  async runNow(projects: Map<string, Project>, district: string, spec: string, by?: string): Promise<string> {
    const project = projects.get(district);
    if (!project) throw new FleetError('SF704', `no project of district ${district} was given`, `the districts given: ${[...projects.keys()].join(', ')}`);
    const run = `now-${randomUUID()}`;
    // Asked for before `serve --queue` recorded the spec: its job is not dropped as "not served".
    await recordServedSpec(this.redis, district, spec);
    await this.queue.add('run', { district, spec, trigger: 'manual', run, ...(by ? { by } : {}) }, { jobId: run, priority: PRIORITY.now, attempts: ATTEMPTS, removeOnComplete: 1000, removeOnFail: 5000 });
    return run;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}
