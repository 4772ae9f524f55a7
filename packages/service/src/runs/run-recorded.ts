// A run as the history sees it: refused while another run of the spec is running, recorded from
// start to end, judged by its outputs' guards (held instead of published when beyond them), and
// followed by the alerts it raises. Used by `sisflow run` and by `sisflow serve`.
import { runPlan, type JobPlan, type RunOptions, type RunReport } from '@sisflow/core';
import type { Alerts } from '../alerts/project-alerts.js';
import { runAlerts, sourceCounts } from '../alerts/run-alerts.js';
import { GuardWatch } from '../guard/guard-watch.js';
import type { GuardReport, HeldOutputWrite, HistoryStore, RunRecord, RunStatus, RunTrigger } from '../history/history-store.js';

export interface RecordedRunOptions {
  plan: JobPlan;
  /** The spec or plan file, as given. */
  file: string;
  store: HistoryStore;
  trigger: RunTrigger;
  run: Omit<RunOptions, 'review' | 'onOutputRows' | 'now'>;
  alerts?: Alerts;
  /** The clock (tests fix it). */
  now?: () => Date;
  /** The fleet job this run carries out: a job already done is not run again (returned busy). */
  job?: string;
  /** Who asked for the run (a "run now"), recorded with it. */
  requestedBy?: string;
  /** Told the run's id once it is recorded as running. */
  onStart?(id: string): void;
}

export type RecordedRun = { record: RunRecord; report: RunReport; busy?: undefined } | { busy: RunRecord; record?: undefined; report?: undefined };

export async function runRecorded(o: RecordedRunOptions): Promise<RecordedRun> {
  const now = o.now ?? (() => new Date());
  const startedAt = now();
  const spec = o.plan.name;
  const lastOk = await o.store.last(spec, 'ok');
  const begun = await o.store.begin({
    spec,
    file: o.file,
    planHash: o.plan.hash,
    params: Object.fromEntries(Object.entries(o.plan.params).map(([k, v]) => [k, v.value])),
    trigger: o.trigger,
    startedAt: startedAt.toISOString(),
    ...(o.job ? { job: o.job } : {}),
    ...(o.requestedBy ? { requestedBy: o.requestedBy } : {}),
  });
  if (begun.busy) return { busy: begun.busy };
  const id = begun.run.id;
  o.onStart?.(id);
  let watch: GuardWatch;
  try {
    watch = await GuardWatch.open(o.plan, (output) => o.store.snapshot(spec, output));
  } catch (e) {
    await o.store.finish(id, { status: 'failed', durationMs: now().getTime() - startedAt.getTime(), error: `the guard's last snapshot could not be read: ${e instanceof Error ? e.message : String(e)}` });
    throw e;
  }
  let guard: GuardReport | undefined;
  let report: RunReport;
  let status: Exclude<RunStatus, 'running'>;
  try {
    try {
      ({ report } = await runPlan(o.plan, {
        ...o.run,
        now: startedAt,
        ...(watch.outputs.length > 0
          ? {
              onOutputRows: (output, rows) => watch.observe(output, rows),
              review: async () => {
                guard = await watch.judge();
                return guard.held ? 'hold' : 'publish';
              },
            }
          : {}),
      }));
    } catch (e) {
      // runPlan reports failures in its report; anything thrown is a bug, recorded so no lock is left.
      await o.store.finish(id, { status: 'failed', durationMs: now().getTime() - startedAt.getTime(), error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
    status = report.approval ? 'held' : report.ok ? 'ok' : report.cancelled ? 'cancelled' : 'failed';
    // The snapshots are read from the guard's spool files as the store keeps them, chunk by chunk.
    const snapshots = watch.snapshots(id);
    const held: HeldOutputWrite[] = Object.entries(report.approval ?? {}).map(([output, stage]) => ({
      output,
      use: o.plan.outputs.find((p) => p.name === output)!.use,
      connection: o.plan.connections[o.plan.outputs.find((p) => p.name === output)!.connection]!.settings,
      stage,
      ...(snapshots.has(output) ? { snapshot: snapshots.get(output)! } : {}),
    }));
    await o.store.finish(id, {
      status,
      durationMs: report.durationMs,
      report,
      ...(report.error ? { error: report.error } : {}),
      ...(guard ? { guard } : {}),
      ...(held.length ? { held } : {}),
      ...(status === 'ok' && !report.dryRun ? { snapshots } : {}),
    });
  } finally {
    watch.close();
  }
  const record = (await o.store.get(id))!;
  if (o.alerts) {
    const previousCounts = sourceCounts(lastOk?.report);
    for (const alert of runAlerts({ id, spec, status, report, ...(guard ? { guard } : {}), ...(previousCounts ? { previousCounts } : {}) })) await o.alerts.send(alert);
  }
  return { record, report };
}
