// The alerts a finished run raises: failed, rejects, held (with what the guard saw), and a source
// that read no rows where the last successful run of the spec read some.
import type { Alert, RunReport } from '@sisflow/core';
import type { GuardReport } from '../history/history-store.js';

export interface FinishedRun {
  id: string;
  spec: string;
  status: string;
  report: RunReport;
  guard?: GuardReport;
  /** Rows each source read in the last successful run of the spec (from the history). */
  previousCounts?: Record<string, number>;
}

export function runAlerts(r: FinishedRun): Alert[] {
  const out: Alert[] = [];
  const base = { spec: r.spec, run: r.id };
  if (r.status === 'failed') {
    out.push({ ...base, kind: 'failed', title: `${r.spec} failed (run ${r.id})`, text: `${r.spec} failed: ${r.report.error ?? 'unknown error'}\nrun ${r.id}: sisflow show ${r.id}`, details: { error: r.report.error } });
  }
  if (r.report.rejects.count > 0) {
    const lines = r.report.rejects.sample.slice(0, 5).map((j) => `  ${j.step} (${j.source} line ${j.line}): ${j.reason}`);
    out.push({
      ...base,
      kind: 'rejects',
      title: `${r.spec}: ${r.report.rejects.count} row(s) rejected (run ${r.id})`,
      text: [`${r.report.rejects.count} row(s) rejected${r.report.rejects.files[0] ? `, listed in ${r.report.rejects.files[0].path}` : ''}:`, ...lines].join('\n'),
      details: { count: r.report.rejects.count, bySource: r.report.rejects.bySource, file: r.report.rejects.files[0]?.path },
    });
  }
  if (r.status === 'held' && r.guard) {
    const lines: string[] = [`nothing was published; approve with \`sisflow approve ${r.id}\` or drop with \`sisflow discard ${r.id}\``];
    for (const o of r.guard.outputs) {
      lines.push(`output ${o.output}: ${o.rows} row(s)${o.previous !== undefined ? ` (${o.previous} published last time)` : ''}, ${o.removed} removed, ${o.added} added, ${o.changed} changed`);
      for (const b of o.breaches) lines.push(`  beyond the guard: ${b}`);
      for (const row of o.sample.removed) lines.push(`  removed: ${JSON.stringify(row)}`);
      for (const row of o.sample.added) lines.push(`  added:   ${JSON.stringify(row)}`);
      for (const c of o.sample.changed) lines.push(`  changed: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
    }
    out.push({ ...base, kind: 'held', title: `${r.spec} held for approval (run ${r.id})`, text: lines.join('\n'), details: { outputs: r.guard.outputs } });
  }
  if (r.previousCounts && r.status !== 'failed' && r.status !== 'cancelled') {
    for (const [source, s] of Object.entries(r.report.sources)) {
      const before = r.previousCounts[source];
      if (s.rows === 0 && before !== undefined && before > 0) {
        out.push({
          ...base,
          kind: 'zero_rows',
          title: `${r.spec}: source ${source} read 0 rows (run ${r.id})`,
          text: `source ${source} read 0 rows; the last successful run read ${before}. A filter, a parameter or the data may be wrong.`,
          details: { source, rows: 0, previous: before },
        });
      }
    }
  }
  return out;
}

/** Rows read per source in a report: what the next run's zero-row check compares with. */
export function sourceCounts(report: RunReport | undefined): Record<string, number> | undefined {
  return report && Object.fromEntries(Object.entries(report.sources).map(([n, s]) => [n, s.rows]));
}
