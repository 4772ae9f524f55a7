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

/** The scheduler of a served project, as the console uses it. `Scheduler` satisfies it. */
export interface ScheduleSource {
  describe(): ScheduledSpec[];
  /** Starts (or queues) a run now for `by`, who is recorded with the run; returns why not when it cannot (absent: the console offers no "run now"). */
  runNow?(spec: string, by: string): string | undefined | Promise<string | undefined>;
}

/**
 * How many runs wait in a queue, by spec (fleet mode). The fleet's queue plugs in here; without it
 * the console exports no queue metric.
 */
export interface QueueDepthSource {
  depth(): Promise<Record<string, number>> | Record<string, number>;
}

export interface ConsoleDistrict {
  /** The district's name (sisflow.yaml `district.name`). */
  name: string;
  /** The project folder. */
  dir: string;
  store: HistoryStore;
  schedule?: ScheduleSource;
}

export interface ConsoleOptions {
  districts: ConsoleDistrict[];
  /** Publishes held outputs on approve (the connectors of the project). */
  registry: ConnectorRegistry;
  /** Resolves held outputs' connections on approve, and holds the admin token. */
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
