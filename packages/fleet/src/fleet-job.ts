// What a queued job holds: names and ids only — the district, the spec, the trigger and the run key.
// Never settings or secrets: a worker finds the district's project folder and its secrets itself.
import type { RunTrigger } from '@sisflow/service';

/** The one BullMQ queue of a fleet (districts share it; fairness comes from the district slots). */
export const QUEUE_NAME = 'sisflow-runs';

export interface FleetJob {
  /** The district (the project's `district: name:`), the fleet's tenant. */
  district: string;
  /** The spec's `name:`. */
  spec: string;
  trigger: Extract<RunTrigger, 'schedule' | 'manual'>;
  /** The run key of a run-now job; a scheduled job's key is its BullMQ id (scheduler and time). */
  run?: string;
  /** Who asked for a run-now job (the console's signed-in admin), recorded with its run. */
  by?: string;
}

/** BullMQ priorities: lower runs first. A run asked for now goes ahead of scheduled work. */
export const PRIORITY = { now: 1, schedule: 10 } as const;

/** How often a job is tried when its worker stops (SIGTERM) before it finishes. */
export const ATTEMPTS = 3;

export function schedulerId(district: string, spec: string): string {
  return `${district}/${spec}`;
}
