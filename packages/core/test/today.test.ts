// `default: today` is the date where the district is, not in UTC (issue 23, item 9).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, ConnectorRegistry } from '@sisflow/core';
import { isTimeZone, localToday, todayIn } from '../src/expr/dates.js';
import { memoryConnector } from './memory-connector.js';

const registry = new ConnectorRegistry().register(memoryConnector);
const spec = (zone: string) => `sisflow: 1
name: t
params:
  as_of: { type: date, default: today }
connections:
  mem: { use: memory }
sources:
  s: { from: mem, table: s, columns: { ID: int, D: date } }
steps:
  m:
    from: s
    where: D <= $as_of
    columns: { ID: ID }
outputs:
  o: { from: m, to: mem, table: o }
schedule: { cron: "0 4 * * *", timezone: ${zone} }
`;

const asOf = (zone: string, options: { today?: string } = {}) => {
  const c = compile(spec(zone), 'spec.yaml', { registry, ...options });
  assert.ok(c.plan, c.diagnostics.map((d) => d.message).join());
  return (c.plan!.params as Record<string, { value: unknown }>).as_of!.value;
};
const dateIn = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

test("today is the date in the spec's schedule time zone: 25 hours apart, two different days", () => {
  const east = asOf('Pacific/Kiritimati'); // UTC+14
  const west = asOf('Pacific/Pago_Pago'); // UTC-11
  assert.is(east, dateIn('Pacific/Kiritimati'));
  assert.is(west, dateIn('Pacific/Pago_Pago'));
  assert.ok(String(east) > String(west), `${String(east)} after ${String(west)}`);
});

test('--today still fixes the date', () => {
  assert.is(asOf('America/Los_Angeles', { today: '2026-02-03' }), '2026-02-03');
});

test('todayIn reads the date through TZ as a formatter would, for every zone ICU knows, at instants around the date line, and leaves TZ as it was', () => {
  const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'US/Pacific', 'Etc/GMT+12', 'Asia/Calcutta'];
  const instants = [Date.UTC(2026, 0, 1, 0, 0), Date.UTC(2026, 2, 8, 10, 30), Date.UTC(2026, 10, 1, 8, 59), Date.UTC(2024, 1, 29, 23, 59), Date.UTC(1999, 11, 31, 12, 0)];
  const tz = process.env.TZ;
  for (const zone of zones) {
    for (const t of instants) {
      const formatter = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));
      assert.is(todayIn(zone, new Date(t)), formatter, `${zone} at ${new Date(t).toISOString()}`);
    }
  }
  assert.is(process.env.TZ, tz);
  assert.is(localToday(new Date(Date.UTC(2026, 5, 1, 12))), new Intl.DateTimeFormat('en-CA').format(new Date(Date.UTC(2026, 5, 1, 12))));
});

test('isTimeZone knows canonical zones and aliases, and refuses what is not a zone', () => {
  for (const zone of ['America/Los_Angeles', 'UTC', 'US/Pacific', 'america/los_angeles']) assert.ok(isTimeZone(zone), zone);
  for (const zone of ['America/Springfield', 'PST8', '', 'Not a zone']) assert.not.ok(isTimeZone(zone), zone);
});

test.run();
