// `sisflow approve RUN` and `sisflow discard RUN`: a held run's staged outputs are published exactly
// as staged (the sink refuses when the stage is gone or altered or the destination changed since),
// or dropped. Approving is itself a run of the spec: it takes the spec's lock and is recorded.
import { Redactor, resolveSettings, type ConnectorRegistry, type HeldContext, type RunReport, type SecretSource } from '@sisflow/core';
import type { HeldOutput, HistoryStore, RunRecord } from '../history/history-store.js';

export type Decision = { ok: true; record: RunRecord } | { ok: false; why: string };

interface DecideOptions {
  store: HistoryStore;
  registry: ConnectorRegistry;
  /** Who decided (user name), for the record. */
  by: string;
  /** Resolves the outputs' connections again (a held SFTP upload logs in to publish). */
  secrets: SecretSource;
  log?(line: string): void;
  now?: () => Date;
}

export async function approveRun(id: string, o: DecideOptions): Promise<Decision> {
  const now = o.now ?? (() => new Date());
  const held = await heldRun(id, o.store);
  if (!held.ok) return held;
  const run = held.record;
  const started = now();
  const begun = await o.store.begin({ spec: run.spec, file: run.file, planHash: run.planHash, params: run.params, trigger: 'approve', approves: id, startedAt: started.toISOString(), requestedBy: o.by });
  if (begun.busy) return { ok: false, why: `run ${begun.busy.id} of ${run.spec} is running; approve when it has finished` };
  const approveId = begun.run.id;
  const finish = async (status: 'ok' | 'failed', report: RunReport | undefined, error?: string) =>
    o.store.finish(approveId, { status, durationMs: now().getTime() - started.getTime(), ...(report ? { report } : {}), ...(error ? { error } : {}) });
  // Checked again under the lock: another approve or discard may have won.
  const again = await heldRun(id, o.store);
  if (!again.ok) {
    await finish('failed', undefined, again.why);
    return again;
  }
  const outputs = await o.store.held(id);
  if (outputs.length === 0) {
    await finish('failed', undefined, `run ${id} has no held outputs`);
    return { ok: false, why: `run ${id} has no held outputs to publish` };
  }
  const published: string[] = [];
  const redactor = new Redactor();
  for (const h of outputs) {
    const sink = o.registry.get(h.use)?.sink;
    try {
      if (!sink?.publishHeld) throw new Error(`the ${h.use} connector cannot publish a held stage`);
      await sink.publishHeld(h.stage, heldContext(h, o, redactor));
      published.push(h.output);
    } catch (e) {
      const why = redactor.redact(`output ${h.output} was not published: ${e instanceof Error ? e.message : String(e)}${published.length ? ` (already published: ${published.join(', ')})` : ''}`);
      await finish('failed', undefined, why);
      return { ok: false, why };
    }
  }
  const report: RunReport | undefined = run.report && {
    ...run.report,
    startedAt: started.toISOString(),
    outputs: Object.fromEntries(Object.entries(run.report.outputs).map(([n, out]) => [n, { ...out, committed: true }])),
  };
  if (report) delete report.approval;
  await o.store.decide(id, { status: 'approved', by: o.by, at: now().toISOString(), run: approveId });
  await finish('ok', report);
  return { ok: true, record: (await o.store.get(approveId))! };
}

export async function discardRun(id: string, o: DecideOptions): Promise<Decision> {
  const now = o.now ?? (() => new Date());
  const held = await heldRun(id, o.store);
  if (!held.ok) return held;
  const redactor = new Redactor();
  for (const h of await o.store.held(id)) {
    try {
      await o.registry.get(h.use)?.sink?.discardHeld?.(h.stage, heldContext(h, o, redactor));
    } catch (e) {
      return { ok: false, why: redactor.redact(`the stage of output ${h.output} could not be removed: ${e instanceof Error ? e.message : String(e)}`) };
    }
  }
  if (!(await o.store.decide(id, { status: 'discarded', by: o.by, at: now().toISOString() }))) return { ok: false, why: `run ${id} is no longer held` };
  return { ok: true, record: (await o.store.get(id))! };
}

function heldContext(h: HeldOutput, o: DecideOptions, redactor: Redactor): HeldContext {
  return {
    connection: resolveSettings(h.connection, o.secrets, redactor, `the connection of output \`${h.output}\``),
    signal: AbortSignal.timeout(15 * 60_000),
    log: (m) => o.log?.(redactor.redact(`${h.output}: ${m}`)),
  };
}

async function heldRun(id: string, store: HistoryStore): Promise<Decision> {
  const run = await store.get(id);
  if (!run) return { ok: false, why: `no run ${id} in the history` };
  if (run.status !== 'held') {
    const how = run.decision ? ` (${run.status} by ${run.decision.by} at ${run.decision.at}${run.decision.run ? `, run ${run.decision.run}` : ''})` : '';
    return { ok: false, why: `run ${id} is ${run.status}${how}, not held: only a held run can be approved or discarded` };
  }
  return { ok: true, record: run };
}
