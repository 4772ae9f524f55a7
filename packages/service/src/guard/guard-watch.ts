// `guard:` on outputs: compares each guarded output's rows, as the run streams them, with the last
// published snapshot of the output (removed, added, changed by key; min_rows), and spools the rows
// for the snapshot this run leaves. See output-guard.ts for what a row costs.
import type { JobPlan, Row } from '@sisflow/core';
import type { GuardReport, OutputSnapshot, SnapshotRows } from '../history/history-store.js';
import { OutputGuard } from './output-guard.js';

export class GuardWatch {
  private constructor(private readonly watched: Map<string, OutputGuard>) {}

  /** Opens the guards of a plan's outputs, each with the keys and digests of its previous snapshot read. */
  static async open(plan: JobPlan, previous: (output: string) => Promise<OutputSnapshot | undefined>): Promise<GuardWatch> {
    const guarded = plan.outputs.filter((o) => o.guard);
    const watched = new Map<string, OutputGuard>();
    try {
      for (const o of guarded) {
        const g = new OutputGuard(o.name, o.guard!, await previous(o.name));
        watched.set(o.name, g);
        await g.load();
      }
    } catch (e) {
      for (const g of watched.values()) g.close();
      throw e;
    }
    return new GuardWatch(watched);
  }

  /** The outputs whose rows are watched. */
  get outputs(): string[] {
    return [...this.watched.keys()];
  }

  observe(output: string, rows: Row[]): void {
    this.watched.get(output)?.observe(rows);
  }

  /** The judgement of every guarded output (once their spools are written); their key tables are let go after it. */
  async judge(): Promise<GuardReport> {
    const outputs = [];
    for (const g of this.watched.values()) {
      outputs.push(await g.judge());
      g.release();
    }
    return { held: outputs.some((o) => o.breaches.length > 0), outputs };
  }

  /** What each watched output becomes the comparison for, once published (read from the spool while the watch is open). */
  snapshots(runId: string): Map<string, SnapshotRows> {
    return new Map([...this.watched].map(([name, g]) => [name, g.snapshot(runId)]));
  }

  /** Removes the spool files. */
  close(): void {
    for (const g of this.watched.values()) g.close();
  }
}
