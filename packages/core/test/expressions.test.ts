// The expression language: precedence, three-valued null logic, every documented function
// example, and the type errors the checker must catch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkExpression, compileRowExpression, compileStep, parseExpression, RowError, STDLIB, T, type ParamValue, type StepFunction, type Type } from '@sisflow/core';

const columns = new Map<string, Type>([
  ['LN', T.string],
  ['GR', T.int],
  ['BD', { kind: 'date', nullable: true }],
  ['EM', { kind: 'string', nullable: true }],
  ['DEL', T.bool],
  ['AMT', T.decimal],
]);
const params = new Map<string, ParamValue>([
  ['schools', { type: { kind: 'list', element: T.int, nullable: false }, value: [991, 992] }],
  ['as_of', { type: T.date, value: '2026-09-01' }],
]);

function evaluate(text: string, row: Record<string, unknown> = {}): unknown {
  const parsed = parseExpression(text);
  assert.equal(parsed.errors, [], `parses: ${text}`);
  const { checked, problems } = checkExpression(parsed.expr!, { columns, qualifiers: new Map([['stu', columns]]), params });
  assert.equal(problems.map((p) => p.message), [], `checks: ${text}`);
  return compileRowExpression(checked, 'stu', params)(row);
}

function problems(text: string): string[] {
  const parsed = parseExpression(text);
  if (parsed.errors.length) return parsed.errors.map(() => 'SF301');
  return checkExpression(parsed.expr!, { columns, qualifiers: new Map([['stu', columns]]), params }).problems.map((p) => p.code);
}

const ROW = { LN: 'Ng', GR: 3, BD: null, EM: null, DEL: false, AMT: 2.5 };

test('precedence: * before +, + before comparison, comparison before not, not before and, and before or', () => {
  assert.is(evaluate('1 + 2 * 3'), 7);
  assert.is(evaluate('(1 + 2) * 3'), 9);
  assert.is(evaluate('10 - 4 - 3'), 3, 'left associative');
  assert.is(evaluate('true or false and false'), true);
  assert.is(evaluate('not 1 = 2'), true);
  assert.is(evaluate("'a' || 'b' = 'ab'"), true, '|| binds tighter than =');
  assert.is(evaluate("text(1 + 2) || '3'"), '33');
  assert.equal(problems('1 + 2 || 3'), ['SF306', 'SF306'], 'no implicit number-to-text conversion');
  assert.is(evaluate('-2 * -3'), 6);
  assert.is(evaluate('GR in [1, 2, 3] and not DEL', ROW), true);
});

test('three-valued null logic as in SQL', () => {
  assert.is(evaluate('BD = BD', ROW), null);
  assert.is(evaluate('EM is null', ROW), true);
  assert.is(evaluate("EM = 'x' or true", ROW), true);
  assert.is(evaluate("EM = 'x' and false", ROW), false);
  assert.is(evaluate("EM = 'x' and true", ROW), null);
  assert.is(evaluate("not (EM = 'x')", ROW), null);
  assert.is(evaluate("coalesce(EM, 'none')", ROW), 'none');
  assert.is(evaluate("EM || 'x'", ROW), null);
  assert.is(evaluate("EM in ['a', 'b']", ROW), null);
});

test('case, if, params, dates and lists', () => {
  assert.is(evaluate("case when GR < 0 then 'pre' when GR = 0 then 'K' else 'grade' end", ROW), 'grade');
  assert.is(evaluate("case GR when 3 then 'three' else 'other' end", ROW), 'three');
  assert.is(evaluate("case when GR > 5 then 'x' end", ROW), null);
  assert.is(evaluate('991 in $schools'), true);
  assert.is(evaluate("date '2026-09-02' > $as_of"), true);
  assert.is(evaluate('7 / 2'), 3, 'int / int truncates, as in SQL');
  assert.is(evaluate('7.0 / 2'), 3.5);
  assert.is(evaluate('7 % 2'), 1);
  assert.is(evaluate('1 / 0'), null, 'division by zero is null, as in SQLite');
  assert.is(evaluate("'Zoë' > 'Zoz'"), true, 'code point order, as SQLite and BIN2 collations compare');
});

for (const def of [...STDLIB.values()].filter((d) => d.name !== 'today')) {
  test(`documented examples of ${def.name}()`, () => {
    assert.ok(def.examples.length > 0, `${def.name} documents an example`);
    for (const ex of def.examples) {
      const got = evaluate(ex.call);
      assert.equal(got, ex.result, ex.call);
    }
  });
}

/** The source of a step mapping one column `v` to this expression. */
function stepSource(text: string): { source: string; fn: StepFunction } {
  const parsed = parseExpression(text);
  const { checked } = checkExpression(parsed.expr!, { columns, qualifiers: new Map([['stu', columns]]), params });
  return compileStep({ input: 'stu', lookups: [], columns: [{ name: 'v', expr: checked }], params });
}

test('a call on constants (literals, params) is computed once, when the step is compiled', () => {
  const fmt = stepSource("format_date($as_of, 'MM/dd/yyyy')");
  assert.match(fmt.source, '"v": "09/01/2026"');
  assert.not.match(fmt.source, 'k0(', 'no call left');
  assert.equal(fmt.fn(ROW), { v: '09/01/2026' });
  assert.match(stepSource("upper(concat('a', 'b'))").source, '"v": "AB"', 'nested');
  assert.match(stepSource('abs(null)').source, '"v": null', 'a null argument of a function that propagates nulls');
  assert.equal(stepSource("coalesce(null, 'x')").fn(ROW), { v: 'x' }, 'a function that takes nulls is called with them');
  // Not folded: a row's column, the clock, and a call that fails (it still fails on each row).
  assert.match(stepSource("format_date(BD, 'MM/dd/yyyy')").source, '(');
  const today = stepSource("today('America/Los_Angeles')");
  assert.match(today.source, 'k0(', 'today() is read when the row is');
  const bad = stepSource("parse_int('x')");
  assert.throws(() => bad.fn(ROW), (e: unknown) => e instanceof RowError && /'x' is not a whole number/.test(e.message));
});

test('type errors the checker catches', () => {
  assert.equal(problems("BD > 'yesterday'"), ['SF306']);
  assert.equal(problems('LN + 1'), ['SF306']);
  assert.equal(problems('nope(1)'), ['SF303']);
  assert.equal(problems('upper()'), ['SF304']);
  assert.equal(problems('upper(GR)'), ['SF305']);
  assert.equal(problems('LNN'), ['SF302']);
  assert.equal(problems('$nope'), ['SF307']);
  assert.equal(problems("date '2026-13-01'"), ['SF309']);
  assert.equal(problems("case when true then 1 else 'x' end"), ['SF313']);
  assert.equal(problems('x.LN'), ['SF314']);
  assert.equal(problems('GR in ['), ['SF301']);
});

test('parse errors carry offsets inside the expression', () => {
  const r = parseExpression('GR + * 2');
  assert.ok(r.errors.length >= 1);
  assert.is(r.errors[0]!.start, 5);
});

test('deep nesting and long inputs do not break the parser', () => {
  const deep = '('.repeat(40) + '1' + ')'.repeat(40);
  assert.is(evaluate(deep), 1);
  const tooDeep = parseExpression('('.repeat(5000) + '1' + ')'.repeat(5000));
  assert.ok(tooDeep.errors.length > 0, 'absurd nesting is an error, not a crash');
  assert.is(tooDeep.errors[0]!.message, 'the expression nests deeper than 64 levels (brackets, calls, case and not/- one inside the other)');
  assert.is(tooDeep.errors[0]!.start, 64, 'at the bracket that opens level 65');
  const long = Array.from({ length: 100 }, (_, i) => String(i)).join(' + ');
  assert.is(evaluate(long), (99 * 100) / 2);
  const tooLong = parseExpression(Array.from({ length: 5000 }, (_, i) => String(i)).join(' + '));
  assert.match(tooLong.errors[0]?.message ?? '', 'more than 256 operations deep');
});

test.run();
