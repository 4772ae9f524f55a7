// `default: today` is the date where the district is, not in UTC (issue 23, item 9).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, ConnectorRegistry } from '@sisflow/core';
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

test.run();
