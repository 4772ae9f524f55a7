import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { canonicalNumber, KeyIndex, TextTable } from '../src/runtime/key-index.js';

/** Sets the pairs in the index and in a Map (a key's first number, or its last with `overwrite`); every get agrees with the Map's. */
function matchesMap(index: KeyIndex, pairs: [unknown, number][], overwrite: boolean): void {
  const map = new Map<unknown, number>();
  for (const [k, v] of pairs) {
    assert.is(index.get(k), map.get(k), `get ${String(k)}`);
    if (overwrite || !map.has(k)) {
      map.set(k, v);
      index.set(k, v);
    }
  }
  assert.is(index.size, map.size);
  for (const [k, v] of map) assert.is(index.get(k), v);
}

test('remembers the first line of every key, of every kind, as a Map would', () => {
  const key = fc.oneof(
    fc.nat({ max: 5000 }),
    fc.nat({ max: 5000 }).map(String),
    fc.constantFrom('0042', '42 ', '-1', '1e3', 'T5001', '', '["a",1]', '9007199254740993'),
    fc.integer({ min: -3, max: 3 }),
    fc.double({ noNaN: false }),
    fc.constant(Number.MAX_SAFE_INTEGER),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.nat()), { maxLength: 3000 }), (pairs) => matchesMap(new KeyIndex(), pairs, false)),
    { numRuns: 200 },
  );
});

test('a number and the text of that number are different keys; leading zeros are kept apart', () => {
  const index = new KeyIndex();
  index.set(42, 1);
  assert.is(index.get('42'), undefined);
  index.set('42', 2);
  index.set('0042', 3);
  assert.equal([index.get(42), index.get('42'), index.get('0042'), index.size], [1, 2, 3, 3]);
});

test('grows past a million keys without losing one', () => {
  const index = new KeyIndex();
  for (let i = 0; i < 1_200_000; i++) index.set(String(100000 + i * 7), i);
  assert.is(index.size, 1_200_000);
  for (let i = 0; i < 1_200_000; i += 997) assert.is(index.get(String(100000 + i * 7)), i);
  assert.is(index.get(String(100000 + 3)), undefined);
});

test('whole numbers past 32 bits join a table of 4-byte keys without losing one', () => {
  const index = new KeyIndex();
  for (let i = 0; i < 5000; i++) index.set(i * 3, i);
  index.set(2 ** 32 - 1, 5000);
  index.set(2 ** 40 + 7, 5001);
  index.set(String(2 ** 33), 5002);
  for (let i = 0; i < 5000; i++) assert.is(index.get(i * 3), i);
  assert.equal([index.get(2 ** 32 - 1), index.get(2 ** 40 + 7), index.get(String(2 ** 33)), index.get(2 ** 33), index.get(1), index.size], [5000, 5001, 5002, undefined, undefined, 5003]);
});

test('texts whose fingerprints collide stay different keys', () => {
  // Every text gets the same fingerprint: each lookup is decided by comparing the characters.
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.nat()), { maxLength: 300 }), (pairs) => {
      const table = new TextTable(() => 7, () => 7);
      const map = new Map<string, number>();
      for (const [k, v] of pairs) {
        assert.is(table.get(k), map.get(k), `get ${JSON.stringify(k)}`);
        table.set(k, v);
        map.set(k, v);
      }
      assert.is(table.size, map.size);
      for (const [k, v] of map) assert.is(table.get(k), v);
    }),
    { numRuns: 100 },
  );
});

test('keeps a million non-number texts (staff barcodes, several key columns) apart', () => {
  const index = new KeyIndex();
  for (let i = 0; i < 1_000_000; i++) index.set(i % 2 ? `T${i}` : JSON.stringify([i, 'x']), i);
  assert.is(index.size, 1_000_000);
  for (let i = 0; i < 1_000_000; i += 991) assert.is(index.get(i % 2 ? `T${i}` : JSON.stringify([i, 'x'])), i);
  assert.is(index.get('T0'), undefined);
  assert.is(index.get(JSON.stringify([1, 'x'])), undefined);
});

test('a table sized for a number of keys takes more, past 32 bits too, and keeps duplicates single', () => {
  const index = new KeyIndex(1000);
  for (let i = 0; i < 5000; i++) index.set(String(i * 11), i);
  for (let i = 0; i < 5000; i += 2) index.set(String(i * 11), i + 1); // a key set again keeps one slot
  index.set(String(2 ** 32 - 1), 5000);
  index.set(String(2 ** 40 + 3), 5001);
  assert.is(index.size, 5002);
  for (let i = 0; i < 5000; i++) assert.is(index.get(String(i * 11)), i % 2 ? i : i + 1);
  assert.equal([index.get(String(2 ** 32 - 1)), index.get(String(2 ** 40 + 3)), index.get(2 ** 40 + 3), index.get('1')], [5000, 5001, undefined, undefined]);
});

test('a sized table gives its size to the first kind of whole-number key only; the others still work', () => {
  fc.assert(
    fc.property(fc.nat({ max: 3000 }), fc.array(fc.tuple(fc.oneof(fc.nat({ max: 2 ** 33 }), fc.nat({ max: 2 ** 33 }).map(String), fc.constantFrom('T1', 'x')), fc.nat()), { maxLength: 2000 }), (expected, pairs) =>
      matchesMap(new KeyIndex(expected), pairs, true),
    ),
    { numRuns: 100 },
  );
});

test('a table whose numbers are all 0 (a set of keys) keeps them, and keeps others once one comes', () => {
  const index = new KeyIndex();
  for (let i = 0; i < 20000; i++) index.set(String(i * 7), 0);
  for (let i = 0; i < 20000; i += 3) assert.is(index.get(String(i * 7)), 0);
  index.set(String(7), 5); // a segment starts keeping numbers: the 0s before stay 0
  index.set(String(2 ** 35), 9);
  for (let i = 0; i < 30000; i++) index.set(String(140000 + i), 0); // grows with numbers kept
  assert.equal([index.get('7'), index.get('0'), index.get('14'), index.get(String(2 ** 35)), index.get('140001'), index.get('1')], [5, 0, 0, 9, 0, undefined]);
  assert.is(index.size, 50001);
});

test('add keeps a new key and gives the number of a known one, as a Map would; addNumberText is add of the number\'s text', () => {
  const key = fc.oneof(fc.nat({ max: 3000 }), fc.nat({ max: 3000 }).map(String), fc.constantFrom('0042', 'T5001', '', 2 ** 40, String(2 ** 40), -1, 0.5));
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.nat(), fc.boolean()), { maxLength: 2000 }), fc.nat({ max: 2000 }), (pairs, expected) => {
      const index = new KeyIndex(expected);
      const map = new Map<unknown, number>();
      for (const [k, v, asNumber] of pairs) {
        const n = typeof k === 'string' ? canonicalNumber(k) : -1;
        const before = asNumber && n >= 0 ? index.addNumberText(n, v) : index.add(k, v);
        assert.is(before, map.get(k), `add ${String(k)}`);
        if (!map.has(k)) map.set(k, v);
      }
      assert.is(index.size, map.size);
      for (const [k, v] of map) assert.is(index.get(k), v);
    }),
    { numRuns: 150 },
  );
});

test('keys in runs (dense IDs, every 5th, multiples of 16, blocks at the 2^32 edge) are all kept and told from their absent neighbours', () => {
  const patterns: [string, (i: number) => number][] = [
    ['dense', (i) => i],
    ['every 5th', (i) => 100000 + 5 * i],
    ['multiples of 16', (i) => 16 * i],
    ['runs of 16 far apart', (i) => (i >> 4) * 1_000_003 + (i & 15)],
    ['near 2^32', (i) => 0xffffffff - 40_000 + i],
  ];
  for (const [name, key] of patterns) {
    const index = new KeyIndex(name === 'dense' ? 80_000 : 0);
    const n = 80_000;
    for (let i = 0; i < n; i++) index.set(String(key(i)), i);
    assert.is(index.size, n, name);
    for (let i = 0; i < n; i++) assert.is(index.get(String(key(i))), i, `${name}: ${key(i)}`);
    const kept = new Set(Array.from({ length: n }, (_, i) => key(i)));
    for (let i = 0; i < n; i += 7) {
      const absent = key(i) + 1;
      if (!kept.has(absent)) assert.is(index.get(String(absent)), undefined, `${name}: ${absent} absent`);
    }
  }
});

test('canonicalNumber reads exactly the texts a whole number prints as, up to 15 digits', () => {
  const canonical = /^(?:0|[1-9]\d{0,14})$/;
  const text = fc.oneof(
    fc.nat().map(String),
    fc.stringMatching(/^[0-9]{0,17}$/),
    fc.constantFrom('', '0', '00', '007', '-1', '+1', '1 ', ' 1', '1e3', '1.0', '٣', '１', '999999999999999', '1000000000000000', '12a'),
    fc.string(),
  );
  fc.assert(fc.property(text, (t) => assert.is(canonicalNumber(t), canonical.test(t) ? Number(t) : -1, t)), { numRuns: 5000 });
});

test.run();
