// Hostile specs that must stay clean diagnostics, never a crash or a stack trace (issue 21,
// item 9): 100,000-deep YAML nesting (SF101) and expressions nested far past the parser's
// depth, by brackets, calls or operators (SF301). The alias bomb is in bad-specs.cases.ts (SF107).
// Issue 23: the messages say what the user wrote (how deep it nests, the limit, where it is
// crossed) and how to fix it, never the JS engine's "maximum call stack size exceeded".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BASE, codes, compileText } from './helpers.js';

const column = (expression: string) => BASE.replace("Name: LN || ', ' || FN", `Name: "${expression}"`);

function only(text: string) {
  const ds = compileText(text).diagnostics;
  assert.is(ds.length, 1, ds.map((d) => `${d.code} ${d.message}`).join('\n'));
  const d = ds[0]!;
  assert.not.match(`${d.message} ${d.hint}`, /call stack|stack size|RangeError/i);
  return { where: `${d.code}@${d.span!.start.line}:${d.span!.start.col}`, message: d.message, hint: d.hint ?? '' };
}

test('100,000-deep flow nesting is one SF101 at the list that crosses 64 levels, not a crash', () => {
  const deep = BASE.replace('name: t', `name: t\ndescription: ${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const d = only(deep);
  // description: is at depth 1 (the top mapping); its 64th bracket is the 65th level, column 13 + 63.
  assert.is(d.where, 'SF101@3:77');
  assert.is(d.message, 'the YAML nests deeper than 64 levels of mappings and lists');
  assert.match(d.hint, /flatten the structure/);
});

test('block mappings nested 1,000 deep (past the YAML library\'s own stack) are the same SF101 at the key', () => {
  const keys = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n');
  const d = only(BASE.replace('name: t', `name: t\nextra:\n${keys}\n`));
  assert.is(d.message, 'the YAML nests deeper than 64 levels of mappings and lists');
  // extra: is level 2; the mapping holding k63 is level 65, on the 64th line of keys.
  assert.is(d.where, `SF101@${3 + 64}:65`);
});

test('64 levels of YAML are read; 65 are refused', () => {
  const at = (n: number) => BASE.replace('name: t', `name: t\ndescription: ${'['.repeat(n)}${']'.repeat(n)}`);
  // The top mapping is level 1, so 63 brackets make 64 levels.
  assert.ok(!codes(at(63)).some((c) => c.startsWith('SF101')), codes(at(63)).join());
  assert.equal(codes(at(64)), ['SF101@3:77']);
});

test('expressions nested 20,000 deep by brackets, calls, case or prefix operators: SF301 where level 65 starts', () => {
  const n = 20_000;
  const cases: [string, string][] = [
    ['('.repeat(n) + 'LN' + ')'.repeat(n), 'SF301@18:78'],
    ['upper('.repeat(n) + 'LN' + ')'.repeat(n), `SF301@18:${14 + 64 * 6 + 5}`],
    ['case when true then '.repeat(n) + 'LN' + ' end'.repeat(n), `SF301@18:${14 + 64 * 20}`],
    ['not '.repeat(n) + 'true', `SF301@18:${14 + 64 * 4}`],
    ['-'.repeat(n) + '1', 'SF301@18:78'],
  ];
  for (const [e, where] of cases) {
    const d = only(column(e));
    assert.is(d.where, where, e.slice(0, 30));
    assert.is(d.message, 'the expression nests deeper than 64 levels (brackets, calls, case and not/- one inside the other)');
    assert.match(d.hint, /its own column or step/);
  }
});

test('a 20,000-operator chain is SF301 at the column, saying it is too many operations deep', () => {
  const d = only(column(Array.from({ length: 20_000 }, () => 'LN').join(' || ')));
  assert.is(d.where, 'SF301@18:14');
  assert.match(d.message, /more than 256 operations deep/);
  assert.match(d.hint, /its own column or step/);
});

test('64 nested calls still compile', () => {
  assert.equal(codes(column('upper('.repeat(64) + 'LN' + ')'.repeat(64))), []);
});

test.run();
