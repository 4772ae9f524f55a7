// `/metrics` in the Prometheus text format (prom-client). Every value is derived from the history
// stores at scrape time, so a restarted console reports the same counts; only the queue depth
// comes from elsewhere (a fleet's queue, when one is plugged in).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConsoleDistrict, QueueDepthSource } from '../console-options.js';
import { countsRows, runFigures } from '../runs/run-figures.js';

/** Every run a store keeps (retention bounds it; this only guards against a runaway store). */
const ALL_RUNS = 1_000_000;

export class ConsoleMetrics {
  readonly registry = new Registry();
  private readonly runs: Counter;
  private readonly duration: Histogram;
  private readonly read: Counter;
  private readonly written: Counter;
  private readonly rejects: Counter;
  private readonly held: Gauge;
  private readonly sinceSuccess: Gauge;
  private readonly lastSuccess: Gauge;
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
    this.duration = new Histogram({ name: 'sisflow_run_duration_seconds', help: 'How long finished runs took.', labelNames, buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200], registers });
    this.read = new Counter({ name: 'sisflow_rows_read_total', help: 'Rows read from the sources of finished runs.', labelNames, registers });
    this.written = new Counter({ name: 'sisflow_rows_written_total', help: 'Rows written to the outputs of finished runs (published or held).', labelNames, registers });
    this.rejects = new Counter({ name: 'sisflow_rejects_total', help: 'Rows rejected by finished runs.', labelNames, registers });
    this.held = new Gauge({ name: 'sisflow_held_outputs', help: 'Outputs staged by held runs, waiting for approve or discard.', labelNames, registers });
    this.sinceSuccess = new Gauge({ name: 'sisflow_seconds_since_last_success', help: 'Seconds since the last successful run of a spec ended.', labelNames, registers });
    this.lastSuccess = new Gauge({ name: 'sisflow_last_success_timestamp_seconds', help: 'When the last successful run of a spec ended (Unix time).', labelNames, registers });
    if (queue) this.queueDepth = new Gauge({ name: 'sisflow_queue_depth', help: 'Runs waiting in the fleet queue, by spec.', labelNames: ['spec'], registers });
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
      const runs = await d.store.list({ limit: ALL_RUNS });
      const lastOk = new Map<string, number>();
      for (const run of runs) {
        const labels = { district: d.name, spec: run.spec };
        this.runs.inc({ ...labels, status: run.status });
        if (run.durationMs !== undefined && run.status !== 'running') this.duration.observe(labels, run.durationMs / 1000);
        const f = countsRows(run) ? runFigures(run) : undefined;
        if (f) {
          this.read.inc(labels, f.read);
          this.written.inc(labels, f.written);
          this.rejects.inc(labels, f.rejects);
        }
        if (run.status === 'ok') {
          const end = Date.parse(run.startedAt) + (run.durationMs ?? 0);
          if (end > (lastOk.get(run.spec) ?? -Infinity)) lastOk.set(run.spec, end);
        }
        if (run.status === 'held') this.held.inc(labels, (await d.store.held(run.id)).length);
        else this.held.inc(labels, 0);
      }
      for (const [spec, end] of lastOk) {
        this.lastSuccess.set({ district: d.name, spec }, end / 1000);
        this.sinceSuccess.set({ district: d.name, spec }, Math.max(0, (now - end) / 1000));
      }
    }
    if (this.queue && this.queueDepth) {
      this.queueDepth.reset();
      for (const [spec, n] of Object.entries(await this.queue.depth())) this.queueDepth.set({ spec }, n);
    }
  }
}
