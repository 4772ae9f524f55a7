import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { LookupTable, tableKey } from '../src/runtime/lookup-table.js';

/** What the runtime did before: a Map from the JSON of the key values to the first row. */
function reference(rows: Record<string, unknown>[], key: string[]): Map<unknown, Record<string, unknown>> {
  const m = new Map<unknown, Record<string, unknown>>();
  for (const r of rows) {
    const values = key.map((c) => r[c]);
    const k = values.length === 1 ? values[0] : JSON.stringify(values);
    if (!m.has(k)) m.set(k, r);
  }
  return m;
}

const value = fc.oneof(
  fc.nat({ max: 40 }),
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 21 - 1, 2 ** 21, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, NaN),
  fc.nat({ max: 40 }).map(String),
  fc.constantFrom('0042', 'Ｚoë', '🙂', '', '[1,2]', 'null', null, true, false),
);

test('finds the first row of every key, of one or two columns, as a Map of JSON keys did', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ a: value, b: value, v: fc.oneof(fc.string(), fc.constant(null)) }), { maxLength: 60 }), fc.array(fc.tuple(value, value), { maxLength: 30 }), fc.boolean(), (rows, probes, two) => {
      const key = two ? ['a', 'b'] : ['a'];
      const table = new LookupTable(['v']);
      let duplicates = 0;
      for (const r of rows) if (!table.add(tableKey(key.map((c) => r[c as 'a' | 'b'])), r)) duplicates++;
      const ref = reference(rows, key);
      assert.is(table.size, ref.size);
      assert.is(duplicates, rows.length - ref.size);
      for (const [a, b] of [...rows.map((r) => [r.a, r.b] as const), ...probes]) {
        const values = two ? [a, b] : [a];
        const want = ref.get(values.length === 1 ? values[0] : JSON.stringify(values));
        const got = table.get(tableKey(values));
        assert.equal(got, want === undefined ? undefined : { v: want.v }, JSON.stringify(values));
      }
    }),
    { numRuns: 300 },
  );
});

test('two whole numbers pack into one number only while that is exact; the rest are JSON', () => {
  assert.is(tableKey([3, 12345]), 3 * 2 ** 32 + 12345);
  assert.is(tableKey([2 ** 21 - 1, 2 ** 32 - 1]), Number.MAX_SAFE_INTEGER);
  assert.is(tableKey([2 ** 21, 0]), '[2097152,0]');
  assert.is(tableKey([0, 2 ** 32]), '[0,4294967296]');
  assert.is(tableKey([-1, 5]), '[-1,5]');
  assert.is(tableKey([1.5, 5]), '[1.5,5]');
  assert.is(tableKey(['3', 5]), '["3",5]', 'a number text is not the number');
  assert.is(tableKey([null, 5]), '[null,5]');
  assert.is(tableKey([1, 2, 3]), '[1,2,3]');
  assert.is(tableKey(['only']), 'only');
  // Pairs that are close never share a packed key.
  assert.is.not(tableKey([1, 0]), tableKey([0, 2 ** 32 - 1]));
});

test('a found row has the columns its consumers read, nulls and unicode as they were, and is a new object each time', () => {
  const table = new LookupTable(['ID', 'NM']);
  table.add(tableKey([1, 5]), { SC: 1, SN: 5, ID: 100, NM: 'Zoë 🙂', extra: 'not kept' });
  table.add(tableKey([1, 6]), { SC: 1, SN: 6, ID: null, NM: null });
  const first = table.get(tableKey([1, 5]))!;
  assert.equal(first, { ID: 100, NM: 'Zoë 🙂' });
  first.ID = 'changed';
  assert.equal(table.get(tableKey([1, 5])), { ID: 100, NM: 'Zoë 🙂' }, 'changing a found row changes nothing kept');
  assert.equal(table.get(tableKey([1, 6])), { ID: null, NM: null });
  assert.is(table.get(tableKey([1, 7])), undefined);
  assert.is(table.get(tableKey(['1', 5])), undefined, 'the text "1" is not the number 1');
  const missing = new LookupTable(['ID']);
  missing.add('k', { other: 1 });
  assert.equal(missing.get('k'), { ID: undefined }, 'a column the row lacks is found as undefined, as a Map row gave it');
});

test('a table of no columns (a lookup read only for whether it matches) still tells found from missing', () => {
  const table = new LookupTable([]);
  assert.ok(table.add('a', {}));
  assert.not.ok(table.add('a', {}));
  assert.equal(table.get('a'), {});
  assert.is(table.get('b'), undefined);
  assert.is(table.size, 1);
});

test.run();
