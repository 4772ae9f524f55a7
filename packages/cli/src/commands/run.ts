// `sisflow run SPEC|PLAN.json`: executes a job and prints its report; Ctrl-C cancels cleanly.
import { dirname, resolve } from 'node:path';
import { diagnostic, runPlan, type Diagnostic, type JobPlan, type RunReport } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { HistoryError, openHistory, projectAlerts, projectOfSpec, runRecorded, type HistoryStore, type RunRecord } from '@sisflow/service';
import { describeHeld, printHistoryError } from './history.js';
import { specFiles } from './project-args.js';
import { eachAsJson, environmentSecrets, EXIT, printFailure, readPlanFile, type Out } from '../io.js';
import { compileForVerb, type CompileFlags } from './validate.js';

export interface RunFlags extends CompileFlags {
  dryRun?: boolean;
  limit?: string;
  json?: boolean;
  baseDir?: string;
}

export async function run(path: string, flags: RunFlags, out: Out, signal?: AbortSignal): Promise<number> {
  const collected: Diagnostic[] = [];
  const files = path.endsWith('.json') ? [path] : specFiles([path], out, flags.json ? collected : undefined);
  if (!files) {
    printFailure(out, flags, { diagnostics: collected });
    return EXIT.failed;
  }
  if (flags.json && files.length > 1) {
    // One JSON array of the reports; a cancelled run stops the rest, as below.
    let cancelled = false;
    return eachAsJson(out, files, async (file, o) => (cancelled ? EXIT.cancelled : await runOne(file, flags, o, signal).then((c) => ((cancelled = c === EXIT.cancelled), c))), (codes) => (codes.includes(EXIT.cancelled) ? EXIT.cancelled : codes.find((c) => c !== EXIT.ok) ?? EXIT.ok));
  }
  let worst: number = EXIT.ok;
  for (const file of files) {
    if (files.length > 1) out.stdout(`\n${file}`);
    const code = await runOne(file, flags, out, signal);
    if (code === EXIT.cancelled) return code;
    if (code !== EXIT.ok) worst = code;
  }
  return worst;
}

async function runOne(file: string, flags: RunFlags, out: Out, signal?: AbortSignal): Promise<number> {
  let plan: JobPlan | undefined;
  if (file.endsWith('.json')) {
    // A saved plan is fixed: its profile, params and day were chosen when it was compiled.
    const fixed = [flags.profile !== undefined && '--profile', flags.param !== undefined && '--param', flags.today !== undefined && '--today'].filter(Boolean);
    if (fixed.length > 0) {
      printFailure(out, flags, { message: `error: ${fixed.join(', ')} cannot apply to a saved plan (${file}): its profile and params were fixed by \`sisflow plan\`; compile the spec again with them, or run the spec itself` });
      return EXIT.usage;
    }
    const r = readPlanFile(file);
    if (!r.plan) printFailure(out, flags, { diagnostics: r.diagnostics, file });
    plan = r.plan;
  } else plan = compileForVerb(file, flags, out);
  if (!plan) return EXIT.failed;
  const limit = flags.limit !== undefined ? Number(flags.limit) : undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    printFailure(out, flags, { message: `--limit needs a whole number, not "${flags.limit}"` });
    return EXIT.usage;
  }
  const progress = !flags.json && out.tty ? progressLine(out) : undefined;
  const registry = defaultRegistry();
  const log = (line: string) => {
    progress?.clear();
    out.stderr(line);
  };
  const options = {
    registry,
    baseDir: resolve(flags.baseDir ?? dirname(file)),
    secrets: environmentSecrets(),
    ...(signal ? { signal } : {}),
    ...(flags.dryRun ? { dryRun: true, sample: SAMPLE_ROWS } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(progress ? { onProgress: progress.update } : {}),
    log,
  };
  let report: RunReport;
  let runId: string | undefined;
  let held: RunRecord | undefined;
  if (flags.dryRun) ({ report } = await runPlan(plan, options));
  else {
    // Every real run is recorded, in its project's history (or beside the spec) unless --base-dir says where.
    const project = file.endsWith('.json') ? undefined : projectOfSpec(file, registry)?.project;
    let store: HistoryStore;
    try {
      store = openHistory(flags.baseDir ? resolve(flags.baseDir) : project?.dir ?? dirname(resolve(file)), { ...(project ? { project } : {}), secrets: environmentSecrets() });
    } catch (e) {
      if (!(e instanceof HistoryError)) throw e;
      printHistoryError(out, e, project?.file ?? file);
      return EXIT.failed;
    }
    try {
      const r = await runRecorded({ plan, file, store, trigger: 'manual', run: options, alerts: projectAlerts(project, registry, environmentSecrets(), log) });
      if (r.busy) {
        printFailure(out, flags, { file, diagnostics: [diagnostic('SF521', `${plan.name} is already running (run ${r.busy.id}, ${r.busy.trigger}, started ${r.busy.startedAt}${r.busy.pid ? `, process ${r.busy.pid}` : ''})`, { hint: 'wait for it to finish: `sisflow history` shows it; runs of one spec never overlap' })] });
        return EXIT.failed;
      }
      report = r.report;
      runId = r.record.id;
      if (r.record.status === 'held') held = r.record;
      progress?.clear();
    } catch (e) {
      if (!(e instanceof HistoryError)) throw e;
      progress?.clear();
      printHistoryError(out, e, project?.file ?? file);
      return EXIT.failed;
    } finally {
      await store.close();
    }
  }
  progress?.clear();
  if (flags.json) out.stdout(JSON.stringify(runId ? { run: runId, ...report } : report, null, 2));
  else out.stdout(`${runId ? `run ${runId}\n` : ''}${describeReport(report)}${held ? `\n${describeHeld(held)}` : ''}`);
  return report.approval ? EXIT.held : report.ok ? EXIT.ok : report.cancelled ? EXIT.cancelled : EXIT.failed;
}

const SAMPLE_ROWS = 5;

/** `1,234,000 rows read (412,000 rows/s)` rewritten in place on a terminal, at most 5 times a second. */
function progressLine(out: Out) {
  const started = performance.now();
  let last = 0;
  let shown = false;
  return {
    update: (rows: number) => {
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      const rate = rows / Math.max(0.001, (now - started) / 1000);
      out.stderrRaw(`\r\x1b[2K  ${rows.toLocaleString('en-US')} rows read (${Math.round(rate).toLocaleString('en-US')} rows/s)`);
      shown = true;
    },
    clear: () => {
      if (shown) out.stderrRaw('\r\x1b[2K');
      shown = false;
    },
  };
}

export function describeReport(r: RunReport): string {
  const lines: string[] = [];
  const verdict = r.approval ? 'HELD for approval (nothing published)' : r.ok ? (r.dryRun ? 'dry run finished (nothing published)' : 'finished') : r.cancelled ? 'cancelled' : 'FAILED';
  lines.push(`${r.name}: ${verdict} in ${(r.durationMs / 1000).toFixed(2)} s  (plan ${r.planHash.slice(0, 12)})`);
  if (r.error) lines.push(`  error: ${r.error}`);
  const read = Object.values(r.sources).reduce((n, s) => n + s.rows, 0);
  if (r.durationMs > 0 && read > 0) lines.push(`  ${read.toLocaleString('en-US')} row(s) read, ${Math.round(read / (r.durationMs / 1000)).toLocaleString('en-US')} rows/s`);
  for (const [name, s] of Object.entries(r.sources)) lines.push(`  source ${name}: ${s.rows} row(s) read${s.rejected ? `, ${s.rejected} unreadable` : ''}`);
  for (const [name, s] of Object.entries(r.steps)) {
    const extra = [s.filtered && `${s.filtered} filtered`, s.deduplicated && `${s.deduplicated} duplicate(s) dropped`, s.rejected && `${s.rejected} rejected`].filter(Boolean).join(', ');
    lines.push(`  step ${name}: ${s.in} in, ${s.out} out${extra ? ` (${extra})` : ''}`);
  }
  for (const [name, o] of Object.entries(r.outputs)) {
    for (const f of o.files) lines.push(`  output ${name}: ${o.rows} row(s) ${o.committed ? '→' : r.approval ? 'held for' : 'would go to'} ${f.path} (${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)})`);
    for (const [table, c] of Object.entries(o.changes ?? {})) {
      lines.push(`  output ${name}: ${table} ${c.inserted} inserted, ${c.updated} updated, ${c.deleted} deleted${o.committed ? '' : ' (not committed)'}`);
    }
    if (o.sample && o.sample.length > 0) {
      lines.push(`    first ${o.sample.length} row(s):`);
      for (const row of o.sample) lines.push(`      ${JSON.stringify(row)}`);
    }
  }
  for (const [name, h] of Object.entries(r.held ?? {})) {
    if (h.all !== undefined) lines.push(`  output ${name}: HELD whole, nothing applied: ${h.all}`);
    else {
      lines.push(`  output ${name}: ${h.slices.length} slice(s) held, left as they were:`);
      for (const s of h.slices) lines.push(`    ${Object.entries(s.slice).map(([c, v]) => `${c} ${String(v)}`).join(', ')}: ${s.reasons.join('; ')}`);
    }
  }
  for (const [event, n] of Object.entries(r.events)) lines.push(`  ${event}: ${n}`);
  if (r.rejects.count > 0) {
    lines.push(`  rejects: ${r.rejects.count}${r.rejects.files[0] ? ` → ${r.rejects.files[0].path}` : ''}`);
    for (const j of r.rejects.sample.slice(0, 5)) lines.push(`    ${j.step} (${j.source} line ${j.line}): ${j.reason}`);
  }
  for (const [name, n] of Object.entries(r.notifications)) lines.push(`  notify ${name}: ${n.sent ? 'sent' : n.skipped ? `not sent (${n.skipped})` : 'NOT sent'} to ${n.to}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}
