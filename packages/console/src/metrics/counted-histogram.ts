// A histogram whose buckets, sum and count were counted elsewhere — by the history store's aggregate
// query — and are exported as they are: prom-client's Histogram can only observe values one by one,
// which would mean loading every run. Registered in the registry like any of its metrics, and
// written in the same text format (`_bucket{le=…}` cumulative, `+Inf`, `_sum`, `_count`).
import type { Metric, Registry } from 'prom-client';

export interface CountedSeries {
  /** Cumulative: how many observations were at most each bound, in the order of the bounds. */
  buckets: number[];
  sum: number;
  count: number;
}

type Labels = Record<string, string>;

export class CountedHistogram {
  readonly type = 'histogram';
  private readonly series = new Map<string, { labels: Labels } & CountedSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  reset(): void {
    this.series.clear();
  }

  /** Adds counts to the series of these labels (several stores' counts add up). */
  add(labels: Labels, counts: CountedSeries): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    const s = this.series.get(key) ?? { labels, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
    counts.buckets.forEach((n, i) => (s.buckets[i]! += n));
    s.sum += counts.sum;
    s.count += counts.count;
    this.series.set(key, s);
  }

  /** What the registry writes (the shape of prom-client's own metrics' `get()`). */
  async get() {
    const values = [...this.series.values()].flatMap((s) => [
      ...this.bounds.map((le, i) => ({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: s.buckets[i]! })),
      { metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.count },
      { metricName: `${this.name}_sum`, labels: s.labels, value: s.sum },
      { metricName: `${this.name}_count`, labels: s.labels, value: s.count },
    ]);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' as const };
  }
}
