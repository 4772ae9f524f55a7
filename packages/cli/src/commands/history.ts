// `sisflow history [SPEC]`, `sisflow show RUN`, `sisflow approve RUN`, `sisflow discard RUN`: the
// run history of a project folder (or of a spec's folder), read and decided through the one store.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { diagnostic, loadSpec } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { approveRun, discardRun, HistoryError, historyPath, historyUrl, openHistory, openProject, PROJECT_FILE, projectOfSpec, readSpecFile, type HistoryStore, type Project, type RunRecord } from '@sisflow/service';
import { environmentSecrets, EXIT, printFailure, type JsonFlag, type Out } from '../io.js';
import { describeReport } from './run.js';

export interface HistoryFlags {
  dir?: string;
  json?: boolean;
  limit?: string;
  /** `--history URL`: a shared PostgreSQL history instead of the project's choice. */
  history?: string;
}

/** The history of --dir (default: here), or of the project or folder of a spec file given as SPEC. */
function locate(spec: string | undefined, flags: HistoryFlags): { folder: string; name?: string } {
  if (spec && /\.ya?ml$/.test(spec) && existsSync(spec)) {
    const project = projectOfSpec(spec, defaultRegistry())?.project;
    const read = readSpecFile(spec);
    const name = read.bytes ? loadSpec(read.bytes, spec).value?.spec.name : undefined;
    return { folder: project?.dir ?? dirname(resolve(spec)), ...(name ? { name } : {}) };
  }
  return { folder: resolve(flags.dir ?? '.'), ...(spec ? { name: spec } : {}) };
}

/**
 * The history a command uses for folder: `--history URL`, else the project's `history: url:`, else
 * the embedded file (which must exist). Undefined, with the problem printed, when it cannot be opened.
 */
export function commandStore(folder: string, url: string | undefined, out: Out, project?: Project, create = false, flags: JsonFlag = {}): HistoryStore | undefined {
  const proj = project ?? (existsSync(join(folder, PROJECT_FILE)) ? openProject(folder, defaultRegistry()).project : undefined);
  const choice = { ...(url ? { url } : {}), ...(proj ? { project: proj } : {}), secrets: environmentSecrets() };
  if (!create && !historyUrl(choice) && !existsSync(historyPath(folder))) {
    printFailure(out, flags, { message: `no run history in ${folder} (${historyPath(folder)} does not exist): runs are recorded there by \`sisflow run\` and \`sisflow serve\`` });
    return undefined;
  }
  try {
    return openHistory(folder, choice);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    printHistoryError(out, e, proj?.file ?? folder, flags);
    return undefined;
  }
}

/** A history that cannot be opened or used, as its diagnostic (it names no password). */
export function printHistoryError(out: Out, e: HistoryError, file: string, flags: JsonFlag = {}): void {
  printFailure(out, flags, { diagnostics: [diagnostic(e.code, e.message, e.hint ? { hint: e.hint } : {})], file });
}

async function withStore<T>(folder: string, flags: HistoryFlags, out: Out, f: (store: HistoryStore) => Promise<T>): Promise<T | number> {
  const store = commandStore(folder, flags.history, out, undefined, false, flags);
  if (!store) return EXIT.failed;
  try {
    return await f(store);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    printHistoryError(out, e, folder, flags);
    return EXIT.failed;
  } finally {
    await store.close();
  }
}

export async function history(spec: string | undefined, flags: HistoryFlags, out: Out): Promise<number> {
  const { folder, name } = locate(spec, flags);
  const limit = Math.max(1, Math.min(10_000, Number(flags.limit ?? 20) || 20));
  const r = await withStore(folder, flags, out, async (store) => {
    const runs = await store.list({ ...(name ? { spec: name } : {}), limit });
    if (flags.json) out.stdout(JSON.stringify(runs.map(({ report: _r, ...rest }) => rest), null, 2));
    else if (runs.length === 0) out.stdout(`no runs${name ? ` of ${name}` : ''} yet`);
    else for (const run of runs) out.stdout(historyLine(run));
    return EXIT.ok;
  });
  return r;
}

export async function show(id: string, flags: HistoryFlags, out: Out): Promise<number> {
  return withStore(resolve(flags.dir ?? '.'), flags, out, async (store) => {
    const run = await store.get(id);
    if (!run) {
      printFailure(out, flags, { message: `no run ${id} in the history of ${resolve(flags.dir ?? '.')}` });
      return EXIT.failed;
    }
    if (flags.json) out.stdout(JSON.stringify(run, null, 2));
    else out.stdout(describeRun(run));
    return EXIT.ok;
  });
}

export async function decide(kind: 'approve' | 'discard', id: string, flags: HistoryFlags, out: Out): Promise<number> {
  return withStore(resolve(flags.dir ?? '.'), flags, out, async (store) => {
    const options = { store, registry: defaultRegistry(), by: userInfo().username, secrets: environmentSecrets(), log: (line: string) => out.stderr(line) };
    const r = kind === 'approve' ? await approveRun(id, options) : await discardRun(id, options);
    if (!r.ok) {
      printFailure(out, flags, { message: `${kind} refused: ${r.why}` });
      return EXIT.failed;
    }
    if (flags.json) {
      const outputs = kind === 'approve' ? Object.entries(r.record.report?.outputs ?? {}).flatMap(([output, o]) => o.files.map((f) => ({ output, ...f }))) : [];
      out.stdout(JSON.stringify({ ok: true, run: id, decision: kind === 'approve' ? 'approved' : 'discarded', ...(kind === 'approve' ? { publishedBy: r.record.id, outputs } : {}) }, null, 2));
      return EXIT.ok;
    }
    out.stdout(kind === 'approve' ? `run ${id} approved: its staged outputs are published (run ${r.record.id})` : `run ${id} discarded: its staged outputs are removed, nothing was published`);
    if (kind === 'approve' && r.record.report) for (const [n, o] of Object.entries(r.record.report.outputs)) for (const f of o.files) out.stdout(`  output ${n}: ${f.path} (${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)})`);
    return EXIT.ok;
  });
}

function historyLine(r: RunRecord): string {
  const secs = r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)} s` : '';
  const rows = r.report ? Object.values(r.report.sources).reduce((n, s) => n + s.rows, 0) : undefined;
  const rejects = r.report?.rejects.count;
  const extra = [rows !== undefined && `${rows} read`, rejects && `${rejects} rejected`, r.error && r.error.slice(0, 80)].filter(Boolean).join(', ');
  return `${r.id}  ${r.spec.padEnd(20)} ${r.status.padEnd(9)} ${r.trigger.padEnd(8)} ${r.startedAt.replace(/\.\d+Z$/, 'Z')}  ${secs.padStart(7)}  ${extra}`;
}

export function describeRun(r: RunRecord): string {
  const lines = [
    `run ${r.id}: ${r.spec} ${r.status}`,
    `  trigger ${r.trigger}${r.approves ? ` (approves ${r.approves})` : ''}${r.requestedBy ? `, asked by ${r.requestedBy}` : ''}, started ${r.startedAt}${r.durationMs !== undefined ? `, ${(r.durationMs / 1000).toFixed(2)} s` : ''}`,
    `  file ${r.file}, plan ${r.planHash.slice(0, 12)}, params ${JSON.stringify(r.params)}`,
  ];
  if (r.decision) lines.push(`  ${r.status} by ${r.decision.by} at ${r.decision.at}${r.decision.run ? ` (run ${r.decision.run})` : ''}`);
  if (r.error && !r.report) lines.push(`  error: ${r.error}`);
  if (r.guard) lines.push(describeHeld(r));
  if (r.report) lines.push(describeReport(r.report));
  return lines.join('\n');
}

/** What a guard saw: counts per output, the limits passed, and the first rows of each kind. */
export function describeHeld(r: RunRecord): string {
  const lines: string[] = [];
  for (const o of r.guard?.outputs ?? []) {
    lines.push(`  guard ${o.output}: ${o.rows} row(s)${o.previous !== undefined ? ` against ${o.previous} published last time` : ' (nothing published before)'}: ${o.removed} removed, ${o.added} added, ${o.changed} changed`);
    for (const b of o.breaches) lines.push(`    beyond the guard: ${b}`);
    for (const row of o.sample.removed) lines.push(`    removed ${JSON.stringify(row)}`);
    for (const row of o.sample.added) lines.push(`    added   ${JSON.stringify(row)}`);
    for (const c of o.sample.changed) lines.push(`    changed ${JSON.stringify(c.before)}\n         → ${JSON.stringify(c.after)}`);
  }
  if (r.status === 'held') lines.push(`  held: nothing was published. \`sisflow approve ${r.id}\` publishes the staged outputs; \`sisflow discard ${r.id}\` drops them`);
  return lines.join('\n');
}
