// Pushed-down filters must select exactly the rows the JavaScript filter selects: random typed
// expressions (fast-check) over random rows with nulls, run both ways on a real SQLite database.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkExpression, compileRowExpression, exprToSql, parseExpression, quoteIdent, T, type ParamValue, type Type } from '@sisflow/core';

const COLUMNS: [string, Type][] = [
  ['A', { kind: 'int', nullable: true }],
  ['B', T.int],
  ['S', { kind: 'string', nullable: true }],
  ['D', { kind: 'date', nullable: true }],
  ['F', T.bool],
];
const columns = new Map(COLUMNS);
const params = new Map<string, ParamValue>([
  ['ints', { type: { kind: 'list', element: T.int, nullable: false }, value: [0, 1, 5] }],
  ['word', { type: T.string, value: 'b' }],
]);

const intTerm = fc.letrec<{ int: string }>((tie) => ({
  int: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('A', 'B', '0', '1', '-3', '7'),
    fc.tuple(tie('int'), fc.constantFrom('+', '-', '*'), tie('int')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('int'), tie('int')).map(([a, b]) => `coalesce(${a}, ${b})`),
    fc.tuple(tie('int'), tie('int')).map(([a, b]) => `abs(${a} - ${b})`),
  ),
})).int;

const strTerm = fc.oneof(
  fc.constantFrom('S', "'a'", "'b'", "''", "'Zoë'", '$word'),
  fc.constantFrom('upper(S)', 'lower(S)', 'trim(S)', "coalesce(S, 'z')", "S || 'x'"),
);

const cond = fc.letrec<{ cond: string }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(intTerm, fc.constantFrom('=', '<>', '<', '<=', '>', '>='), intTerm).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(strTerm, fc.constantFrom('=', '<>', '<', '>'), strTerm).map(([a, op, b]) => `${a} ${op} ${b}`),
    intTerm.map((a) => `${a} in $ints`),
    intTerm.map((a) => `${a} not in [1, 2]`),
    fc.constantFrom('A is null', 'S is not null', 'D is null', "D > date '2020-01-01'", 'F', 'not F', "S in ['a', 'b']"),
    fc.tuple(tie('cond'), fc.constantFrom('and', 'or'), tie('cond')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    tie('cond').map((a) => `not (${a})`),
  ),
})).cond;

const row = fc.record({
  A: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
  B: fc.integer({ min: -5, max: 5 }),
  S: fc.option(fc.constantFrom('a', 'b', 'A', ' b ', '', 'Zoë', 'zoe'), { nil: null }),
  D: fc.option(fc.constantFrom('2019-12-31', '2020-01-01', '2020-01-02'), { nil: null }),
  F: fc.boolean(),
});

test('SQLite pushdown and JavaScript agree on which rows pass', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, ${COLUMNS.map(([n]) => `"${n}"`).join(', ')})`);
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)');
  let pushed = 0;
  fc.assert(
    fc.property(cond, fc.array(row, { minLength: 1, maxLength: 25 }), (text, rows) => {
      const parsed = parseExpression(text);
      if (!parsed.expr) throw new Error(`generated text does not parse: ${text}`);
      const { checked, problems } = checkExpression(parsed.expr, { columns, qualifiers: new Map(), params });
      if (problems.length) return true; // e.g. a comparison the checker refuses: nothing to compare
      const sql = exprToSql(checked, { dialect: 'sqlite', column: (_q, n) => (columns.has(n) ? quoteIdent(n, 'sqlite') : undefined), params });
      if (!sql) return true;
      pushed++;
      db.exec('DELETE FROM t');
      rows.forEach((r, i) => insert.run(i, r.A, r.B, r.S, r.D, r.F ? 1 : 0));
      const fn = compileRowExpression(checked, 't', params);
      const js = rows.flatMap((r, i) => (fn(r) === true ? [i] : []));
      const named = Object.fromEntries(sql.parameters.map((v, i) => [`p${i + 1}`, typeof v === 'boolean' ? Number(v) : v]));
      const fromSql = (db.prepare(`SELECT id FROM t WHERE ${sql.sql} ORDER BY id`).all(named) as { id: number }[]).map((r) => r.id);
      assert.equal(fromSql, js, `${text}\n${sql.sql}`);
      return true;
    }),
    { numRuns: 400, seed: 20261123 },
  );
  assert.ok(pushed > 200, `most generated filters push down (${pushed})`);
});

test.run();
