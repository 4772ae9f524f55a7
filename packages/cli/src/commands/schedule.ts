// `sisflow schedule SPEC`: the spec's schedule in words and its next run times.
import { nextRuns } from '@sisflow/core';
import { EXIT, type JsonFlag, type Out } from '../io.js';
import { compileForVerb, type CompileFlags } from './validate.js';

export function schedule(file: string, flags: CompileFlags & JsonFlag & { count?: string }, out: Out): number {
  const plan = compileForVerb(file, flags, out);
  if (!plan) return EXIT.failed;
  const s = plan.schedule;
  const n = Math.max(1, Math.min(100, Number(flags.count ?? 5) || 5));
  if (flags.json) {
    const runs = s ? nextRuns(s.cron, s.timezone, n).map((d) => d.toISOString()) : [];
    out.stdout(JSON.stringify({ name: plan.name, schedule: s ?? null, next: runs }, null, 2));
    return EXIT.ok;
  }
  if (!s) {
    out.stdout(`${plan.name} has no schedule: it runs when someone runs it`);
    return EXIT.ok;
  }
  out.stdout(`${plan.name}: "${s.cron}" in ${s.timezone}; next ${n} run(s):`);
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
