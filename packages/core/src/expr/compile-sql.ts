// Compiles filter expressions to parameterised SQL (SQLite and T-SQL). Values always travel as
// parameters, never spliced into the text. Parts that have no faithful SQL form stay in JavaScript.
import type { Expr, ExprOf } from './ast.js';
import { constantValue, type CheckedExpr, type ParamValue } from './check.js';
import type { Dialect } from './functions.js';
import { STDLIB } from './stdlib/index.js';
import type { Type } from './types.js';

export interface SqlFragment {
  sql: string;
  parameters: unknown[];
  /** The type of each parameter (`int`, `string`, `date`, …), for drivers that bind typed values. */
  types?: Type['kind'][];
}

export interface SqlScope {
  dialect: Dialect;
  /** The quoted SQL for a column of the input, or undefined when it cannot be referenced in SQL. */
  column(qualifier: string | undefined, name: string): string | undefined;
  params: ReadonlyMap<string, ParamValue>;
  /** Parameters already placed in the statement (T-SQL names continue from here). */
  parameterOffset?: number;
}

class Unsupported extends Error {}

export function quoteIdent(name: string, dialect: Dialect): string {
  return dialect === 'tsql' ? `[${name.replace(/]/g, ']]')}]` : `"${name.replace(/"/g, '""')}"`;
}

/** SQL for a whole boolean expression, or undefined when any part of it has no SQL form. */
export function exprToSql(c: CheckedExpr, scope: SqlScope): SqlFragment | undefined {
  const g = new SqlGen(scope, c.types);
  try {
    const sql = g.pred(c.expr);
    return { sql, parameters: g.parameters, types: g.parameterTypes };
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** Splits `a and b and c` into its conjuncts, so each can be pushed down on its own. */
export function conjuncts(e: Expr): Expr[] {
  if (e.kind === 'binary' && e.op === 'and') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

class SqlGen {
  readonly parameters: unknown[] = [];
  readonly parameterTypes: Type['kind'][] = [];

  constructor(
    private readonly scope: SqlScope,
    private readonly types: WeakMap<Expr, Type>,
  ) {}

  private get tsql(): boolean {
    return this.scope.dialect === 'tsql';
  }

  private param(value: unknown, type: Type | undefined): string {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    this.parameters.push(v);
    this.parameterTypes.push(typeof value === 'boolean' ? 'int' : (type?.kind ?? (typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'decimal') : 'string')));
    // Named, not positional: a function's SQL form may repeat or reorder its arguments.
    return `@p${(this.scope.parameterOffset ?? 0) + this.parameters.length}`;
  }

  private typeOf(e: Expr): Type | undefined {
    return this.types.get(e);
  }

  private isBool(e: Expr): boolean {
    return this.typeOf(e)?.kind === 'bool';
  }

  /** In a condition position. T-SQL has no boolean values, so bool columns and literals become comparisons. */
  pred(e: Expr): string {
    if (!this.tsql) return this.value(e);
    if (e.kind === 'column') return `(${this.value(e)} = 1)`;
    if (e.kind === 'literal' && e.type === 'bool') return e.value ? '(1 = 1)' : '(1 = 0)';
    if (e.kind === 'param' && this.isBool(e)) return `(${this.value(e)} = 1)`;
    if (e.kind === 'binary' || e.kind === 'unary' || e.kind === 'in' || e.kind === 'isnull') return this.value(e);
    if (e.kind === 'call' && this.isBool(e)) return this.value(e);
    throw new Unsupported();
  }

  /** In a value position. */
  value(e: Expr): string {
    switch (e.kind) {
      case 'literal':
        if (e.value === null) return 'NULL';
        if (this.tsql && e.type === 'bool') throw new Unsupported();
        return this.param(e.value, this.typeOf(e));
      case 'column': {
        const col = this.scope.column(e.qualifier, e.name);
        if (!col) throw new Unsupported();
        return col;
      }
      case 'param': {
        const c = constantValue(e, this.scope.params);
        if (!c.ok || Array.isArray(c.value) || c.value instanceof Map) throw new Unsupported();
        return c.value === null ? 'NULL' : this.param(c.value, this.typeOf(e));
      }
      case 'unary':
        if (e.op === 'not') return `(NOT ${this.pred(e.operand)})`;
        return `(- ${this.value(e.operand)})`;
      case 'binary':
        return this.binary(e);
      case 'in':
        return this.inList(e);
      case 'isnull': {
        if (this.tsql && this.isBool(e.operand) && e.operand.kind !== 'column') throw new Unsupported();
        return `(${this.value(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
      }
      case 'call': {
        const def = STDLIB.get(e.name);
        const form = def?.sql?.[this.scope.dialect];
        if (!form) throw new Unsupported();
        return form(e.args.map((a) => this.value(a)));
      }
      case 'case':
        return this.caseExpr(e);
      default:
        throw new Unsupported();
    }
  }

  private binary(e: ExprOf<'binary'>): string {
    const lt = this.typeOf(e.left);
    const rt = this.typeOf(e.right);
    switch (e.op) {
      case 'and':
      case 'or':
        return `(${this.pred(e.left)} ${e.op.toUpperCase()} ${this.pred(e.right)})`;
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        if (this.tsql && (lt?.kind === 'bool' || rt?.kind === 'bool')) throw new Unsupported();
        const l = this.value(e.left);
        const r = this.value(e.right);
        // T-SQL compares text case-insensitively under Aeries' default collation; a binary collation keeps SQL's answer equal to JavaScript's.
        const collate = this.tsql && (lt?.kind === 'string' || rt?.kind === 'string') ? ' COLLATE Latin1_General_100_BIN2' : '';
        return `(${l}${collate} ${e.op} ${r}${collate})`;
      }
      case '||':
        return this.tsql ? `(${this.value(e.left)} + ${this.value(e.right)})` : `(${this.value(e.left)} || ${this.value(e.right)})`;
      case '/':
      case '%': {
        if (this.tsql) throw new Unsupported(); // T-SQL raises on division by zero; sisflow gives null
        const bothInt = lt?.kind === 'int' && rt?.kind === 'int';
        if (e.op === '%' && !bothInt) throw new Unsupported();
        const l = bothInt ? this.value(e.left) : `CAST(${this.value(e.left)} AS REAL)`;
        return `(${l} ${e.op} ${this.value(e.right)})`;
      }
      default:
        return `(${this.value(e.left)} ${e.op} ${this.value(e.right)})`;
    }
  }

  private inList(e: ExprOf<'in'>): string {
    if (this.tsql && this.isBool(e.value)) throw new Unsupported();
    const c = constantValue(e.list, this.scope.params);
    let items: string[];
    const listType = this.typeOf(e.list);
    const element = listType?.kind === 'list' ? listType.element : this.typeOf(e.value);
    if (c.ok && Array.isArray(c.value)) items = (c.value as unknown[]).map((v) => (v === null ? 'NULL' : this.param(v, element)));
    else if (e.list.kind === 'list') items = e.list.items.map((i) => this.value(i));
    else throw new Unsupported();
    if (items.length === 0) return e.negated ? '(1 = 1)' : '(1 = 0)';
    const collate = this.tsql && this.typeOf(e.value)?.kind === 'string' ? ' COLLATE Latin1_General_100_BIN2' : '';
    return `(${this.value(e.value)}${collate} ${e.negated ? 'NOT IN' : 'IN'} (${items.join(', ')}))`;
  }

  private caseExpr(e: ExprOf<'case'>): string {
    if (this.tsql && this.isBool(e)) throw new Unsupported();
    const parts = ['CASE'];
    if (e.subject) parts.push(this.value(e.subject));
    for (const w of e.whens) parts.push(`WHEN ${e.subject ? this.value(w.when) : this.pred(w.when)} THEN ${this.value(w.then)}`);
    if (e.otherwise) parts.push(`ELSE ${this.value(e.otherwise)}`);
    parts.push('END');
    return `(${parts.join(' ')})`;
  }
}
