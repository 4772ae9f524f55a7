// Conditions that can never be true, found before a run reads a row: a function whose results are
// known compared with a value it never returns (an error), and `and`-ed tests of one column whose
// allowed values do not meet (`PSC in $schools and PSC = 0`, with 0 not a school: a warning).
import type { Expr, ExprOf } from './ast.js';
import type { ExprProblem, ParamValue } from './check.js';
import { closestName } from '../diagnostics/suggest.js';
import { STDLIB } from './stdlib/index.js';

/** The values a call can return, when its function declares them. */
function resultSet(e: Expr): { fn: string; values: readonly string[] } | undefined {
  if (e.kind !== 'call') return undefined;
  const def = STDLIB.get(e.name);
  const values = def?.results?.(e.args.length);
  return values ? { fn: e.name, values } : undefined;
}

function constants(e: Expr, params: ReadonlyMap<string, ParamValue>): { values: unknown[]; from: string } | undefined {
  if (e.kind === 'literal' && e.value !== null) return { values: [e.value], from: JSON.stringify(e.value) };
  if (e.kind === 'list' && e.items.every((i) => i.kind === 'literal')) return { values: e.items.map((i) => (i as ExprOf<'literal'>).value), from: 'the list' };
  if (e.kind === 'param') {
    const p = params.get(e.name);
    if (!p || p.unresolved || p.value === null) return undefined;
    return { values: Array.isArray(p.value) ? p.value : [p.value], from: `$${e.name}` };
  }
  return undefined;
}

const quote = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

/** Comparisons of a known-result function with values it never returns (anywhere in e). */
export function impossibleComparisons(e: Expr, params: ReadonlyMap<string, ParamValue>): ExprProblem[] {
  const out: ExprProblem[] = [];
  const visit = (n: Expr): void => {
    let fnSide: Expr | undefined;
    let valueSide: Expr | undefined;
    if (n.kind === 'binary' && (n.op === '=' || n.op === '<>')) {
      if (resultSet(n.left)) [fnSide, valueSide] = [n.left, n.right];
      else if (resultSet(n.right)) [fnSide, valueSide] = [n.right, n.left];
    } else if (n.kind === 'in' && resultSet(n.value)) [fnSide, valueSide] = [n.value, n.list];
    if (fnSide && valueSide) {
      const set = resultSet(fnSide)!;
      const consts = constants(valueSide, params);
      const never = (consts?.values ?? []).filter((v) => !set.values.includes(v as string));
      if (consts && never.length > 0) {
        const close = typeof never[0] === 'string' ? closestName(never[0], set.values) : undefined;
        out.push({
          code: 'SF316',
          message: `${set.fn}() never returns ${never.map(quote).join(', ')}${consts.from.startsWith('$') ? ` (in ${consts.from})` : ''}, so this comparison is ${n.kind === 'binary' && n.op === '<>' ? 'always' : (n.kind === 'in' && n.negated) ? 'no help' : 'never'} true`,
          start: n.start,
          end: n.end,
          hint: `${close ? `did you mean '${close}'? ` : ''}${set.fn}() returns ${set.values.map(quote).join(', ')}`,
        });
      }
    }
    for (const v of Object.values(n)) {
      if (Array.isArray(v)) v.forEach((x) => x && typeof x === 'object' && 'kind' in x && visit(x as Expr));
      else if (v && typeof v === 'object' && 'kind' in v) visit(v as Expr);
    }
  };
  visit(e);
  return out;
}

/** `and`-ed tests of one column whose allowed values have nothing in common. */
export function contradictions(e: Expr, params: ReadonlyMap<string, ParamValue>): ExprProblem[] {
  const parts: Expr[] = [];
  const split = (n: Expr): void => {
    if (n.kind === 'binary' && n.op === 'and') {
      split(n.left);
      split(n.right);
    } else parts.push(n);
  };
  split(e);
  const allowed = new Map<string, { values: unknown[]; text: Expr }>();
  const out: ExprProblem[] = [];
  for (const p of parts) {
    let column: ExprOf<'column'> | undefined;
    let consts: { values: unknown[]; from: string } | undefined;
    if (p.kind === 'binary' && p.op === '=') {
      if (p.left.kind === 'column') [column, consts] = [p.left, constants(p.right, params)];
      else if (p.right.kind === 'column') [column, consts] = [p.right, constants(p.left, params)];
    } else if (p.kind === 'in' && !p.negated && p.value.kind === 'column') [column, consts] = [p.value, constants(p.list, params)];
    if (!column || !consts) continue;
    const key = `${column.qualifier ?? ''}.${column.name}`;
    const before = allowed.get(key);
    if (!before) {
      allowed.set(key, { values: consts.values, text: p });
      continue;
    }
    const both = before.values.filter((v) => consts!.values.includes(v));
    if (both.length === 0) {
      out.push({
        code: 'SF317',
        message: `\`${column.name}\` cannot be ${consts.values.map(quote).join(' or ')} here: the condition before allows only ${before.values.map(quote).join(', ')}, so no row ever matches`,
        start: p.start,
        end: p.end,
        hint: `the values that can occur: ${before.values.map(quote).join(', ')}; use \`or\` if either should match`,
      });
    }
    allowed.set(key, { values: both, text: p });
  }
  return out;
}
