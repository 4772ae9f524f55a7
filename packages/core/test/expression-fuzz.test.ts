// Parser and checker fuzz: 100,000 random and mutated inputs (seeded, so a failure replays). The
// parser never throws, an input either parses or yields errors whose offsets lie inside it, and
// whatever parses type-checks without throwing; a sample also compiles when it checks cleanly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkExpression, compileRowExpression, parseExpression, STDLIB, T, type ParamValue, type Type } from '@sisflow/core';

const RUNS = 100_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const columns = new Map<string, Type>([
  ['LN', T.string],
  ['GR', T.int],
  ['BD', { kind: 'date', nullable: true }],
  ['EM', { kind: 'string', nullable: true }],
  ['DEL', T.bool],
]);
const params = new Map<string, ParamValue>([['schools', { type: { kind: 'list', element: T.int, nullable: false }, value: [991] }]]);
const scope = { columns, qualifiers: new Map([['stu', columns]]), params };

const SEEDS = [
  "SC in $schools and TG = ''",
  "case when GR < 0 then 'PK' when GR = 0 then 'K' else text(GR) end",
  "upper(LN) || ', ' || coalesce(EM, '')",
  'BD is not null and BD >= date(2010, 1, 1)',
  "not (DEL or GR in (1, 2, 3)) and LN <> 'x'",
  '1 + 2 * 3 - -4 / 5',
  "stu.LN = 'Ño' and length(LN) <= 40",
  ...[...STDLIB.values()].flatMap((f) => f.examples.map((e) => e.call)),
];
const TOKENS = ['(', ')', ',', "'", '"', '$', '.', '||', 'and', 'or', 'not', 'in', 'is', 'null', 'case', 'when', 'then', 'else', 'end', '=', '<>', '<=', '>=', '<', '>', '+', '-', '*', '/', '0', '9999999999999999999999', '1.5', 'true', "'2026-02-30'", 'LN', 'GR', 'stu.', '$schools', '\u00e9', '\u{1F600}', '\0', '\n', ' ', '\\', '[', ']', '{', '}'];

function mutate(s: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  let out = s;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (out.length + 1));
    const r = rnd();
    if (r < 0.35) out = out.slice(0, at) + pick(TOKENS) + out.slice(at);
    else if (r < 0.6) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rnd() * 4));
    else if (r < 0.8) out = out.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x3000)) + out.slice(at + 1);
    else out = out.slice(0, at) + pick(SEEDS) + out.slice(at);
  }
  return out;
}

function randomText(rnd: () => number): string {
  const n = Math.floor(rnd() * 12);
  let out = '';
  for (let i = 0; i < n; i++) out += TOKENS[Math.floor(rnd() * TOKENS.length)] + (rnd() < 0.5 ? ' ' : '');
  return out;
}

test(`${RUNS.toLocaleString('en-US')} random and mutated expressions: no exception, always a result or errors`, () => {
  const rnd = mulberry32(20261123);
  let parsed = 0;
  let compiled = 0;
  for (let i = 0; i < RUNS; i++) {
    const text = i % 4 === 0 ? randomText(rnd) : mutate(SEEDS[Math.floor(rnd() * SEEDS.length)]!, rnd);
    let r;
    try {
      r = parseExpression(text);
    } catch (e) {
      assert.unreachable(`parser threw on ${JSON.stringify(text)}: ${(e as Error).message}`);
      return;
    }
    if (!r.expr || r.errors.length > 0) {
      assert.ok(r.errors.length > 0, `no expression and no error for ${JSON.stringify(text)}`);
      for (const e of r.errors) assert.ok(e.start >= 0 && e.end <= text.length && e.start <= e.end, `offsets ${e.start}-${e.end} outside ${JSON.stringify(text)}`);
      continue;
    }
    parsed++;
    try {
      const { checked, problems } = checkExpression(r.expr, scope);
      for (const p of problems) assert.ok(p.start >= 0 && p.end <= text.length, `problem offsets outside ${JSON.stringify(text)}`);
      if (problems.length === 0 && i % 10 === 0) {
        compileRowExpression(checked, 'stu', params);
        compiled++;
      }
    } catch (e) {
      assert.unreachable(`checker or compiler threw on ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
  }
  assert.ok(parsed > RUNS / 20, `only ${parsed} inputs parsed: the mutations are too destructive to test the checker`);
  assert.ok(compiled > 0);
});

test.run();
