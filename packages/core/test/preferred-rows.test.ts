import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { PreferredRows, compareRanks } from '../src/runtime/preferred-rows.js';

/** The plain way: every key's best row held to the end, in the order keys first appeared. */
function holdAll(rows: [number, number][], keep: 'first' | 'last'): number[] {
  const best = new Map<number, { i: number; rank: number[] }>();
  rows.forEach(([key, r], i) => {
    const b = best.get(key);
    const c = b && compareRanks([r], b.rank);
    if (!b) best.set(key, { i, rank: [r] });
    else if (c! < 0 || (c === 0 && keep === 'last')) b.i = i, (b.rank = [r]);
  });
  return [...best.values()].map((b) => b.i);
}

test('releases the same rows in the same order as holding every row to the end', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 2 })), { maxLength: 400 }),
      fc.constantFrom('first' as const, 'last' as const),
      fc.nat({ max: 20 }),
      (rows, keep, every) => {
        const p = new PreferredRows(keep);
        const out: number[] = [];
        let early = 0;
        rows.forEach(([key, rank], i) => {
          p.offer(key, { i }, i + 1, 'src', [rank]);
          if (i % (every + 1) === 0) for (const c of p.release('src')) out.push(c.row.i as number), early++;
        });
        p.inputsEnded(); // the keys go; the rows still held stay
        for (const c of p.rest()) out.push(c.row.i as number);
        assert.equal(out, holdAll(rows, keep));
        if (keep === 'last') assert.is(early, 0);
      },
    ),
    { numRuns: 300 },
  );
});

test('a row nothing can beat leaves at once; a replaceable one holds back the rows after it', () => {
  const p = new PreferredRows('first');
  p.offer('a', { n: 1 }, 1, 's', [0]);
  p.offer('b', { n: 2 }, 2, 's', [2]); // inactive: an active row of b may follow
  p.offer('c', { n: 3 }, 3, 's', [0]);
  assert.equal([...p.release('s')].map((c) => c.row.n), [1]);
  assert.is(p.held, 2);
  assert.ok(p.offer('b', { n: 4 }, 4, 's', [0])); // b's active row replaces it, in b's place
  assert.equal([...p.release('s')].map((c) => c.row.n), [4, 3]);
  assert.is(p.held, 0);
  assert.ok(p.offer('a', { n: 5 }, 5, 's', [0]));
  assert.equal([...p.rest()], []);
});

test('rows of another source wait for a batch of their own', () => {
  const p = new PreferredRows('first');
  p.offer(1, { n: 1 }, 1, 'students', [0]);
  assert.equal([...p.release('staff')], []);
  assert.equal([...p.release('students')].map((c) => c.row.n), [1]);
});

test.run();
