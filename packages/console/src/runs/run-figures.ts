// The figures of a run the overview shows: rows read, rows written, rejects (the history's own
// reportFigures, which /metrics sums in SQL).
import { reportFigures, type RunFigures, type RunRecord } from '@sisflow/service';

export function runFigures(run: RunRecord): RunFigures | undefined {
  return run.report && reportFigures(run.report);
}
