// One district's schedules as the status console shows them in fleet mode: the queue's BullMQ job
// schedulers of the district (pattern, time zone, next run) beside the specs of its project, and
// "run now" as a run-now job put ahead of scheduled work — the job `serve --queue --run-now` queues.
import type { JobSchedulerJson } from 'bullmq';
import { loadSpec } from '@sisflow/core';
import { readSpecFile, type Project } from '@sisflow/service';
import type { FleetJob } from './fleet-job.js';
import type { FleetScheduler } from './fleet-scheduler.js';

/** A spec as the console lists it (the shape of the console's `ScheduledSpec`). */
export interface FleetScheduledSpec {
  spec: string;
  file: string;
  schedule?: string;
  next?: string;
}

export class FleetSchedules {
  /**
   * schedulers: the queue's job schedulers, all districts' (by default read at each call; the fleet
   * console shares one read between the districts of a page).
   */
  constructor(
    private readonly scheduler: FleetScheduler,
    private readonly district: string,
    private readonly projects: () => Map<string, Project>,
    private readonly schedulers: () => Promise<JobSchedulerJson<FleetJob>[]> = () => scheduler.queue.getJobSchedulers(0, -1),
  ) {}

  /** Every spec of the district's project, with its job scheduler's pattern and next run when it has one. */
  async describe(): Promise<FleetScheduledSpec[]> {
    const prefix = `${this.district}/`;
    const schedulers = new Map((await this.schedulers()).filter((s) => s.key.startsWith(prefix)).map((s) => [s.key.slice(prefix.length), s]));
    return this.specs().map(({ spec, file }) => {
      const s = schedulers.get(spec);
      return {
        spec,
        file,
        ...(s?.pattern ? { schedule: `${s.pattern} (${s.tz ?? 'UTC'})` } : {}),
        ...(s?.next ? { next: new Date(s.next).toISOString() } : {}),
      };
    });
  }

  /** Queues a run of the spec ahead of scheduled work, for `by`; why not when the district has no such spec. */
  async runNow(spec: string, by: string): Promise<string | undefined> {
    if (!this.specs().some((s) => s.spec === spec)) return `${spec} is not a spec of district ${this.district}`;
    await this.scheduler.runNow(this.projects(), this.district, spec, by);
    return undefined;
  }

  /** The specs of the district's project by name (a spec that cannot be read is left out: its jobs fail and say why). */
  private specs(): { spec: string; file: string }[] {
    const project = this.projects().get(this.district);
    if (!project) return [];
    return project.specs.flatMap((file) => {
      const read = readSpecFile(file);
      const name = read.bytes ? loadSpec(read.bytes, file).value?.spec.name : undefined;
      return name ? [{ spec: name, file }] : [];
    });
  }
}
