// Compiles checked expressions to JavaScript source: one generated function per step, no interpreter per row.
import type { Expr, ExprOf } from './ast.js';
import { constantValue, type CheckedExpr, type ParamValue } from './check.js';
import { STDLIB } from './stdlib/index.js';
import type { FunctionDef } from './functions.js';
import type { Type } from './types.js';
import { RowError } from './row-error.js';

/** Runtime helpers the generated code calls; kept tiny so V8 inlines them. */
export const JS_HELPERS = {
  /** Code-point order, which is also UTF-8 byte order (SQLite's BINARY collation). */
  cmp(a: string, b: string): number {
    if (a === b) return 0;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      let x = a.charCodeAt(i);
      let y = b.charCodeAt(i);
      if (x !== y) {
        if (x >= 0xd800 && y >= 0xd800) {
          x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
          y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
        }
        return x - y;
      }
    }
    return a.length - b.length;
  },
  idiv(a: number, b: number): number | null {
    return b === 0 ? null : Math.trunc(a / b);
  },
  div(a: number, b: number): number | null {
    return b === 0 ? null : a / b;
  },
  mod(a: number, b: number): number | null {
    return b === 0 ? null : a % b;
  },
  inList(v: unknown, items: unknown[]): boolean | null {
    let sawNull = false;
    for (const x of items) {
      if (x === null) sawNull = true;
      else if (x === v) return true;
    }
    return sawNull ? null : false;
  },
  RowError,
};

export interface JsScope {
  /** JS variable holding the row for a qualifier (undefined qualifier = the step's input). */
  rowVar(qualifier: string | undefined): string | undefined;
  /** Variables that may be `undefined` (lookups without a match). */
  optional(rowVar: string): boolean;
  params: ReadonlyMap<string, ParamValue>;
}

/** Collects constants and temporaries while generating one function's body. */
export class JsEmitter {
  readonly constants: unknown[] = [];
  private readonly constIndex = new Map<unknown, number>();
  private temps = 0;

  constructor(readonly scope: JsScope) {}

  constant(value: unknown): string {
    let i = this.constIndex.get(value);
    if (i === undefined) {
      i = this.constants.length;
      this.constants.push(value);
      this.constIndex.set(value, i);
    }
    return `k${i}`;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  /** `const kN = K[N]` lines for the factory and `let tN` for the function body. */
  preamble(): string {
    return this.constants.map((_, i) => `const k${i} = K[${i}];`).join('\n');
  }

  tempDecl(): string {
    return this.temps === 0 ? '' : `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};`;
  }

  emit(c: CheckedExpr): string {
    return new ExprJs(this, c.types).js(c.expr);
  }
}

export function jsLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? '0' : String(v)) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  throw new Error(`not a literal: ${String(v)}`);
}

export function jsProperty(obj: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

class ExprJs {
  constructor(
    private readonly out: JsEmitter,
    private readonly types: WeakMap<Expr, Type>,
  ) {}

  private nullable(e: Expr): boolean {
    const t = this.types.get(e);
    return !t || t.nullable;
  }

  js(e: Expr): string {
    switch (e.kind) {
      case 'literal':
        return jsLiteral(e.value);
      case 'column': {
        const v = this.out.scope.rowVar(e.qualifier);
        if (!v) throw new Error(`no row for qualifier ${e.qualifier}`);
        const prop = jsProperty(v, e.name);
        return this.out.scope.optional(v) ? `(${v} === undefined ? null : ${prop})` : prop;
      }
      case 'param':
      case 'list':
      case 'map': {
        const c = constantValue(e, this.out.scope.params);
        if (c.ok) {
          const v = c.value;
          return typeof v === 'object' && v !== null ? this.out.constant(v) : jsLiteral(v);
        }
        if (e.kind === 'list') return `[${e.items.map((i) => this.js(i)).join(', ')}]`;
        throw new Error(`${e.kind} is not constant`);
      }
      case 'unary':
        return e.op === 'not' ? this.guard([e.operand], ([a]) => `!${a}`) : this.guard([e.operand], ([a]) => `(-${a})`);
      case 'binary':
        return this.binary(e);
      case 'in':
        return this.inList(e);
      case 'isnull':
        return `(${this.js(e.operand)} ${e.negated ? '!==' : '==='} null)`;
      case 'call':
        return this.call(e);
      case 'case':
        return this.caseExpr(e);
    }
  }

  /** Evaluates operands once; null if any nullable one is null, else `body` over them. */
  private guard(operands: Expr[], body: (vals: string[]) => string): string {
    const checks: string[] = [];
    const vals = operands.map((o) => {
      const code = this.js(o);
      if (!this.nullable(o)) return code;
      const t = this.out.temp();
      checks.push(`(${t} = ${code}) === null`);
      return t;
    });
    if (checks.length === 0) return `(${body(vals)})`;
    return `(${checks.join(' || ')} ? null : ${body(vals)})`;
  }

  private binary(e: ExprOf<'binary'>): string {
    const lt = this.types.get(e.left);
    const rt = this.types.get(e.right);
    const strings = lt?.kind === 'string' || rt?.kind === 'string' || lt?.kind === 'date' || lt?.kind === 'datetime';
    switch (e.op) {
      case 'and':
      case 'or': {
        if (!this.nullable(e.left) && !this.nullable(e.right)) return `(${this.js(e.left)} ${e.op === 'and' ? '&&' : '||'} ${this.js(e.right)})`;
        const a = this.out.temp();
        const b = this.out.temp();
        const stop = e.op === 'and' ? 'false' : 'true';
        const go = e.op === 'and' ? 'true' : 'false';
        return `((${a} = ${this.js(e.left)}) === ${stop} ? ${stop} : (${b} = ${this.js(e.right)}) === ${stop} ? ${stop} : ${a} === null || ${b} === null ? null : ${go})`;
      }
      case '=':
        return this.guard([e.left, e.right], ([a, b]) => `${a} === ${b}`);
      case '<>':
        return this.guard([e.left, e.right], ([a, b]) => `${a} !== ${b}`);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        if (strings) {
          const cmp = this.out.constant(JS_HELPERS.cmp);
          return this.guard([e.left, e.right], ([a, b]) => `${cmp}(${a}, ${b}) ${e.op} 0`);
        }
        return this.guard([e.left, e.right], ([a, b]) => `${a} ${e.op} ${b}`);
      }
      case '||':
        return this.guard([e.left, e.right], ([a, b]) => `${a} + ${b}`);
      case '/': {
        const both = lt?.kind === 'int' && rt?.kind === 'int';
        const f = this.out.constant(both ? JS_HELPERS.idiv : JS_HELPERS.div);
        return this.guard([e.left, e.right], ([a, b]) => `${f}(${a}, ${b})`);
      }
      case '%': {
        const f = this.out.constant(JS_HELPERS.mod);
        return this.guard([e.left, e.right], ([a, b]) => `${f}(${a}, ${b})`);
      }
      default:
        return this.guard([e.left, e.right], ([a, b]) => `${a} ${e.op} ${b}`);
    }
  }

  private inList(e: ExprOf<'in'>): string {
    const neg = e.negated;
    const c = constantValue(e.list, this.out.scope.params);
    if (c.ok && Array.isArray(c.value)) {
      const items = c.value as unknown[];
      if (items.length === 0) return neg ? 'true' : 'false';
      const hasNull = items.includes(null);
      const set = this.out.constant(new Set(items.filter((x) => x !== null)));
      const miss = hasNull ? 'null' : neg ? 'true' : 'false';
      return this.guard([e.value], ([v]) => `${set}.has(${v}) ? ${neg ? 'false' : 'true'} : ${miss}`);
    }
    const f = this.out.constant(JS_HELPERS.inList);
    const list = this.js(e.list);
    const body = this.guard([e.value], ([v]) => `${f}(${v}, ${list})`);
    if (!neg) return body;
    const t = this.out.temp();
    return `((${t} = ${body}) === null ? null : !${t})`;
  }

  private call(e: ExprOf<'call'>): string {
    const def = STDLIB.get(e.name);
    if (!def) throw new Error(`unknown function ${e.name}`);
    const folded = this.folded(e, def);
    if (folded !== undefined) return folded;
    const f = this.out.constant(def.impl);
    if (def.nulls === 'handles') return `${f}(${e.args.map((a) => this.js(a)).join(', ')})`;
    return this.guard(e.args, (vals) => `${f}(${vals.join(', ')})`);
  }

  /**
   * A call whose arguments are all constant (literals, params, calls on those) of a function that
   * reads nothing else, computed once when the step is compiled: `format_date($card_expires,
   * 'MM/dd/yyyy')` is the same text on every row. A call that fails is left in the step, to fail on
   * each row as it would; so is a result that is not a plain text, number, boolean or null.
   */
  private folded(e: ExprOf<'call'>, def: FunctionDef): string | undefined {
    const c = this.callValue(e, def);
    return c.ok ? jsLiteral(c.value) : undefined;
  }

  private callValue(e: ExprOf<'call'>, def: FunctionDef | undefined): { ok: true; value: unknown } | { ok: false } {
    const no = { ok: false } as const;
    if (!def || def.volatile) return no;
    const args: unknown[] = [];
    for (const a of e.args) {
      const c = a.kind === 'call' ? this.callValue(a, STDLIB.get(a.name)) : constantValue(a, this.out.scope.params);
      if (!c.ok) return no;
      args.push(c.value);
    }
    if (def.nulls === 'propagate' && args.includes(null)) return { ok: true, value: null };
    let v: unknown;
    try {
      v = (def.impl as (...a: unknown[]) => unknown)(...args);
    } catch {
      return no;
    }
    const plain = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0));
    return plain ? { ok: true, value: v } : no;
  }

  private caseExpr(e: ExprOf<'case'>): string {
    const otherwise = e.otherwise ? this.js(e.otherwise) : 'null';
    if (e.subject) {
      const s = this.out.temp();
      const arms = e.whens.map((w) => `${s} === ${this.js(w.when)} ? ${this.js(w.then)} : `).join('');
      return `((${s} = ${this.js(e.subject)}) === null ? ${otherwise} : ${arms}${otherwise})`;
    }
    const arms = e.whens.map((w) => `${this.js(w.when)} === true ? ${this.js(w.then)} : `).join('');
    return `(${arms}${otherwise})`;
  }
}
