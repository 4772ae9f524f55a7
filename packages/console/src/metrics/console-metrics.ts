// `/metrics` in the Prometheus text format (prom-client). Every value is derived from the history
// stores at scrape time — one aggregate query per store (HistoryStore.totals), never every run
// loaded — so a restarted console reports the same counts; only the queue depth comes from
// elsewhere (a fleet's queue, when one is plugged in).
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ConsoleDistrict, QueueDepthSource } from '../console-options.js';
import { CountedHistogram } from './counted-histogram.js';

/** The duration histogram's upper bounds, in seconds. */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

export class ConsoleMetrics {
  readonly registry = new Registry();
  private readonly runs: Counter;
  private readonly duration: CountedHistogram;
  private readonly read: Counter;
  private readonly written: Counter;
  private readonly rejects: Counter;
  private readonly held: Gauge;
  private readonly sinceSuccess: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly queueJobs: Gauge | undefined;
  private readonly queueDepth: Gauge | undefined;
  private rendering: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly districts: ConsoleDistrict[],
    private readonly queue: QueueDepthSource | undefined,
    private readonly now: () => Date,
  ) {
    const registers = [this.registry];
    const labelNames = ['district', 'spec'] as const;
    this.runs = new Counter({ name: 'sisflow_runs_total', help: 'Runs recorded in the history, by spec and status.', labelNames: [...labelNames, 'status'], registers });
    this.duration = new CountedHistogram('sisflow_run_duration_seconds', 'How long finished runs took.', DURATION_BUCKETS, this.registry);
    this.read = new Counter({ name: 'sisflow_rows_read_total', help: 'Rows read from the sources of finished runs.', labelNames, registers });
    this.written = new Counter({ name: 'sisflow_rows_written_total', help: 'Rows written to the outputs of finished runs (published or held).', labelNames, registers });
    this.rejects = new Counter({ name: 'sisflow_rejects_total', help: 'Rows rejected by finished runs.', labelNames, registers });
    this.held = new Gauge({ name: 'sisflow_held_outputs', help: 'Outputs staged by held runs, waiting for approve or discard.', labelNames, registers });
    this.sinceSuccess = new Gauge({ name: 'sisflow_seconds_since_last_success', help: 'Seconds since the last successful run of a spec ended.', labelNames, registers });
    this.lastSuccess = new Gauge({ name: 'sisflow_last_success_timestamp_seconds', help: 'When the last successful run of a spec ended (Unix time).', labelNames, registers });
    if (queue) {
      this.queueJobs = new Gauge({ name: 'sisflow_queue_jobs', help: 'Jobs in the fleet queue, by state (delayed includes the next scheduled run of every spec).', labelNames: ['state'], registers });
      this.queueDepth = new Gauge({ name: 'sisflow_queue_depth', help: 'Pending runs in the fleet queue, by district, spec and state.', labelNames: ['district', 'spec', 'state'], registers });
    }
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The metrics text; scrapes one after another, so two never mix their values. */
  render(): Promise<string> {
    const next = this.rendering.then(() => this.collect()).then(() => this.registry.metrics());
    this.rendering = next.catch(() => undefined);
    return next;
  }

  private async collect(): Promise<void> {
    for (const m of [this.runs, this.duration, this.read, this.written, this.rejects, this.held, this.sinceSuccess, this.lastSuccess]) m.reset();
    const now = this.now().getTime();
    for (const d of this.districts) {
      for (const t of await d.store.totals(DURATION_BUCKETS.map((b) => b * 1000))) {
        const labels = { district: d.name, spec: t.spec };
        this.runs.inc({ ...labels, status: t.status }, t.runs);
        if (t.timed > 0 && t.status !== 'running') this.duration.add(labels, { buckets: t.buckets, sum: t.durationMs / 1000, count: t.timed });
        this.read.inc(labels, t.rowsRead);
        this.written.inc(labels, t.rowsWritten);
        this.rejects.inc(labels, t.rejects);
        this.held.inc(labels, t.heldOutputs);
        if (t.status === 'ok' && t.lastEndMs !== undefined) {
          this.lastSuccess.set(labels, t.lastEndMs / 1000);
          this.sinceSuccess.set(labels, Math.max(0, (now - t.lastEndMs) / 1000));
        }
      }
    }
    if (this.queue && this.queueJobs && this.queueDepth) {
      const q = await this.queue.depth();
      this.queueJobs.reset();
      this.queueDepth.reset();
      for (const [state, n] of Object.entries(q.byState)) this.queueJobs.set({ state }, n);
      for (const d of q.bySpec ?? []) this.queueDepth.set({ district: d.district, spec: d.spec, state: d.state }, d.count);
    }
  }
}
