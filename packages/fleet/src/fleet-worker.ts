// `sisflow worker`: takes jobs from the fleet's queue and runs them as recorded runs in the shared
// history. What keeps the fleet correct:
// - per spec, one run at a time across every worker: the history's begin lock (a PostgreSQL
//   session lock held by the run's connection);
// - per district, at most `districtConcurrency` runs at once: district slots (also session locks);
//   a job whose district is full goes back to the queue, delayed, behind the other districts' jobs —
//   which is also what keeps one district's 40 jobs from starving the others;
// - a job is run at most once to its end: its run key is recorded with the run, and a job delivered
//   again (stalled, duplicated, after a Redis restart) whose run ended ok or held is acknowledged
//   without running. A worker killed mid-run: BullMQ's stalled-job check hands the job to another
//   worker, whose begin marks the dead run failed (its lock went with its connection) and runs it;
//   the sinks publish atomically, so the killed run left nothing half-written;
// - a job is dropped only when the fleet no longer serves its district or spec (served-districts.ts,
//   recorded by `serve --queue`): a worker whose own folders lack them leaves the job for another.
import { dirname } from 'node:path';
import { DelayedError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { loadSpec, type ConnectorRegistry, type JobPlan } from '@sisflow/core';
import { compileSpecFile, HistoryError, historyUrl, openHistory, readSpecFile, resolveSecretUrl, runRecorded, type HistoryStore, type Project, type SchedulerLog } from '@sisflow/service';
import { DistrictSlots } from './district-slots.js';
import { QUEUE_NAME, type FleetJob } from './fleet-job.js';
import { districtSecrets } from './fleet-projects.js';
import type { QueueConnection } from './queue-connection.js';
import { isServed } from './served-districts.js';

export interface FleetWorkerOptions {
  connection: QueueConnection;
  registry: ConnectorRegistry;
  /** The projects this worker serves, by district; called again when a job names a district it does not know. */
  projects(): Map<string, Project>;
  /** `--history URL` for every project. */
  history?: string;
  concurrency: number;
  districtConcurrency: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after about this. */
  lockMs: number;
  log: SchedulerLog;
  profile?: string;
  onEvent?(e: FleetWorkerEvent): void;
}

export type FleetWorkerEvent =
  | { type: 'run-end'; district: string; spec: string; run: string; status: string; waitedMs: number }
  | { type: 'skipped'; district: string; spec: string; reason: string }
  | { type: 'passed'; district: string; spec: string };

/** How long a job whose district is full waits before it is tried again (plus up to as much again, at random). */
const DISTRICT_FULL_DELAY_MS = 500;

/** A job this worker cannot run but the fleet serves waits this long per time it was taken (at most PASS_MAX_MS) before another try. */
const PASS_DELAY_MS = 500;
const PASS_MAX_MS = 10_000;

/** The projects are read again for an unknown district at most this often (unless the job is newer than the last reading). */
const RELOAD_MS = 5_000;

export class FleetWorker {
  private readonly worker: Worker<FleetJob>;
  private projects: Map<string, Project>;
  private loadedAt = Date.now();
  /** Our own connection, for the record of what the fleet serves. */
  private readonly redis: Redis;
  private readonly slots: DistrictSlots;
  private readonly stopping = new AbortController();

  constructor(private readonly o: FleetWorkerOptions) {
    this.projects = o.projects();
    this.slots = new DistrictSlots(o.concurrency);
    this.worker = new Worker<FleetJob>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: o.connection,
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: Math.max(1000, Math.floor(o.lockMs / 2)),
      maxStalledCount: 2,
      autorun: false,
    });
    this.worker.on('error', (e) => o.log.warn({}, `queue: ${e.message}`));
    this.redis = new Redis(o.connection.url, { maxRetriesPerRequest: null });
    this.redis.on('error', (e: Error) => o.log.warn({}, `queue: ${e.message}`));
    this.worker.on('failed', (job, e) => job && o.log.warn({ job: job.id, district: job.data.district, spec: job.data.spec }, `job failed: ${e.message}`));
  }

  start(): void {
    void this.worker.run();
  }

  /** Waits for the worker's connection to Redis. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Takes no new jobs; cancels running runs (they publish nothing; their jobs are tried again by another worker). */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the worker is stopping'));
    await this.worker.close();
    this.redis.disconnect();
    await this.slots.close();
  }

  private async process(job: Job<FleetJob>, token?: string): Promise<string> {
    const { district, spec, trigger } = job.data;
    const key = job.data.run ?? job.id!;
    const fields = { district, spec, job: key };
    // The fleet's record, not this worker's folders, says whether the job is still wanted.
    if (!(await isServed(this.redis, district, spec))) return this.skip(fields, `the fleet no longer serves spec ${spec} of district ${district}; the job is dropped`);
    const project = this.project(district, job.timestamp);
    const found = project && this.specFile(project, spec);
    if (!found) return this.leave(job, token, fields, project ? `spec ${spec} of district ${district}` : `district ${district}`);
    const secrets = districtSecrets(district);
    const choice = { ...(this.o.history ? { url: this.o.history } : {}), project, secrets };
    const url = resolveSecretUrl(historyUrl(choice)!, secrets, 'the history URL');
    const taken = performance.now();
    const slot = await this.slots.take(url.resolved, district, this.o.districtConcurrency).catch((e: unknown) => {
      throw new Error(url.redactor.redact(`the district slots cannot be taken: ${e instanceof Error ? e.message : String(e)}`));
    });
    if (!slot) {
      // The district has its share running: back to the queue, behind the other districts' jobs.
      await job.moveToDelayed(Date.now() + DISTRICT_FULL_DELAY_MS * (1 + Math.random()), token);
      throw new DelayedError();
    }
    // Where a run's time goes, in its end line: the slot, the history's begin, the run itself.
    const slotted = performance.now();
    let begun = slotted;
    // Opened per run, so a worker of hundreds of districts keeps no connection per district.
    let store: HistoryStore | undefined;
    try {
      store = openHistory(project.dir, choice);
      const waitedMs = Date.now() - job.timestamp - (job.delay ?? 0);
      const r = await runRecorded({
        plan: found.plan,
        file: found.file,
        store,
        trigger,
        job: key,
        ...(job.data.by ? { requestedBy: job.data.by } : {}),
        onStart: (id) => {
          begun = performance.now();
          this.o.log.info({ ...fields, run: id, trigger, waitedMs }, 'run started');
        },
        run: {
          registry: this.o.registry,
          baseDir: dirname(found.file),
          secrets,
          signal: this.stopping.signal,
          log: (line) => this.o.log.info(fields, line),
        },
      });
      if (r.busy) {
        const why = r.busy.job === key ? `the job was already run by run ${r.busy.id} (${r.busy.status}); not run again` : `run ${r.busy.id} (${r.busy.trigger}) of this spec is still running; this run is skipped`;
        return this.skip({ ...fields, running: r.busy.id }, why);
      }
      const rec = r.record;
      if (rec.status === 'cancelled' && this.stopping.signal.aborted) throw new Error('the worker stopped before the run finished; another worker runs it');
      const ms = (a: number, b: number) => Math.round(b - a);
      const phasesMs = { slot: ms(taken, slotted), begin: ms(slotted, begun), run: ms(begun, performance.now()) };
      this.o.log[rec.status === 'failed' ? 'error' : 'info']({ ...fields, run: rec.id, status: rec.status, durationMs: rec.durationMs, phasesMs, ...(rec.error ? { error: rec.error } : {}) }, `run ${rec.status}`);
      this.o.onEvent?.({ type: 'run-end', district, spec, run: rec.id, status: rec.status, waitedMs });
      return rec.status;
    } catch (e) {
      if (e instanceof HistoryError) throw new Error(e.message);
      throw e;
    } finally {
      await store?.close();
      await slot.release();
    }
  }

  /** A job the fleet serves but this worker's folders lack (another folder set, an older checkout): back to the queue for another worker. */
  private async leave(job: Job<FleetJob>, token: string | undefined, fields: { district: string; spec: string; job: string }, what: string): Promise<never> {
    const delayMs = Math.min(PASS_MAX_MS, PASS_DELAY_MS * Math.max(1, job.attemptsStarted));
    this.o.log.warn({ ...fields, delayMs }, `the fleet serves ${what} but this worker's project folders lack it; the job is left for another worker`);
    this.o.onEvent?.({ type: 'passed', district: fields.district, spec: fields.spec });
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  private skip(fields: { district: string; spec: string; job: string; running?: string }, reason: string): string {
    this.o.log.warn(fields, reason);
    this.o.onEvent?.({ type: 'skipped', district: fields.district, spec: fields.spec, reason });
    return 'skipped';
  }

  /** The district's project, looking again (a district added since) when it is not known; undefined when this worker lacks it. */
  private project(district: string, queuedAt: number): Project | undefined {
    let p = this.projects.get(district);
    const now = Date.now();
    if ((!p || !readSpecFile(p.file).bytes) && (queuedAt >= this.loadedAt || now - this.loadedAt >= RELOAD_MS)) {
      try {
        this.loadedAt = now;
        this.projects = this.o.projects();
      } catch (e) {
        this.o.log.error({ district }, `the projects cannot be read again: ${e instanceof Error ? e.message : String(e)}`);
      }
      p = this.projects.get(district);
    }
    return p && readSpecFile(p.file).bytes ? p : undefined;
  }

  /** The spec of the project with this name, compiled now (an edit since the schedule was set is picked up). */
  private specFile(project: Project, name: string): { file: string; plan: JobPlan } | undefined {
    for (const file of project.specs) {
      const read = readSpecFile(file);
      if (!read.bytes || loadSpec(read.bytes, file).value?.spec.name !== name) continue;
      const r = compileSpecFile(file, project, { registry: this.o.registry, ...(this.o.profile ? { profile: this.o.profile } : {}) });
      if (r.plan) return { file, plan: r.plan };
      throw new Error(`spec ${name} (${file}) does not compile: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
    }
    return undefined;
  }
}
