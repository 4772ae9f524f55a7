// Hostile specs that must stay clean diagnostics, never a crash or a stack trace (issue 21,
// item 9): 100,000-deep YAML nesting (SF101) and expressions nested far past the parser's
// depth, by brackets, calls or operators (SF301). The alias bomb is in bad-specs.cases.ts (SF107).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BASE, codes } from './helpers.js';

const column = (expression: string) => BASE.replace("Name: LN || ', ' || FN", `Name: "${expression}"`);

test('100,000-deep flow nesting is one SF101 at its line, not a crash', () => {
  const deep = BASE.replace('name: t', `name: t\ndescription: ${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const found = codes(deep);
  assert.is(found.length, 1, found.join());
  assert.match(found[0]!, /^SF101@3:/);
});

test('expressions nested 20,000 deep by brackets, calls or operators are SF301 at the column', () => {
  const n = 20_000;
  for (const e of ['('.repeat(n) + 'LN' + ')'.repeat(n), 'upper('.repeat(n) + 'LN' + ')'.repeat(n), Array.from({ length: n }, () => 'LN').join(' || '), 'not '.repeat(n) + 'true']) {
    assert.equal(codes(column(e)), ['SF301@18:14'], e.slice(0, 20));
  }
});

test.run();
