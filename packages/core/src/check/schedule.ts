// The schedule: a valid cron pattern in a real IANA time zone.
import { Cron } from 'croner';
import type { CheckContext } from './context.js';
import { isTimeZone } from '../expr/dates.js';

export function checkSchedule(ctx: CheckContext): void {
  const s = ctx.spec.schedule;
  if (!s) return;
  const zoneOk = isTimeZone(s.timezone);
  if (!zoneOk) {
    ctx.report('SF217', `\`${s.timezone}\` is not an IANA time zone`, ['schedule', 'timezone'], 'e.g. America/Los_Angeles');
  }
  try {
    new Cron(s.cron, { paused: true, ...(zoneOk ? { timezone: s.timezone } : {}) });
  } catch (e) {
    ctx.report('SF217', `\`${s.cron}\` is not a cron pattern: ${cronProblem(s.cron, (e as Error).message)}`, ['schedule', 'cron'], "five fields: minute hour day-of-month month day-of-week, e.g. '0 5 * * 1-5' (weekdays at 05:00)");
  }
}

const FIELDS = [
  { name: 'second', lib: 'second', range: '0–59' },
  { name: 'minute', lib: 'minute', range: '0–59' },
  { name: 'hour', lib: 'hour', range: '0–23' },
  { name: 'day-of-month', lib: 'day', range: '1–31' },
  { name: 'month', lib: 'month', range: '1–12 or JAN–DEC' },
  { name: 'day-of-week', lib: 'weekday', range: '0–7 or SUN–SAT' },
];

/** What is wrong, in the words and with the fields the spec wrote (the library quotes its own rewrite). */
function cronProblem(cron: string, libraryMessage: string): string {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return `it has ${parts.length} field${parts.length === 1 ? '' : 's'}; a cron pattern has five`;
  const fields = parts.length === 5 ? FIELDS.slice(1) : FIELDS;
  const at = (i: number) => (i >= 0 && i < fields.length ? `the ${fields[i]!.name} field \`${parts[i]}\`` : undefined);
  const entry = /configuration entry (\d+)/.exec(libraryMessage);
  if (entry) {
    const what = at(Number(entry[1]) - (6 - parts.length));
    if (what) return `${what} has characters cron does not know (${fields[Number(entry[1]) - (6 - parts.length)]!.range})`;
  }
  const named = /Invalid value for (\w+)/i.exec(libraryMessage);
  if (named) {
    const i = fields.findIndex((f) => f.lib === named[1]!.toLowerCase());
    const what = at(i);
    if (what) return `${what} is out of range (${fields[i]!.range})`;
  }
  return 'a field is not a number, range, list or step cron understands';
}

/** The next n run times of a schedule, as ISO instants with the zone's offset. */
export function nextRuns(cron: string, timezone: string, n: number, from?: Date): Date[] {
  return new Cron(cron, { paused: true, timezone }).nextRuns(n, from ?? new Date());
}
