// `sisflow serve`: runs each spec of a project on its schedule, in its time zone. One run of a spec
// at a time (a run still going when its next time comes is not doubled: an alert says so), a run
// missed while the service was down runs once at start-up (`catch_up: once`, the default) or is
// skipped, transient failures are retried with a doubling delay but never past the next scheduled
// run, and a changed spec is compiled again: an invalid edit keeps the last good plan and alerts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { Cron } from 'croner';
import { formatDiagnostics, hasErrors, type Alert, type ConnectorRegistry, type JobPlan, type SecretSource } from '@sisflow/core';
import type { Alerts } from '../alerts/project-alerts.js';
import type { HistoryStore, RunRecord, RunTrigger } from '../history/history-store.js';
import { compileSpecFile } from '../project/compile-in-project.js';
import { openProject, type Project } from '../project/open-project.js';
import { runRecorded } from '../runs/run-recorded.js';
import type { Clock } from './clock.js';
import { isTransient } from './transient.js';

export interface SchedulerLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface SchedulerOptions {
  folder: string;
  registry: ConnectorRegistry;
  store: HistoryStore;
  secrets: SecretSource;
  clock: Clock;
  log: SchedulerLog;
  alerts: Alerts;
  profile?: string;
  /** Told of everything the scheduler does (tests wait on these instead of on time). */
  onEvent?(event: SchedulerEvent): void;
}

export type SchedulerEvent =
  | { type: 'waiting'; until?: Date }
  | { type: 'run-start'; spec: string; trigger: RunTrigger; id: string }
  | { type: 'run-end'; spec: string; trigger: RunTrigger; record: RunRecord }
  | { type: 'overlap'; spec: string; running: string }
  | { type: 'retry'; spec: string; at: Date; attempt: number }
  | { type: 'skipped'; spec: string; reason: string }
  | { type: 'invalid'; file: string }
  | { type: 'loaded'; specs: string[] }
  | { type: 'stopped' };

interface Job {
  file: string;
  plan: JobPlan;
  /** Hash of the spec text the plan was compiled from. */
  textHash: string;
  /** Hash of a text that did not compile, so one bad edit alerts once. */
  badHash?: string;
  cron?: Cron;
  nextAt?: Date;
}

const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_DELAY_S = 30;

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  /** Spec files that never compiled, by the hash of their text (one alert per bad text). */
  private readonly invalid = new Map<string, string>();
  /** The run going on for a spec file (with its retries): one at a time. */
  private readonly active = new Map<string, Promise<void>>();
  private project: Project | undefined;
  private stopping = false;
  private readonly runs = new AbortController();
  private wake = new AbortController();
  private loopDone: Promise<void> | undefined;

  constructor(private readonly o: SchedulerOptions) {}

  /** Loads the project (diagnostics as text when it is invalid), catches up missed runs, and starts the loop. */
  async start(): Promise<string | undefined> {
    const problem = this.reload();
    if (!this.project) return problem;
    for (const job of this.jobs.values()) await this.catchUp(job);
    this.loopDone = this.loop();
    return undefined;
  }

  /** Reads the project and its specs again; returns the project's diagnostics when it cannot be read. */
  reload(): string | undefined {
    const opened = openProject(this.o.folder, this.o.registry);
    if (!opened.project || hasErrors(opened.diagnostics)) {
      const text = formatDiagnostics(opened.diagnostics, { color: false, ...(opened.source ? { sources: new Map([[opened.source.file, opened.source]]) } : {}) });
      if (!this.project) return text;
      this.o.log.error({ project: this.o.folder }, `the project file is invalid; keeping the specs as they were:\n${text}`);
      return undefined;
    }
    this.project = opened.project;
    const seen = new Set<string>();
    for (const file of this.project.specs) {
      seen.add(file);
      this.load(file);
    }
    for (const file of [...this.jobs.keys()]) {
      if (!seen.has(file)) {
        this.o.log.info({ spec: this.jobs.get(file)!.plan.name, file }, 'spec removed from the project');
        this.jobs.delete(file);
      }
    }
    this.o.onEvent?.({ type: 'loaded', specs: [...this.jobs.values()].map((j) => j.plan.name).sort() });
    this.wake.abort();
    return undefined;
  }

  /** Takes no new runs, cancels the running ones (they publish nothing and are recorded cancelled), and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    this.runs.abort(new Error('sisflow serve is stopping'));
    await this.loopDone;
    await Promise.all(this.active.values());
    this.o.onEvent?.({ type: 'stopped' });
  }

  /** Specs and their next run times, for the start-up log. */
  describe(): { spec: string; file: string; schedule?: string; next?: string }[] {
    return [...this.jobs.values()].map((j) => ({
      spec: j.plan.name,
      file: j.file,
      ...(j.plan.schedule ? { schedule: `${j.plan.schedule.cron} (${j.plan.schedule.timezone})` } : {}),
      ...(j.nextAt ? { next: j.nextAt.toISOString() } : {}),
    }));
  }

  /** Starts a run of a spec now, beside its schedule ("run now" in the console, `by` who asked); says why not when it cannot. */
  runNow(spec: string, by?: string): string | undefined {
    const job = [...this.jobs.values()].find((j) => j.plan.name === spec);
    if (!job) return `${spec} is not a spec of this project`;
    if (this.stopping) return 'sisflow serve is stopping';
    if (this.active.has(job.file)) return `a run of ${spec} is going on; wait for it to finish`;
    this.fire(job, 'manual', by);
    return undefined;
  }

  private load(file: string): void {
    let text: Buffer;
    try {
      text = readFileSync(file);
    } catch (e) {
      this.o.log.error({ file }, `cannot read spec: ${(e as Error).message}`);
      return;
    }
    const hash = createHash('sha256').update(text).digest('hex');
    const job = this.jobs.get(file);
    if (job ? job.textHash === hash || job.badHash === hash : this.invalid.get(file) === hash) return;
    const r = compileSpecFile(file, this.project, { registry: this.o.registry, ...(this.o.profile ? { profile: this.o.profile } : {}) });
    if (!r.plan) {
      const text_ = formatDiagnostics(r.diagnostics, { color: false, ...(r.source ? { sources: new Map([[file, r.source]]) } : {}) });
      const name = job?.plan.name ?? relative(this.project!.dir, file);
      this.o.log.error({ spec: name, file }, `invalid spec${job ? '; keeping the last good plan' : '; not scheduled'}:\n${text_}`);
      if (job) job.badHash = hash;
      else this.invalid.set(file, hash);
      void this.alert({ kind: 'invalid_spec', spec: name, title: `${name}: the spec was edited and is now invalid${job ? '; the last good version keeps running' : ''}`, text: text_ });
      this.o.onEvent?.({ type: 'invalid', file });
      return;
    }
    this.invalid.delete(file);
    const plan = r.plan;
    const cron = plan.schedule ? new Cron(plan.schedule.cron, { paused: true, timezone: plan.schedule.timezone }) : undefined;
    const next: Job = { file, plan, textHash: hash, ...(cron ? { cron } : {}) };
    const nextAt = cron?.nextRun(this.o.clock.now()) ?? undefined;
    if (nextAt) next.nextAt = nextAt;
    this.jobs.set(file, next);
    this.o.log.info({ spec: plan.name, plan: plan.hash.slice(0, 12), next: nextAt?.toISOString() }, job ? 'spec changed; new plan loaded' : 'spec loaded');
  }

  /** A scheduled time passed while the service was down: run once now, or skip, as the spec says. */
  private async catchUp(job: Job): Promise<void> {
    if (!job.cron) return;
    const runs = await this.o.store.list({ spec: job.plan.name, limit: 50 });
    const last = runs.find((r) => r.trigger === 'schedule' || r.trigger === 'catch_up' || r.trigger === 'retry');
    if (!last) return;
    const missed = job.cron.nextRun(new Date(last.startedAt));
    const now = this.o.clock.now();
    if (!missed || missed.getTime() >= now.getTime()) return;
    const once = (job.plan.schedule?.catch_up ?? 'once') === 'once';
    this.o.log.warn({ spec: job.plan.name, missed: missed.toISOString() }, once ? 'a scheduled run was missed while the service was down; running it once now' : 'a scheduled run was missed while the service was down; skipped (catch_up: skip)');
    void this.alert({ kind: 'schedule', spec: job.plan.name, title: `${job.plan.name}: the run of ${missed.toISOString()} was missed${once ? '; running it now' : ' and skipped'}`, text: `sisflow serve was not running at ${missed.toISOString()}.` });
    if (once) this.fire(job, 'catch_up');
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const due = [...this.jobs.values()].filter((j) => j.nextAt).sort((a, b) => a.nextAt!.getTime() - b.nextAt!.getTime());
      const until = due[0]?.nextAt;
      this.wake = new AbortController();
      this.o.onEvent?.({ type: 'waiting', ...(until ? { until } : {}) });
      await this.o.clock.sleepUntil(until ?? new Date(8.64e15), this.wake.signal);
      if (this.stopping) break;
      const now = this.o.clock.now();
      for (const job of this.jobs.values()) {
        if (!job.nextAt || job.nextAt.getTime() > now.getTime()) continue;
        job.nextAt = job.cron!.nextRun(now) ?? undefined;
        this.load(job.file); // picks up an edit made since the last look
        this.fire(this.jobs.get(job.file)!, 'schedule');
      }
    }
  }

  private fire(job: Job, trigger: RunTrigger, by?: string): void {
    if (this.stopping) return;
    if (this.active.has(job.file)) {
      this.o.log.warn({ spec: job.plan.name }, 'the previous run is still going; this scheduled run is skipped');
      this.o.onEvent?.({ type: 'overlap', spec: job.plan.name, running: 'sisflow serve' });
      void this.alert({ kind: 'schedule', spec: job.plan.name, title: `${job.plan.name}: a scheduled run was skipped, the previous one is still running`, text: 'Runs of one spec never overlap. If this repeats, the schedule is too tight for the run.' });
      return;
    }
    const running = this.execute(job, trigger, by)
      .catch((e: unknown) => this.o.log.error({ spec: job.plan.name }, `internal error: ${e instanceof Error ? e.stack : String(e)}`))
      .finally(() => {
        if (this.active.get(job.file) === running) this.active.delete(job.file);
      });
    this.active.set(job.file, running);
  }

  private async execute(job: Job, first: RunTrigger, by: string | undefined): Promise<void> {
    const retries = this.project?.config.serve?.retries ?? DEFAULT_RETRIES;
    const delayS = this.project?.config.serve?.retry_delay ?? DEFAULT_RETRY_DELAY_S;
    let trigger = first;
    for (let attempt = 0; ; attempt++) {
      const plan = (this.jobs.get(job.file) ?? job).plan;
      const r = await runRecorded({
        plan,
        file: job.file,
        store: this.o.store,
        trigger,
        ...(by ? { requestedBy: by } : {}),
        now: () => this.o.clock.now(),
        alerts: this.o.alerts,
        onStart: (id) => {
          this.o.log.info({ spec: plan.name, run: id, trigger }, 'run started');
          this.o.onEvent?.({ type: 'run-start', spec: plan.name, trigger, id });
        },
        run: {
          registry: this.o.registry,
          baseDir: dirname(job.file),
          secrets: this.o.secrets,
          signal: this.runs.signal,
          log: (line) => this.o.log.info({ spec: plan.name }, line),
        },
      });
      if (r.busy) {
        this.active.delete(job.file);
        this.o.log.warn({ spec: plan.name, running: r.busy.id }, `run ${r.busy.id} (${r.busy.trigger}) of this spec is still running; this run is skipped`);
        this.o.onEvent?.({ type: 'overlap', spec: plan.name, running: r.busy.id });
        void this.alert({ kind: 'schedule', spec: plan.name, title: `${plan.name}: a ${trigger} run was skipped, run ${r.busy.id} is still running`, text: `run ${r.busy.id} (${r.busy.trigger}, started ${r.busy.startedAt}) had not finished.` });
        return;
      }
      const rec = r.record;
      this.o.log[rec.status === 'failed' ? 'error' : 'info']({ spec: plan.name, run: rec.id, status: rec.status, trigger, durationMs: rec.durationMs, ...(rec.error ? { error: rec.error } : {}) }, `run ${rec.status}`);
      const at = new Date(this.o.clock.now().getTime() + delayS * 1000 * 2 ** attempt);
      const nextAt = this.jobs.get(job.file)?.nextAt;
      const retry = rec.status === 'failed' && isTransient(rec.error) && attempt < retries && !this.stopping;
      const tooLate = retry && !!nextAt && at.getTime() >= nextAt.getTime();
      if (!retry || tooLate) {
        // Free before telling: whoever hears of the end may start the spec again at once.
        this.active.delete(job.file);
        if (tooLate) this.o.log.warn({ spec: plan.name, run: rec.id }, `not retried: the retry would come after the next scheduled run (${nextAt!.toISOString()})`);
        this.o.onEvent?.({ type: 'run-end', spec: plan.name, trigger, record: rec });
        return;
      }
      this.o.onEvent?.({ type: 'run-end', spec: plan.name, trigger, record: rec });
      this.o.log.warn({ spec: plan.name, run: rec.id, retryAt: at.toISOString(), attempt: attempt + 1 }, 'transient failure; retrying');
      const sleeping = this.o.clock.sleepUntil(at, this.runs.signal);
      this.o.onEvent?.({ type: 'retry', spec: plan.name, at, attempt: attempt + 1 });
      await sleeping;
      if (this.stopping) return;
      trigger = 'retry';
    }
  }

  private async alert(a: Alert): Promise<void> {
    await this.o.alerts.send(a);
  }
}
