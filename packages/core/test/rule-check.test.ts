// The generated rule check (rule-check.ts) against the rules' meaning written plainly: for any row,
// the same first broken rule; stateful rules are asked through `slow` in their place and only
// when every rule before them passed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import type { Row } from '../src/connector/connector.js';
import type { PreparedRule } from '../src/runtime/prepare.js';
import { compileRuleCheck } from '../src/runtime/rule-check.js';

const RULES: PreparedRule[] = [
  { kind: 'required', columns: ['a', 'b'] },
  { kind: 'one_of', column: 'c', values: ['A', 'I', 0, -0] },
  { kind: 'max_length', column: 'd', max: 3 },
  { kind: 'unique', columns: ['a'] },
  { kind: 'matches', column: 'e', pattern: '^[0-9]+$', regex: /^[0-9]+$/ },
  { kind: 'max_length', column: 'we"ird\\name', max: 2 },
];

const empty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
const there = (v: unknown) => v !== null && v !== undefined;

/** The first rule broken, judged one rule after another; `unique` is whatever `slow` says. */
function plainly(row: Row, slow: (i: number) => boolean): number {
  for (let i = 0; i < RULES.length; i++) {
    const r = RULES[i]!;
    const broken =
      r.kind === 'required' ? r.columns.some((c) => empty(row[c]))
      : r.kind === 'one_of' ? there(row[r.column]) && !r.values.includes(row[r.column])
      : r.kind === 'max_length' ? there(row[r.column]) && [...String(row[r.column])].length > r.max
      : r.kind === 'matches' ? there(row[r.column]) && !r.regex!.test(String(row[r.column]))
      : slow(i);
    if (broken) return i;
  }
  return -1;
}

const cell = fc.oneof(fc.constant(null), fc.constant(undefined), fc.constantFrom('', ' ', 'A', 'I', '0', '12', 'abc', '😀😀', '😀😀😀', 'x y'), fc.integer({ min: -2, max: 2000 }), fc.boolean());

test('the generated check finds the same first broken rule as judging the rules one by one', () => {
  fc.assert(
    fc.property(fc.record({ a: cell, b: cell, c: cell, d: cell, e: cell, 'we"ird\\name': cell }), fc.boolean(), (row, duplicate) => {
      const asked: number[] = [];
      const got = compileRuleCheck(RULES)(row, 7, (i, r, line) => {
        assert.is(r, row);
        assert.is(line, 7);
        asked.push(i);
        return duplicate;
      });
      const plainAsked: number[] = [];
      const want = plainly(row, (i) => (plainAsked.push(i), duplicate));
      assert.is(got, want);
      assert.equal(asked, plainAsked, 'a stateful rule is asked exactly when the plain way reaches it');
    }),
    { numRuns: 2000 },
  );
});

test('a step without rules passes every row; a count of characters, not UTF-16 units, decides max_length', () => {
  assert.is(compileRuleCheck([])({ a: 1 }, 1, () => true), -1);
  const check = compileRuleCheck([{ kind: 'max_length', column: 'n', max: 2 }]);
  assert.is(check({ n: '😀😀' }, 1, () => false), -1);
  assert.is(check({ n: '😀😀😀' }, 1, () => false), 0);
  assert.is(check({ n: 123 }, 1, () => false), 0);
});

test.run();
