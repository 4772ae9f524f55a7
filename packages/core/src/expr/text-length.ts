// The longest text an expression can give, when it is known before a run: a catalog column's
// declared length (varchar(50)), a literal's, left(x, n)'s n. A sink compares it with the length of
// the column it writes, so a value SQL Server would refuse to truncate is found at validate.
import type { Expr } from './ast.js';

/** `lengths(qualifier, name)`: the declared length of an input or lookup column, if it has one. */
export function maxTextLength(e: Expr, lengths: (qualifier: string | undefined, name: string) => number | undefined): number | undefined {
  switch (e.kind) {
    case 'column':
      return lengths(e.qualifier, e.name);
    case 'literal':
      return typeof e.value === 'string' ? [...e.value].length : undefined;
    case 'call': {
      if (e.name === 'left' || e.name === 'right') {
        const n = e.args[1];
        return n?.kind === 'literal' && typeof n.value === 'number' ? n.value : undefined;
      }
      if (e.name === 'trim' || e.name === 'upper' || e.name === 'lower' || e.name === 'proper') return e.args[0] ? maxTextLength(e.args[0], lengths) : undefined;
      if (e.name === 'coalesce' || e.name === 'if') {
        const parts = (e.name === 'if' ? e.args.slice(1) : e.args).map((a) => maxTextLength(a, lengths));
        return parts.length > 0 && parts.every((p) => p !== undefined) ? Math.max(...(parts as number[])) : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
