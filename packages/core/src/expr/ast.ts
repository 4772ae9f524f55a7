// The expression AST. Offsets are relative to the expression text; spans in the spec come from the locator.

export interface NodeBase {
  start: number;
  end: number;
}

export type LiteralType = 'string' | 'int' | 'decimal' | 'bool' | 'null' | 'date' | 'datetime';

export type BinaryOp = 'or' | 'and' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';

export type Expr =
  | (NodeBase & { kind: 'literal'; type: LiteralType; value: string | number | boolean | null })
  | (NodeBase & { kind: 'column'; qualifier?: string; name: string; qualifierEnd?: number })
  | (NodeBase & { kind: 'param'; name: string })
  | (NodeBase & { kind: 'unary'; op: 'not' | '-'; operand: Expr })
  | (NodeBase & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr })
  | (NodeBase & { kind: 'in'; negated: boolean; value: Expr; list: Expr })
  | (NodeBase & { kind: 'isnull'; negated: boolean; operand: Expr })
  | (NodeBase & { kind: 'call'; name: string; nameEnd: number; args: Expr[] })
  | (NodeBase & { kind: 'case'; subject?: Expr; whens: { when: Expr; then: Expr }[]; otherwise?: Expr })
  | (NodeBase & { kind: 'list'; items: Expr[] })
  | (NodeBase & { kind: 'map'; entries: { key: Expr; value: Expr }[] });

export type ExprKind = Expr['kind'];
export type ExprOf<K extends ExprKind> = Extract<Expr, { kind: K }>;

/** Calls fn on every node, parents before children. */
export function walkExpr(e: Expr, fn: (e: Expr) => void): void {
  fn(e);
  for (const c of children(e)) walkExpr(c, fn);
}

export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'in':
      return [e.value, e.list];
    case 'isnull':
      return [e.operand];
    case 'call':
      return e.args;
    case 'case':
      return [...(e.subject ? [e.subject] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.otherwise ? [e.otherwise] : [])];
    case 'list':
      return e.items;
    case 'map':
      return e.entries.flatMap((x) => [x.key, x.value]);
    default:
      return [];
  }
}
