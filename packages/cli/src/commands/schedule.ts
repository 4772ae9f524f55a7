// `sisflow schedule SPEC`: the spec's schedule in words and its next run times.
import { nextRuns } from '@sisflow/core';
import { EXIT, printDiagnostics, type Out } from '../io.js';
import { compileFile, type CompileFlags } from './validate.js';

export function schedule(file: string, flags: CompileFlags & { count?: string }, out: Out): number {
  const r = compileFile(file, flags);
  printDiagnostics(out, r.diagnostics, file, r.source);
  if (!r.plan) return EXIT.failed;
  const s = r.plan.schedule;
  if (!s) {
    out.stdout(`${r.plan.name} has no schedule: it runs when someone runs it`);
    return EXIT.ok;
  }
  const n = Math.max(1, Math.min(100, Number(flags.count ?? 5) || 5));
  out.stdout(`${r.plan.name}: "${s.cron}" in ${s.timezone}; next ${n} run(s):`);
  for (const run of nextRuns(s.cron, s.timezone, n)) out.stdout(`  ${inZone(run, s.timezone)}  (${run.toISOString().replace('.000Z', 'Z')})`);
  return EXIT.ok;
}

/** `Mon 2026-11-23 05:30 PST` in the schedule's own time zone. */
export function inZone(d: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}
