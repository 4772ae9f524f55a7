// Null handling, conditionals and value maps.
import { T, nullable, typeToString, unify, type Type } from '../types.js';
import { fixed, requireConstant, type FunctionDef } from '../functions.js';

export const LOGIC_FUNCTIONS: FunctionDef[] = [
  {
    name: 'coalesce',
    summary: 'The first argument that is not null.',
    signature: 'coalesce(a, b, …) → T',
    examples: [{ call: "coalesce(null, 'none')", result: 'none' }],
    check: (c) => {
      if (c.args.length < 2) return { error: 'takes at least 2 arguments', code: 'SF304' };
      let t: Type | undefined = c.args[0]!;
      for (let i = 1; i < c.args.length; i++) {
        const u: Type | undefined = unify(t, c.args[i]!);
        if (!u) return { error: `argument ${i + 1} is ${typeToString(c.args[i]!)}, but the first is ${typeToString(t)}`, arg: i };
        t = u;
      }
      return nullable(t, c.args.every((a) => a.nullable));
    },
    nulls: 'handles',
    impl: (...vs: unknown[]) => {
      for (const v of vs) if (v !== null && v !== undefined) return v;
      return null;
    },
    sql: { sqlite: (a) => `coalesce(${a.join(', ')})`, tsql: (a) => `COALESCE(${a.join(', ')})` },
  },
  {
    name: 'nullif',
    summary: 'Null when the two arguments are equal, else the first.',
    signature: 'nullif(a, b) → T?',
    examples: [{ call: "nullif('', '')", result: null }],
    check: (c) => {
      const t = fixed(['T', 'T'], 'T')(c);
      return 'error' in t ? t : nullable(c.args[0]!, true);
    },
    nulls: 'handles',
    impl: (a: unknown, b: unknown) => (a !== null && a === b ? null : a),
    sql: { sqlite: (a) => `nullif(${a[0]}, ${a[1]})`, tsql: (a) => `NULLIF(${a[0]}, ${a[1]})` },
  },
  {
    name: 'if',
    summary: 'The second argument when the condition is true, else the third (null counts as false).',
    signature: 'if(condition, then, else) → T',
    examples: [{ call: "if(1 < 2, 'yes', 'no')", result: 'yes' }],
    check: (c) => {
      if (c.args.length !== 3) return { error: `takes 3 arguments, not ${c.args.length}`, code: 'SF304' };
      const cond = c.args[0]!;
      if (cond.kind !== 'bool' && cond.kind !== 'null' && cond.kind !== 'any') return { error: `the condition must be bool, not ${typeToString(cond)}`, arg: 0 };
      const u = unify(c.args[1]!, c.args[2]!);
      if (!u) return { error: `the branches have different types: ${typeToString(c.args[1]!)} and ${typeToString(c.args[2]!)}`, arg: 2 };
      return u;
    },
    nulls: 'handles',
    impl: (cond: boolean | null, a: unknown, b: unknown) => (cond === true ? a : b),
    sql: { sqlite: (a) => `(CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END)` },
  },
  {
    name: 'map',
    summary: 'Looks a value up in a literal map; the default (or null) when it is not there.',
    signature: 'map(value, {key: value, …}, default?) → T',
    examples: [{ call: "map('F', {'M': 'Male', 'F': 'Female'}, 'Unknown')", result: 'Female' }],
    check: (c) => {
      if (c.args.length < 2 || c.args.length > 3) return { error: `takes 2 or 3 arguments, not ${c.args.length}`, code: 'SF304' };
      const m = c.args[1]!;
      if (m.kind !== 'map') return { error: 'argument 2 must be a map literal like {1: \'a\', 2: \'b\'}', arg: 1 };
      const constErr = requireConstant(c, 1, 'the map');
      if (constErr) return constErr;
      let t: Type = m.element ?? T.any;
      if (c.args.length === 3) {
        const u = unify(t, c.args[2]!);
        if (!u) return { error: `the default is ${typeToString(c.args[2]!)}, but the map's values are ${typeToString(t)}`, arg: 2 };
        t = nullable(u, c.args[2]!.nullable || u.nullable);
      } else t = nullable(t, true);
      return t;
    },
    nulls: 'handles',
    impl: (v: unknown, m: Map<unknown, unknown>, dflt: unknown = null) => {
      if (v === null) return dflt;
      const hit = m.get(v);
      return hit === undefined ? dflt : hit;
    },
  },
];
