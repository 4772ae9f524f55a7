// `guard:` on outputs: keeps each guarded output's rows by key while the run streams them, then
// judges them against the last published output of the spec (removed, added, changed, min_rows).
import type { JobPlan, PlanGuard, Row } from '@sisflow/core';
import type { GuardOutcome, GuardReport, OutputSnapshot } from '../history/history-store.js';

const SAMPLE = 5;

interface Watched {
  guard: PlanGuard;
  previous: OutputSnapshot | undefined;
  rows: Map<string, Row>;
}

export class GuardWatch {
  private readonly watched = new Map<string, Watched>();

  constructor(plan: JobPlan, previous: ReadonlyMap<string, OutputSnapshot | undefined>) {
    for (const o of plan.outputs) if (o.guard) this.watched.set(o.name, { guard: o.guard, previous: previous.get(o.name), rows: new Map() });
  }

  /** The outputs whose rows are watched. */
  get outputs(): string[] {
    return [...this.watched.keys()];
  }

  observe(output: string, rows: Row[]): void {
    const w = this.watched.get(output);
    if (!w) return;
    for (const row of rows) w.rows.set(keyOf(w.guard.key, row), row);
  }

  judge(): GuardReport {
    const outputs = [...this.watched].map(([name, w]) => judgeOutput(name, w));
    return { held: outputs.some((o) => o.breaches.length > 0), outputs };
  }

  /** What each watched output becomes the comparison for, once published. */
  snapshots(runId: string): Map<string, OutputSnapshot> {
    return new Map([...this.watched].map(([name, w]) => [name, { runId, key: w.guard.key, rows: w.rows }]));
  }
}

function keyOf(key: string[], row: Row): string {
  return JSON.stringify(key.map((k) => row[k] ?? null));
}

function judgeOutput(output: string, w: Watched): GuardOutcome {
  const prev = w.previous?.rows;
  const sample: GuardOutcome['sample'] = { removed: [], added: [], changed: [] };
  let removed = 0;
  let added = 0;
  let changed = 0;
  if (prev) {
    for (const [k, before] of prev) {
      const after = w.rows.get(k);
      if (!after) {
        if (removed++ < SAMPLE) sample.removed.push(before);
      } else if (JSON.stringify(after) !== JSON.stringify(before)) {
        if (changed++ < SAMPLE) sample.changed.push({ before, after });
      }
    }
    for (const [k, row] of w.rows) if (!prev.has(k) && added++ < SAMPLE) sample.added.push(row);
  }
  const g = w.guard;
  const breaches: string[] = [];
  const over = (count: number, limit: number | string | undefined, what: string) => {
    if (limit === undefined || !prev) return;
    const allowed = typeof limit === 'number' ? limit : (Number(limit.slice(0, -1)) / 100) * prev.size;
    if (count > allowed) breaches.push(`${count} row(s) ${what}, more than max_${what} ${limit}${typeof limit === 'string' ? ` of the ${prev.size} published last time` : ''}`);
  };
  over(removed, g.max_removed, 'removed');
  over(added, g.max_added, 'added');
  over(changed, g.max_changed, 'changed');
  if (g.min_rows !== undefined && w.rows.size < g.min_rows) breaches.push(`${w.rows.size} row(s), fewer than min_rows ${g.min_rows}`);
  return { output, rows: w.rows.size, ...(prev ? { previous: prev.size } : {}), removed, added, changed, breaches, sample };
}
