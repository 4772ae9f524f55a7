// The figures of a run that the console's tables and /metrics both show — rows read, rows written,
// rejects — taken from its report. The stores keep them in columns too (written by finish), so
// /metrics sums them in SQL instead of loading every report.
import type { RunReport } from '@sisflow/core';

export interface RunFigures {
  read: number;
  written: number;
  rejects: number;
}

export function reportFigures(r: RunReport): RunFigures {
  return {
    read: Object.values(r.sources).reduce((n, s) => n + s.rows, 0),
    written: Object.values(r.outputs).reduce((n, o) => n + o.rows, 0),
    rejects: r.rejects.count,
  };
}
