// The schedule: a valid cron pattern in a real IANA time zone.
import { Cron } from 'croner';
import type { CheckContext } from './context.js';

export function checkSchedule(ctx: CheckContext): void {
  const s = ctx.spec.schedule;
  if (!s) return;
  let zoneOk = true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: s.timezone });
  } catch {
    zoneOk = false;
    ctx.report('SF217', `\`${s.timezone}\` is not an IANA time zone`, ['schedule', 'timezone'], 'e.g. America/Los_Angeles');
  }
  try {
    new Cron(s.cron, { paused: true, ...(zoneOk ? { timezone: s.timezone } : {}) });
  } catch (e) {
    ctx.report('SF217', `\`${s.cron}\` is not a cron pattern: ${(e as Error).message.replace(/^CronPattern: /, '')}`, ['schedule', 'cron'], "five fields: minute hour day-of-month month day-of-week, e.g. '0 5 * * 1-5'");
  }
}

/** The next n run times of a schedule, as ISO instants with the zone's offset. */
export function nextRuns(cron: string, timezone: string, n: number, from?: Date): Date[] {
  return new Cron(cron, { paused: true, timezone }).nextRuns(n, from ?? new Date());
}
