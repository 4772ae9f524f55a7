// The fleet queue's depth for /metrics: the count of every state (BullMQ getJobCounts, exact), and the
// pending jobs by district and spec read from their data (names only) — left out when more jobs are
// pending than a scrape should read, so a scrape stays cheap whatever the backlog.
import type { Queue } from 'bullmq';
import type { FleetJob } from './fleet-job.js';

/** The states counted: pending work, and jobs that failed every attempt (kept for a look). */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children', 'failed'] as const;
/** The states broken down by spec. */
const PENDING = ['waiting', 'prioritized', 'delayed', 'active'] as const;
/** At most this many pending jobs are read per scrape for the breakdown by spec. */
export const MAX_LISTED_JOBS = 5000;

export interface FleetQueueCounts {
  byState: Record<string, number>;
  bySpec?: { district: string; spec: string; state: string; count: number }[];
}

export class FleetQueueDepth {
  constructor(private readonly queue: Queue<FleetJob>) {}

  async depth(): Promise<FleetQueueCounts> {
    const byState = await this.queue.getJobCounts(...QUEUE_STATES);
    const pending = PENDING.reduce((n, s) => n + (byState[s] ?? 0), 0);
    if (pending > MAX_LISTED_JOBS) return { byState };
    const counts = new Map<string, { district: string; spec: string; state: string; count: number }>();
    for (const state of PENDING) {
      if (!byState[state]) continue;
      for (const job of await this.queue.getJobs([state], 0, MAX_LISTED_JOBS - 1)) {
        if (!job?.data?.district || !job.data.spec) continue;
        const key = JSON.stringify([job.data.district, job.data.spec, state]);
        const c = counts.get(key) ?? { district: job.data.district, spec: job.data.spec, state, count: 0 };
        c.count++;
        counts.set(key, c);
      }
    }
    return { byState, bySpec: [...counts.values()].sort((a, b) => (a.district + a.spec + a.state < b.district + b.spec + b.state ? -1 : 1)) };
  }
}
