// Numbers and conversions to and from text.
import { RowError } from '../row-error.js';
import { T, nullable, typeToString, unify, type Type } from '../types.js';
import { fixed, type FunctionDef } from '../functions.js';

function parseIntStrict(v: string): number {
  const s = v.trim();
  if (!/^[+-]?\d+$/.test(s)) throw new RowError(`'${v}' is not a whole number`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new RowError(`'${v}' is too large a whole number`);
  return n;
}

function parseDecimalStrict(v: string): number {
  const s = v.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) throw new RowError(`'${v}' is not a number`);
  return Number(s);
}

/** Rounds half away from zero, like SQL's ROUND. */
export function roundHalfAway(x: number, digits = 0): number {
  const f = 10 ** digits;
  const r = Math.round(Math.abs(x) * f) / f;
  return x < 0 ? -r : r;
}

/** Text form of any value: numbers without exponent, dates as ISO, booleans as true/false. */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  return String(v); // integers print without a fraction, as toFixed(0) did, but faster
}

function extreme(name: 'max' | 'min'): FunctionDef {
  return {
    name,
    summary: `The ${name === 'max' ? 'largest' : 'smallest'} of its arguments (null if any is null).`,
    signature: `${name}(a, b, …) → T`,
    examples: [{ call: `${name}(3, -1, 2)`, result: name === 'max' ? 3 : -1 }],
    check: (c) => {
      if (c.args.length < 2) return { error: 'takes at least 2 arguments', code: 'SF304' };
      let t: Type | undefined = c.args[0]!;
      for (let i = 1; i < c.args.length && t; i++) t = unify(t, c.args[i]!);
      if (!t || t.kind === 'bool' || t.kind === 'list') return { error: `cannot compare ${c.args.map(typeToString).join(', ')}`, arg: 0 };
      return nullable(t, c.args.some((a) => a.nullable));
    },
    nulls: 'propagate',
    impl:
      name === 'max'
        ? (...vs: (number | string)[]) => vs.reduce((a, b) => (b > a ? b : a))
        : (...vs: (number | string)[]) => vs.reduce((a, b) => (b < a ? b : a)),
  };
}

export const NUMBER_FUNCTIONS: FunctionDef[] = [
  {
    name: 'abs',
    summary: 'Absolute value.',
    signature: 'abs(number) → number',
    examples: [{ call: 'abs(-4)', result: 4 }],
    check: fixed(['num'], (a) => nullable(a[0]!, false)),
    nulls: 'propagate',
    impl: (x: number) => Math.abs(x),
    sql: { sqlite: (a) => `abs(${a[0]})`, tsql: (a) => `ABS(${a[0]})` },
  },
  {
    name: 'round',
    summary: 'Rounds half away from zero to a number of decimal digits (default 0).',
    signature: 'round(number, digits?) → decimal',
    examples: [{ call: 'round(2.345, 2)', result: 2.35 }],
    check: fixed(['num', T.int], T.decimal, 1),
    nulls: 'propagate',
    impl: roundHalfAway,
  },
  extreme('max'),
  extreme('min'),
  {
    name: 'parse_int',
    summary: 'Reads a whole number from text; a row whose text is not one goes to rejects with the reason.',
    signature: 'parse_int(text) → int',
    examples: [{ call: "parse_int(' 0042 ')", result: 42 }],
    check: fixed([T.string], T.int),
    nulls: 'propagate',
    impl: parseIntStrict,
  },
  {
    name: 'parse_decimal',
    summary: 'Reads a decimal number from text; a row whose text is not one goes to rejects.',
    signature: 'parse_decimal(text) → decimal',
    examples: [{ call: "parse_decimal('3.50')", result: 3.5 }],
    check: fixed([T.string], T.decimal),
    nulls: 'propagate',
    impl: parseDecimalStrict,
  },
  {
    name: 'try_parse_int',
    summary: 'Like parse_int, but null instead of a reject when the text is not a whole number.',
    signature: 'try_parse_int(text) → int?',
    examples: [{ call: "try_parse_int('n/a')", result: null }],
    check: fixed([T.string], { kind: 'int', nullable: true }),
    nulls: 'propagate',
    impl: (v: string) => {
      try {
        return parseIntStrict(v);
      } catch {
        return null;
      }
    },
  },
  {
    name: 'text',
    summary: 'The text form of a value: 1001 → "1001", dates as YYYY-MM-DD, booleans as true/false.',
    signature: 'text(value) → string',
    examples: [{ call: 'text(1001)', result: '1001' }],
    check: (c) => {
      if (c.args.length !== 1) return { error: `takes 1 argument, not ${c.args.length}`, code: 'SF304' };
      if (c.args[0]!.kind === 'list' || c.args[0]!.kind === 'map') return { error: 'cannot turn a list into text; use join()', arg: 0 };
      return nullable(T.string, c.args[0]!.nullable);
    },
    nulls: 'propagate',
    impl: toText,
  },
  {
    name: 'join',
    summary: 'Joins a list into one text with a separator.',
    signature: 'join(list, separator) → string',
    examples: [{ call: "join(['09', '10'], ',')", result: '09,10' }],
    check: (c) => {
      if (c.args.length !== 2) return { error: `takes 2 arguments, not ${c.args.length}`, code: 'SF304' };
      if (c.args[0]!.kind !== 'list') return { error: `argument 1 must be a list, not ${typeToString(c.args[0]!)}`, arg: 0 };
      return nullable(T.string, c.args[0]!.nullable || c.args[1]!.nullable);
    },
    nulls: 'propagate',
    impl: (list: unknown[], sep: string) => list.filter((v) => v !== null).map(toText).join(sep),
  },
];
