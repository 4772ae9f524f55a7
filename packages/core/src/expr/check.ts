// Type-checks an expression against the row schema of its input and the spec's parameters.
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { closestName, didYouMean } from '../diagnostics/suggest.js';
import type { Expr, ExprOf } from './ast.js';
import { checkIsoDate, checkIsoDatetime } from './dates.js';
import { STDLIB } from './stdlib/index.js';
import { T, comparable, isNumeric, nullable, typeToString, unify, type Type } from './types.js';

export interface ParamValue {
  type: Type;
  value: unknown;
  /** The parameter exists but its type or value is wrong (reported once, where it is declared). */
  unresolved?: boolean;
}

export interface ExprScope {
  /** Columns reachable by bare name (the step's input). */
  columns: ReadonlyMap<string, Type>;
  /** Columns reachable as `qualifier.name` (the input by its name, lookups by alias). */
  qualifiers: ReadonlyMap<string, ReadonlyMap<string, Type>>;
  params: ReadonlyMap<string, ParamValue>;
}

export interface ExprProblem {
  code: DiagnosticCode;
  message: string;
  start: number;
  end: number;
  hint?: string;
}

export interface CheckedExpr {
  expr: Expr;
  type: Type;
  types: WeakMap<Expr, Type>;
  /** Input columns the expression reads, as `name` or `qualifier.name` (for lineage). */
  reads: string[];
}

export function checkExpression(expr: Expr, scope: ExprScope): { checked: CheckedExpr; problems: ExprProblem[] } {
  const c = new Checker(scope);
  const type = c.check(expr);
  return { checked: { expr, type, types: c.types, reads: [...c.reads].sort() }, problems: c.problems };
}

/** The compile-time value of a literal, a list or map of literals, or a parameter. */
export function constantValue(e: Expr, params: ReadonlyMap<string, ParamValue>): { ok: true; value: unknown } | { ok: false } {
  switch (e.kind) {
    case 'literal':
      return { ok: true, value: e.value };
    case 'param': {
      const p = params.get(e.name);
      return p ? { ok: true, value: p.value } : { ok: false };
    }
    case 'list': {
      const out: unknown[] = [];
      for (const item of e.items) {
        const v = constantValue(item, params);
        if (!v.ok) return v;
        out.push(v.value);
      }
      return { ok: true, value: out };
    }
    case 'map': {
      const out = new Map<unknown, unknown>();
      for (const en of e.entries) {
        const k = constantValue(en.key, params);
        const v = constantValue(en.value, params);
        if (!k.ok || !v.ok) return { ok: false };
        out.set(k.value, v.value);
      }
      return { ok: true, value: out };
    }
    case 'unary': {
      if (e.op !== '-') return { ok: false };
      const v = constantValue(e.operand, params);
      return v.ok && typeof v.value === 'number' ? { ok: true, value: -v.value } : { ok: false };
    }
    default:
      return { ok: false };
  }
}

class Checker {
  readonly types = new WeakMap<Expr, Type>();
  readonly problems: ExprProblem[] = [];
  readonly reads = new Set<string>();

  constructor(private readonly scope: ExprScope) {}

  private report(code: DiagnosticCode, message: string, at: { start: number; end: number }, hint?: string): void {
    this.problems.push({ code, message, start: at.start, end: at.end, ...(hint ? { hint } : {}) });
  }

  check(e: Expr): Type {
    const t = this.infer(e);
    this.types.set(e, t);
    return t;
  }

  private infer(e: Expr): Type {
    switch (e.kind) {
      case 'literal':
        return this.literal(e);
      case 'column':
        return this.column(e);
      case 'param': {
        const p = this.scope.params.get(e.name);
        if (!p) {
          this.report('SF307', `unknown parameter \`$${e.name}\``, e, didYouMean(e.name, this.scope.params.keys()) ?? 'declare it under `params:`');
          return T.any;
        }
        return p.type;
      }
      case 'unary': {
        const t = this.check(e.operand);
        if (e.op === 'not') {
          this.expectBool(t, e.operand, '`not`');
          return nullable(T.bool, t.nullable);
        }
        if (!isNumeric(t) && t.kind !== 'null' && t.kind !== 'any') this.report('SF306', `cannot negate ${typeToString(t)}`, e);
        return t;
      }
      case 'binary':
        return this.binary(e);
      case 'in':
        return this.inList(e);
      case 'isnull':
        this.check(e.operand);
        return T.bool;
      case 'call':
        return this.call(e);
      case 'case':
        return this.caseExpr(e);
      case 'list': {
        let el: Type = T.null;
        for (const item of e.items) {
          const it = this.check(item);
          const u = unify(el, it);
          if (!u) {
            this.report('SF313', `list items have different types: ${typeToString(el)} and ${typeToString(it)}`, item);
            return T.list(T.any);
          }
          el = u;
        }
        return T.list(el.kind === 'null' ? T.any : el);
      }
      case 'map': {
        let keyT: Type = T.null;
        let valT: Type = T.null;
        for (const en of e.entries) {
          const kt = this.check(en.key);
          const vt = this.check(en.value);
          if (!constantValue(en.key, this.scope.params).ok) this.report('SF312', 'map keys must be literals', en.key);
          const uk = unify(keyT, kt);
          if (!uk) this.report('SF313', `map keys have different types: ${typeToString(keyT)} and ${typeToString(kt)}`, en.key);
          else keyT = uk;
          const uv = unify(valT, vt);
          if (!uv) this.report('SF313', `map values have different types: ${typeToString(valT)} and ${typeToString(vt)}`, en.value);
          else valT = uv;
        }
        return { kind: 'map', element: valT.kind === 'null' ? T.any : valT, nullable: false };
      }
    }
  }

  private literal(e: ExprOf<'literal'>): Type {
    switch (e.type) {
      case 'string': {
        // References are resolved in settings only: here it would be sent as the literal text.
        const ref = /\$\{(env|secret|param):[^}]*\}/.exec(String(e.value));
        if (ref) this.report('SF330', `\`${ref[0]}\` is not resolved inside an expression: every row would get this text`, e, ref[1] === 'param' ? `write the parameter as \`$${ref[0].slice(8, -1)}\`` : 'declare a parameter for the value, or keep secrets out of the data');
        return T.string;
      }
      case 'int':
        if (!Number.isSafeInteger(e.value)) this.report('SF309', `${String(e.value)} is too large for an int`, e, 'write it as a decimal or a string');
        return T.int;
      case 'decimal':
        return T.decimal;
      case 'bool':
        return T.bool;
      case 'null':
        return T.null;
      case 'date':
        if (!checkIsoDate(String(e.value))) this.report('SF309', `'${String(e.value)}' is not a date`, e, "write dates as date 'YYYY-MM-DD', e.g. date '2026-08-20'");
        return T.date;
      case 'datetime':
        if (!checkIsoDatetime(String(e.value))) this.report('SF309', `'${String(e.value)}' is not a datetime`, e, "write datetime 'YYYY-MM-DDTHH:MM:SS'");
        return T.datetime;
    }
  }

  private column(e: ExprOf<'column'>): Type {
    if (e.qualifier !== undefined) {
      const cols = this.scope.qualifiers.get(e.qualifier);
      if (!cols) {
        const at = { start: e.start, end: e.qualifierEnd ?? e.end };
        this.report('SF314', `unknown qualifier \`${e.qualifier}\``, at, didYouMean(e.qualifier, this.scope.qualifiers.keys()) ?? qualifierHint(this.scope));
        return T.any;
      }
      const t = cols.get(e.name);
      if (!t) {
        this.report('SF302', `\`${e.qualifier}\` has no column \`${e.name}\``, e, didYouMean(e.name, cols.keys()));
        return T.any;
      }
      this.reads.add(`${e.qualifier}.${e.name}`);
      return t;
    }
    const t = this.scope.columns.get(e.name);
    if (t) {
      this.reads.add(e.name);
      return t;
    }
    const quoted = !e.qualifier && e.end - e.start === e.name.length + 2;
    // A column a lookup has, written without its alias, is the likeliest meaning: prefer it to a
    // similar-looking column of the input.
    let hint: string | undefined = quoted ? `text is written in single quotes: '${e.name}'; double quotes name a column` : undefined;
    if (!hint) {
      for (const [q, cols] of this.scope.qualifiers) {
        if (cols !== this.scope.columns && cols.get(e.name) !== undefined && cols.get(e.name)!.kind !== 'any') {
          hint = `\`${e.name}\` is a column of \`${q}\`: write \`${q}.${e.name}\``;
          break;
        }
      }
    }
    hint ??= didYouMean(e.name, this.scope.columns.keys());
    if (!hint && /^[a-z]/.test(e.name) && closestName(e.name, ['true', 'false', 'null']) === undefined && e.name.length > 1) {
      hint = `to write text, quote it: '${e.name}'`;
    }
    this.report('SF302', `unknown column \`${e.name}\``, e, hint);
    return T.any;
  }

  private expectBool(t: Type, at: Expr, what: string): void {
    if (t.kind !== 'bool' && t.kind !== 'null' && t.kind !== 'any') {
      this.report('SF306', `${what} needs a bool, not ${typeToString(t)}`, at);
    }
  }

  private binary(e: ExprOf<'binary'>): Type {
    const l = this.check(e.left);
    const r = this.check(e.right);
    const n = l.nullable || r.nullable;
    if (l.kind === 'any' || r.kind === 'any') return nullable(e.op === 'and' || e.op === 'or' || isComparison(e.op) ? T.bool : unify(l, r) ?? T.any, true);
    switch (e.op) {
      case 'and':
      case 'or':
        this.expectBool(l, e.left, `\`${e.op}\``);
        this.expectBool(r, e.right, `\`${e.op}\``);
        return nullable(T.bool, n);
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (!comparable(l, r) && l.kind !== 'null' && r.kind !== 'null') {
          const hint =
            (l.kind === 'date' && r.kind === 'string') || (l.kind === 'string' && r.kind === 'date')
              ? "write a date literal as date 'YYYY-MM-DD', or convert with parse_date(text, pattern)"
              : isNumeric(l) !== isNumeric(r) && (l.kind === 'string' || r.kind === 'string')
                ? 'convert with text(number) or parse_int(text)'
                : undefined;
          this.report('SF306', `cannot compare ${typeToString(l)} with ${typeToString(r)}`, e, hint);
        } else if ((l.kind === 'bool' || r.kind === 'bool') && e.op !== '=' && e.op !== '<>') {
          this.report('SF306', `\`${e.op}\` does not order booleans`, e);
        }
        if (l.kind === 'null' || r.kind === 'null') {
          this.report('SF306', `\`${e.op} null\` is never true`, e, 'use `is null` or `is not null`');
        }
        return nullable(T.bool, n);
      case '||':
        for (const [t, side] of [[l, e.left], [r, e.right]] as const) {
          if (t.kind !== 'string' && t.kind !== 'null') this.report('SF306', `\`||\` joins text, not ${typeToString(t)}`, side, 'convert with text(…)');
        }
        return nullable(T.string, n);
      default: {
        for (const [t, side] of [[l, e.left], [r, e.right]] as const) {
          if (!isNumeric(t) && t.kind !== 'null') {
            const hint = t.kind === 'string' && e.op === '+' ? 'join text with `||`' : t.kind === 'date' ? 'use add_days(date, n)' : undefined;
            this.report('SF306', `\`${e.op}\` needs numbers, not ${typeToString(t)}`, side, hint);
            return T.any;
          }
        }
        const both = l.kind === 'int' && r.kind === 'int';
        if (e.op === '%' && !both) this.report('SF306', '`%` needs two ints', e);
        // Division and remainder by zero give null, so their result is always nullable.
        return { kind: both ? 'int' : 'decimal', nullable: n || e.op === '/' || e.op === '%' };
      }
    }
  }

  private inList(e: ExprOf<'in'>): Type {
    const v = this.check(e.value);
    const l = this.check(e.list);
    if (l.kind !== 'list' && l.kind !== 'any') {
      this.report('SF306', `\`in\` needs a list, not ${typeToString(l)}`, e.list, 'write (a, b, c) or use a list<…> parameter');
      return T.bool;
    }
    const el = l.element ?? T.any;
    if (!comparable(v, el) && v.kind !== 'null' && el.kind !== 'any' && v.kind !== 'any') {
      this.report('SF306', `cannot look for ${typeToString(v)} in a list of ${typeToString(el)}`, e);
    }
    return nullable(T.bool, v.nullable || el.nullable);
  }

  private call(e: ExprOf<'call'>): Type {
    const args = e.args.map((a) => this.check(a));
    const def = STDLIB.get(e.name);
    if (!def) {
      this.report('SF303', `unknown function \`${e.name}\``, { start: e.start, end: e.nameEnd }, didYouMean(e.name, STDLIB.keys()) ?? 'see docs/expressions.md for the standard library');
      return T.any;
    }
    if (args.some((a) => a.kind === 'any')) return T.any;
    const result = def.check({ args, exprs: e.args, constant: (i) => (e.args[i] ? constantValue(e.args[i]!, this.scope.params) : { ok: false }) });
    if ('error' in result) {
      const code = result.code ?? 'SF305';
      const at = result.arg !== undefined && e.args[result.arg] ? e.args[result.arg]! : e;
      this.report(code, `${e.name}() ${result.error}`, at, result.hint ?? def.signature);
      return T.any;
    }
    return result;
  }

  private caseExpr(e: ExprOf<'case'>): Type {
    const subject = e.subject ? this.check(e.subject) : undefined;
    let result: Type = e.otherwise ? this.check(e.otherwise) : T.null;
    for (const w of e.whens) {
      const wt = this.check(w.when);
      if (subject) {
        if (!comparable(subject, wt) && wt.kind !== 'null') this.report('SF306', `cannot compare ${typeToString(subject)} with ${typeToString(wt)}`, w.when);
      } else this.expectBool(wt, w.when, '`when`');
      const tt = this.check(w.then);
      const u = unify(result, tt);
      if (!u) {
        // One odd branch out is one mistake: reported once.
        this.report('SF313', `this branch is ${typeToString(tt)}, but the others are ${typeToString(result)}`, w.then, 'make every branch the same type, e.g. text(…) around the number');
        return T.any;
      }
      result = u;
    }
    if (!e.otherwise) result = nullable(result, true);
    return result;
  }
}

function isComparison(op: string): boolean {
  return op === '=' || op === '<>' || op === '<' || op === '<=' || op === '>' || op === '>=';
}

function qualifierHint(scope: ExprScope): string | undefined {
  const names = [...scope.qualifiers.keys()];
  return names.length ? `known here: ${names.join(', ')}` : undefined;
}
