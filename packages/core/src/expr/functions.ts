// What a standard-library function is: its signature check, its JavaScript implementation, its SQL forms.
import type { Expr } from './ast.js';
import { foreignDatePattern, foreignPatternHint } from './date-pattern-dialect.js';
import { T, assignable, nullable, typeToString, unify, type Type } from './types.js';

export type Dialect = 'sqlite' | 'tsql';

export interface CallCheck {
  args: Type[];
  exprs: Expr[];
  /** The value of a constant argument (literal, list/map of literals, or a param), when it is one. */
  constant(i: number): { ok: true; value: unknown } | { ok: false };
}

export interface FunctionDef {
  name: string;
  summary: string;
  /** An example call and its result, shown in docs/expressions.md and run by a test. */
  examples: { call: string; result: unknown; row?: Record<string, unknown> }[];
  signature: string;
  /** Returns the result type, or a message when the arguments do not fit. */
  check(c: CallCheck): Type | CallError;
  /** `propagate`: any null argument makes the result null without calling impl. `handles`: impl sees nulls. */
  nulls: 'propagate' | 'handles';
  /** Every text value the function can return, given its argument count (checks find comparisons that never match). */
  results?: (argCount: number) => readonly string[] | undefined;
  impl: (...args: never[]) => unknown;
  /** The result depends on more than the arguments (the clock): never computed ahead of the row, even from constant arguments. */
  volatile?: true;
  sql?: Partial<Record<Dialect, (args: string[]) => string>>;
}

/** Why a call does not fit: the message, which argument, the code, and a fix when there is a better one than the signature. */
export interface CallError {
  error: string;
  arg?: number;
  code?: 'SF305' | 'SF304' | 'SF312' | 'SF308' | 'SF315' | 'SF316';
  hint?: string;
}

/** A constant date pattern (argument i) written in another library's letters. */
export function checkDatePattern(c: CallCheck, i: number): CallError | undefined {
  const p = c.constant(i);
  if (!p.ok || typeof p.value !== 'string') return undefined;
  const f = foreignDatePattern(p.value);
  if (!f) return undefined;
  return { error: `pattern '${p.value}' is written in another library's letters: ${f.why}`, arg: i, code: 'SF315', hint: foreignPatternHint(f) };
}

type Arg = Type | 'T' | 'num';

/** A fixed signature: each argument assignable to its declared type; result nullable when an argument is. */
/** With strictNulls, a nullable argument for a non-null parameter is an error (the function cannot propagate it). */
export function fixed(params: Arg[], result: Type | 'T' | ((args: Type[]) => Type), optional = 0, strictNulls = false): FunctionDef['check'] {
  return (c) => {
    const min = params.length - optional;
    if (c.args.length < min || c.args.length > params.length) {
      const range = optional ? `${min} to ${params.length}` : `${params.length}`;
      return { error: `takes ${range} argument${params.length === 1 && !optional ? '' : 's'}, not ${c.args.length}`, code: 'SF304' };
    }
    let generic: Type | undefined;
    for (let i = 0; i < c.args.length; i++) {
      const want = params[i]!;
      const got = c.args[i]!;
      if (want === 'T') {
        const u = generic ? unify(generic, got) : got;
        if (!u) return { error: `argument ${i + 1} is ${typeToString(got)}, but the others are ${typeToString(generic!)}`, arg: i };
        generic = u;
      } else if (want === 'num') {
        if (got.kind !== 'int' && got.kind !== 'decimal' && got.kind !== 'null' && got.kind !== 'any') {
          return { error: `argument ${i + 1} must be a number, not ${typeToString(got)}`, arg: i };
        }
      } else if (!assignable(got, want)) {
        return { error: `argument ${i + 1} must be ${typeToString(nullable(want, false))}, not ${typeToString(got)}`, arg: i };
      } else if (strictNulls && !want.nullable && got.nullable) {
        return { error: `argument ${i + 1} may be null, but needs a value; wrap it in coalesce(…, default)`, arg: i, code: 'SF308' };
      }
    }
    const anyNullable = !strictNulls && c.args.some((a) => a.nullable);
    const base = typeof result === 'function' ? result(c.args) : result === 'T' ? (generic ?? T.any) : result;
    return nullable(base, base.nullable || anyNullable);
  };
}

export function requireConstant(c: CallCheck, i: number, what: string): { error: string; arg: number; code: 'SF312' } | undefined {
  if (i < c.args.length && !c.constant(i).ok) return { error: `${what} (argument ${i + 1}) must be a literal or a parameter`, arg: i, code: 'SF312' };
  return undefined;
}
