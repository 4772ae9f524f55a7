// What the console serves: the districts (projects) with their history stores and, when a
// scheduler runs beside it, their schedules and "run now"; the secrets that hold the admin token.
import type { ConnectorRegistry, SecretSource } from '@sisflow/core';
import type { HistoryStore } from '@sisflow/service';

/** A spec as the scheduler knows it (the shape of `Scheduler.describe()`). */
export interface ScheduledSpec {
  spec: string;
  file: string;
  schedule?: string;
  next?: string;
}

/** The scheduler of a served project, as the console uses it. `Scheduler` satisfies it, and the fleet's job schedulers (`@sisflow/fleet`'s FleetSchedules). */
export interface ScheduleSource {
  describe(): ScheduledSpec[] | Promise<ScheduledSpec[]>;
  /** Starts (or queues) a run now for `by`, who is recorded with the run; returns why not when it cannot (absent: the console offers no "run now"). */
  runNow?(spec: string, by: string): string | undefined | Promise<string | undefined>;
}

/** The jobs of a queue (fleet mode): every state's count, and — when the jobs say — by spec. */
export interface QueueDepth {
  /** Jobs per queue state (waiting, prioritized, delayed, active, …). */
  byState: Record<string, number>;
  /** Pending jobs per district, spec and state; absent when the queue is too long to list them at each scrape. */
  bySpec?: { district: string; spec: string; state: string; count: number }[];
}

/** A fleet's queue, plugged in so /metrics exports its depth (`@sisflow/fleet`'s FleetQueueDepth); without it, no queue metric. */
export interface QueueDepthSource {
  depth(): Promise<QueueDepth> | QueueDepth;
}

export interface ConsoleDistrict {
  /** The district's name (sisflow.yaml `district.name`). */
  name: string;
  /** The project folder. */
  dir: string;
  store: HistoryStore;
  schedule?: ScheduleSource;
  /** Resolves this district's held outputs' connections on approve (a fleet has a secrets folder per district); default: the console's. */
  secrets?: SecretSource;
}

export interface ConsoleOptions {
  districts: ConsoleDistrict[];
  /** Publishes held outputs on approve (the connectors of the project). */
  registry: ConnectorRegistry;
  /** Holds the admin token, and resolves held outputs' connections on approve (unless the district has its own). */
  secrets: SecretSource;
  queue?: QueueDepthSource;
  /** The session cookie is marked Secure (served over TLS). */
  secureCookies?: boolean;
  /** Told of every decision and "run now" (who, what), and of refused logins. */
  audit?(entry: AuditEntry): void;
  /** Told of a page that failed (a bug, a store that does not answer). */
  onError?(error: Error): void;
  now?: () => Date;
}

export interface AuditEntry {
  action: 'approve' | 'discard' | 'run-now' | 'login' | 'login-refused';
  by: string;
  district?: string;
  spec?: string;
  run?: string;
  outcome: string;
}

/** The secret that holds the console's admin token (looked up like every `${secret:…}`). */
export const ADMIN_TOKEN_SECRET = 'console_admin_token';
