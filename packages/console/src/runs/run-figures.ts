// The figures of a run the overview and the metrics both show: rows read, rows written, rejects.
import type { RunRecord } from '@sisflow/service';

export interface RunFigures {
  read: number;
  written: number;
  rejects: number;
}

export function runFigures(run: RunRecord): RunFigures | undefined {
  const r = run.report;
  if (!r) return undefined;
  return {
    read: Object.values(r.sources).reduce((n, s) => n + s.rows, 0),
    written: Object.values(r.outputs).reduce((n, o) => n + o.rows, 0),
    rejects: r.rejects.count,
  };
}

/** Runs that moved data (an approve run repeats its held run's report; counting it again would double). */
export function countsRows(run: RunRecord): boolean {
  return run.trigger !== 'approve';
}
