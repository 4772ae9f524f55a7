// Text functions.
import { RowError } from '../row-error.js';
import { T } from '../types.js';
import { fixed, type FunctionDef } from '../functions.js';

const s = T.string;
const i = T.int;

export function properCase(v: string): string {
  // Capitalise each word, keeping the separators people's names use: spaces, hyphens, apostrophes.
  return v.toLowerCase().replace(/(^|[\s\-'’.])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

export const TEXT_FUNCTIONS: FunctionDef[] = [
  {
    name: 'trim',
    summary: 'Removes spaces at both ends (only the space character, as SQL does).',
    signature: 'trim(text) → string',
    examples: [{ call: "trim('  Ng ')", result: 'Ng' }],
    check: fixed([s], s),
    nulls: 'propagate',
    impl: (v: string) => v.replace(/^ +| +$/g, ''),
    sql: { sqlite: (a) => `trim(${a[0]}, ' ')`, tsql: (a) => `LTRIM(RTRIM(${a[0]}))` },
  },
  {
    name: 'upper',
    summary: 'Upper case.',
    signature: 'upper(text) → string',
    examples: [{ call: "upper('ava')", result: 'AVA' }],
    check: fixed([s], s),
    nulls: 'propagate',
    impl: (v: string) => v.toUpperCase(),
    sql: { tsql: (a) => `UPPER(${a[0]})` },
  },
  {
    name: 'lower',
    summary: 'Lower case.',
    signature: 'lower(text) → string',
    examples: [{ call: "lower('AVA')", result: 'ava' }],
    check: fixed([s], s),
    nulls: 'propagate',
    impl: (v: string) => v.toLowerCase(),
    sql: { tsql: (a) => `LOWER(${a[0]})` },
  },
  {
    name: 'proper',
    summary: "Capitalises each part of a name: `o'brien-smith` → `O'Brien-Smith`.",
    signature: 'proper(text) → string',
    examples: [{ call: "proper('MARÍA o''brien-smith')", result: "María O'Brien-Smith" }],
    check: fixed([s], s),
    nulls: 'propagate',
    impl: properCase,
  },
  {
    name: 'length',
    summary: 'Number of characters (code points).',
    signature: 'length(text) → int',
    examples: [{ call: "length('Zoë')", result: 3 }],
    check: fixed([s], i),
    nulls: 'propagate',
    impl: (v: string) => [...v].length,
    sql: { sqlite: (a) => `length(${a[0]})` },
  },
  {
    name: 'left',
    summary: 'The first n characters.',
    signature: 'left(text, n) → string',
    examples: [{ call: "left('Lincoln', 3)", result: 'Lin' }],
    check: fixed([s, i], s),
    nulls: 'propagate',
    impl: (v: string, n: number) => [...v].slice(0, Math.max(0, n)).join(''),
  },
  {
    name: 'right',
    summary: 'The last n characters.',
    signature: 'right(text, n) → string',
    examples: [{ call: "right('2027', 2)", result: '27' }],
    check: fixed([s, i], s),
    nulls: 'propagate',
    impl: (v: string, n: number) => (n <= 0 ? '' : [...v].slice(-n).join('')),
  },
  {
    name: 'substr',
    summary: 'Characters from a 1-based start, optionally only `length` of them.',
    signature: 'substr(text, start, length?) → string',
    examples: [{ call: "substr('Lincoln', 2, 3)", result: 'inc' }],
    check: fixed([s, i, i], s, 1),
    nulls: 'propagate',
    impl: (v: string, start: number, len?: number) => {
      const cps = [...v];
      const from = Math.max(0, start - 1);
      return (len === undefined ? cps.slice(from) : cps.slice(from, from + Math.max(0, len))).join('');
    },
  },
  {
    name: 'pad_left',
    summary: 'Pads on the left to a width (default with spaces).',
    signature: 'pad_left(text, width, fill?) → string',
    examples: [{ call: "pad_left('7', 3, '0')", result: '007' }],
    check: fixed([s, i, s], s, 1),
    nulls: 'propagate',
    impl: (v: string, w: number, f = ' ') => v.padStart(w, f || ' '),
  },
  {
    name: 'pad_right',
    summary: 'Pads on the right to a width (default with spaces).',
    signature: 'pad_right(text, width, fill?) → string',
    examples: [{ call: "pad_right('7', 3, '.')", result: '7..' }],
    check: fixed([s, i, s], s, 1),
    nulls: 'propagate',
    impl: (v: string, w: number, f = ' ') => v.padEnd(w, f || ' '),
  },
  {
    name: 'replace',
    summary: 'Replaces every occurrence of a text.',
    signature: 'replace(text, find, with) → string',
    examples: [{ call: "replace('555-1234', '-', '')", result: '5551234' }],
    check: fixed([s, s, s], s),
    nulls: 'propagate',
    impl: (v: string, a: string, b: string) => (a === '' ? v : v.split(a).join(b)),
    sql: { sqlite: (a) => `replace(${a[0]}, ${a[1]}, ${a[2]})` },
  },
  {
    name: 'split_part',
    summary: 'The n-th (1-based) piece of a text split on a delimiter; empty when there is none.',
    signature: 'split_part(text, delimiter, n) → string',
    examples: [{ call: "split_part('ng@school.org', '@', 2)", result: 'school.org' }],
    check: fixed([s, s, i], s),
    nulls: 'propagate',
    impl: (v: string, d: string, n: number) => {
      if (n < 1) throw new RowError(`split_part: piece number must be 1 or more, not ${n}`);
      return v.split(d)[n - 1] ?? '';
    },
  },
  {
    name: 'concat',
    summary: 'Joins texts, treating null as empty (unlike `||`, which gives null).',
    signature: 'concat(text, …) → string',
    examples: [{ call: "concat('T', null, '42')", result: 'T42' }],
    check: (c) => {
      if (c.args.length === 0) return { error: 'takes at least 1 argument', code: 'SF304' };
      const bad = c.args.findIndex((a) => a.kind !== 'string' && a.kind !== 'null' && a.kind !== 'any');
      if (bad >= 0) return { error: `argument ${bad + 1} must be a string; use text() to convert`, arg: bad };
      return T.string;
    },
    nulls: 'handles',
    impl: (...parts: (string | null)[]) => parts.map((p) => p ?? '').join(''),
  },
  {
    name: 'contains',
    summary: 'Whether the text contains another.',
    signature: 'contains(text, part) → bool',
    examples: [{ call: "contains('Lincoln Elementary', 'Elem')", result: true }],
    check: fixed([s, s], T.bool),
    nulls: 'propagate',
    impl: (v: string, p: string) => v.includes(p),
    sql: { sqlite: (a) => `(instr(${a[0]}, ${a[1]}) > 0)`, tsql: (a) => `(CHARINDEX(${a[1]}, ${a[0]} COLLATE Latin1_General_100_BIN2) > 0 OR ${a[1]} = '')` },
  },
  {
    name: 'starts_with',
    summary: 'Whether the text starts with a prefix.',
    signature: 'starts_with(text, prefix) → bool',
    examples: [{ call: "starts_with('T1001', 'T')", result: true }],
    check: fixed([s, s], T.bool),
    nulls: 'propagate',
    impl: (v: string, p: string) => v.startsWith(p),
    sql: { sqlite: (a) => `(substr(${a[0]}, 1, length(${a[1]})) = ${a[1]})` },
  },
  {
    name: 'matches',
    summary: 'Whether the text matches a regular expression (JavaScript syntax).',
    signature: 'matches(text, regex) → bool',
    examples: [{ call: "matches('12345', '^[0-9]+$')", result: true }],
    check: (c) => fixed([s, s], T.bool)(c),
    nulls: 'propagate',
    impl: (v: string, re: string) => regexFor(re).test(v),
  },
];

const regexCache = new Map<string, RegExp>();
export function regexFor(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    try {
      re = new RegExp(source, 'u');
    } catch {
      throw new RowError(`'${source}' is not a valid regular expression`);
    }
    regexCache.set(source, re);
  }
  return re;
}

