// Parses expression text into an AST with offsets; reports every syntax error it can recover from.
import type { IToken, TokenType } from 'chevrotain';
import { EmbeddedActionsParser } from './chevrotain.js';
import type { BinaryOp, Expr, LiteralType } from './ast.js';
import * as t from './lexer.js';
import { MAX_NESTING, NESTING_HINT, tokenNesting, treeDepth } from './nesting.js';

export interface ExprSyntaxError {
  message: string;
  start: number;
  end: number;
  /** What to do about it, when the message alone does not say. */
  hint?: string;
}

const ERROR_NODE = (start: number, end: number): Expr => ({ kind: 'literal', type: 'null', value: null, start, end });

/**
 * The grammar. chevrotain's checks of the grammar itself (ambiguities, left recursion) run in the
 * test suite (`validate: true`), not at every start of the CLI, where they cost as much as building
 * the parser.
 */
export class ExprParser extends EmbeddedActionsParser {
  constructor(options: { validate?: boolean } = {}) {
    super(t.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, skipValidations: !options.validate });
    this.performSelfAnalysis();
  }

  private node<E extends Expr>(make: () => E, start: number): Expr {
    return this.ACTION(() => {
      try {
        return make();
      } catch {
        return ERROR_NODE(start, start);
      }
    }) as Expr;
  }

  expression = this.RULE('expression', (): Expr => this.SUBRULE(this.orExpr));

  private binaryChain(rule: () => Expr, ops: TokenType[], opName: (tok: IToken) => BinaryOp): Expr {
    let left = this.SUBRULE(rule as never) as Expr;
    this.MANY(() => {
      const op = this.OR(ops.map((tt) => ({ ALT: () => this.CONSUME(tt) })));
      const right = this.SUBRULE2(rule as never) as Expr;
      left = this.node(() => ({ kind: 'binary', op: opName(op), left, right, start: left.start, end: right.end }), 0);
    });
    return left;
  }

  private orExpr = this.RULE('orExpr', (): Expr =>
    this.binaryChain(this.andExpr, [t.Or], () => 'or'),
  );

  private andExpr = this.RULE('andExpr', (): Expr =>
    this.binaryChain(this.notExpr, [t.And], () => 'and'),
  );

  private notExpr = this.RULE('notExpr', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const not = this.CONSUME(t.Not);
          const operand = this.SUBRULE(this.notExpr);
          return this.node(() => ({ kind: 'unary', op: 'not', operand, start: not.startOffset, end: operand.end }), not.startOffset);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]),
  );

  private comparison = this.RULE('comparison', (): Expr => {
    let left = this.SUBRULE(this.concatExpr);
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            const op = this.OR2([
              { ALT: () => this.CONSUME(t.Equals) },
              { ALT: () => this.CONSUME(t.NotEq) },
              { ALT: () => this.CONSUME(t.LessEq) },
              { ALT: () => this.CONSUME(t.GreaterEq) },
              { ALT: () => this.CONSUME(t.Less) },
              { ALT: () => this.CONSUME(t.Greater) },
            ]);
            const right = this.SUBRULE2(this.concatExpr);
            left = this.node(() => ({ kind: 'binary', op: comparisonOp(op.image), left, right, start: left.start, end: right.end }), 0);
          },
        },
        {
          ALT: () => {
            let negated = false;
            this.OPTION2(() => {
              this.CONSUME2(t.Not);
              negated = true;
            });
            this.CONSUME(t.In);
            const list = this.SUBRULE(this.inList);
            left = this.node(() => ({ kind: 'in', negated, value: left, list, start: left.start, end: list.end }), 0);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Is);
            let negated = false;
            this.OPTION3(() => {
              this.CONSUME3(t.Not);
              negated = true;
            });
            const nul = this.CONSUME(t.Null);
            left = this.node(() => ({ kind: 'isnull', negated, operand: left, start: left.start, end: endOf(nul) }), 0);
          },
        },
      ]);
    });
    return left;
  });

  private inList = this.RULE('inList', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const open = this.CONSUME(t.LParen);
          const items = this.SUBRULE(this.exprList);
          const close = this.CONSUME(t.RParen);
          return this.node(() => ({ kind: 'list', items, start: open.startOffset, end: endOf(close) }), open.startOffset);
        },
      },
      { ALT: () => this.SUBRULE(this.listLiteral) },
      { ALT: () => this.SUBRULE(this.param) },
      // A list column (OneRoster's grades, orgSourcedIds) or a function giving a list.
      { ALT: () => this.SUBRULE(this.reference) },
    ]),
  );

  private concatExpr = this.RULE('concatExpr', (): Expr =>
    this.binaryChain(this.additive, [t.Concat], () => '||'),
  );

  private additive = this.RULE('additive', (): Expr =>
    this.binaryChain(this.multiplicative, [t.Plus, t.Minus], (tok) => tok.image as BinaryOp),
  );

  private multiplicative = this.RULE('multiplicative', (): Expr =>
    this.binaryChain(this.unary, [t.Star, t.Slash, t.Percent], (tok) => tok.image as BinaryOp),
  );

  private unary = this.RULE('unary', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const minus = this.CONSUME(t.Minus);
          const operand = this.SUBRULE(this.unary);
          return this.node(() => {
            if (operand.kind === 'literal' && (operand.type === 'int' || operand.type === 'decimal') && operand.start === endOf(minus)) {
              return { ...operand, value: -(operand.value as number), start: minus.startOffset };
            }
            return { kind: 'unary', op: '-', operand, start: minus.startOffset, end: operand.end };
          }, minus.startOffset);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]),
  );

  private primary = this.RULE('primary', (): Expr =>
    this.OR([
      { ALT: () => this.SUBRULE(this.literal) },
      { ALT: () => this.SUBRULE(this.param) },
      { ALT: () => this.SUBRULE(this.caseExpr) },
      { ALT: () => this.SUBRULE(this.listLiteral) },
      { ALT: () => this.SUBRULE(this.mapLiteral) },
      { ALT: () => this.SUBRULE(this.typedLiteral) },
      {
        ALT: () => {
          const open = this.CONSUME(t.LParen);
          const inner = this.SUBRULE(this.expression);
          const close = this.CONSUME(t.RParen);
          return this.node(() => ({ ...inner, start: open.startOffset, end: endOf(close) }), open.startOffset);
        },
      },
      { ALT: () => this.SUBRULE(this.reference) },
    ]),
  );

  private literal = this.RULE('literal', (): Expr => {
    const tok = this.OR([
      { ALT: () => this.CONSUME(t.StringLit) },
      { ALT: () => this.CONSUME(t.Integer) },
      { ALT: () => this.CONSUME(t.Decimal) },
      { ALT: () => this.CONSUME(t.True) },
      { ALT: () => this.CONSUME(t.False) },
      { ALT: () => this.CONSUME(t.Null) },
    ]);
    return this.node(() => literalFromToken(tok), tok.startOffset);
  });

  private typedLiteral = this.RULE('typedLiteral', (): Expr => {
    const kwTok = this.OR([{ ALT: () => this.CONSUME(t.DateKw) }, { ALT: () => this.CONSUME(t.DatetimeKw) }]);
    const str = this.CONSUME2(t.StringLit);
    return this.node(
      () => ({
        kind: 'literal',
        type: kwTok.image.toLowerCase() === 'date' ? 'date' : 'datetime',
        value: unquote(str.image, "'"),
        start: kwTok.startOffset,
        end: endOf(str),
      }),
      kwTok.startOffset,
    );
  });

  private param = this.RULE('param', (): Expr => {
    const tok = this.CONSUME(t.Param);
    return this.node(() => ({ kind: 'param', name: tok.image.slice(1), start: tok.startOffset, end: endOf(tok) }), tok.startOffset);
  });

  private identifier = this.RULE('identifier', (): IToken =>
    this.OR([{ ALT: () => this.CONSUME(t.Identifier) }, { ALT: () => this.CONSUME(t.QuotedIdent) }]),
  );

  private reference = this.RULE('reference', (): Expr => {
    const first = this.SUBRULE(this.identifier);
    let result: Expr | undefined;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.LParen);
            let args: Expr[] = [];
            this.OPTION2(() => {
              args = this.SUBRULE(this.exprList);
            });
            const close = this.CONSUME(t.RParen);
            result = this.node(
              () => ({ kind: 'call', name: first.image.toLowerCase(), nameEnd: endOf(first), args, start: first.startOffset, end: endOf(close) }),
              first.startOffset,
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Dot);
            const second = this.SUBRULE2(this.identifier);
            result = this.node(
              () => ({
                kind: 'column',
                qualifier: identName(first.image),
                qualifierEnd: endOf(first),
                name: identName(second.image),
                start: first.startOffset,
                end: endOf(second),
              }),
              first.startOffset,
            );
          },
        },
      ]);
    });
    return result ?? this.node(() => ({ kind: 'column', name: identName(first.image), start: first.startOffset, end: endOf(first) }), first.startOffset);
  });

  private exprList = this.RULE('exprList', (): Expr[] => {
    const items: Expr[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () => {
        const e = this.SUBRULE(this.expression);
        this.ACTION(() => items.push(e));
      },
    });
    return items;
  });

  private listLiteral = this.RULE('listLiteral', (): Expr => {
    const open = this.CONSUME(t.LBracket);
    let items: Expr[] = [];
    this.OPTION(() => {
      items = this.SUBRULE(this.exprList);
    });
    const close = this.CONSUME(t.RBracket);
    return this.node(() => ({ kind: 'list', items, start: open.startOffset, end: endOf(close) }), open.startOffset);
  });

  private mapLiteral = this.RULE('mapLiteral', (): Expr => {
    const open = this.CONSUME(t.LBrace);
    const entries: { key: Expr; value: Expr }[] = [];
    this.MANY_SEP({
      SEP: t.Comma,
      DEF: () => {
        const key = this.SUBRULE(this.expression);
        this.CONSUME(t.Colon);
        const value = this.SUBRULE2(this.expression);
        this.ACTION(() => entries.push({ key, value }));
      },
    });
    const close = this.CONSUME(t.RBrace);
    return this.node(() => ({ kind: 'map', entries, start: open.startOffset, end: endOf(close) }), open.startOffset);
  });

  private caseExpr = this.RULE('caseExpr', (): Expr => {
    const caseTok = this.CONSUME(t.Case);
    let subject: Expr | undefined;
    this.OPTION({
      GATE: () => this.LA(1).tokenType !== t.When,
      DEF: () => {
        subject = this.SUBRULE(this.expression);
      },
    });
    const whens: { when: Expr; then: Expr }[] = [];
    this.AT_LEAST_ONE(() => {
      this.CONSUME(t.When);
      const when = this.SUBRULE2(this.expression);
      this.CONSUME(t.Then);
      const then = this.SUBRULE3(this.expression);
      this.ACTION(() => whens.push({ when, then }));
    });
    let otherwise: Expr | undefined;
    this.OPTION2(() => {
      this.CONSUME(t.Else);
      otherwise = this.SUBRULE4(this.expression);
    });
    const end = this.CONSUME(t.End);
    return this.node(
      () => ({
        kind: 'case',
        ...(subject ? { subject } : {}),
        whens,
        ...(otherwise ? { otherwise } : {}),
        start: caseTok.startOffset,
        end: endOf(end),
      }),
      caseTok.startOffset,
    );
  });
}

function comparisonOp(image: string): BinaryOp {
  if (image === '==') return '=';
  if (image === '!=') return '<>';
  return image as BinaryOp;
}

function unquote(image: string, q: string): string {
  return image.slice(1, -1).split(q + q).join(q);
}

function identName(image: string): string {
  if (image.startsWith('"')) return unquote(image, '"');
  if (image.startsWith('`')) return image.slice(1, -1);
  return image;
}

function literalFromToken(tok: IToken): Expr {
  const start = tok.startOffset;
  const end = endOf(tok);
  const lit = (type: LiteralType, value: string | number | boolean | null): Expr => ({ kind: 'literal', type, value, start, end });
  switch (tok.tokenType) {
    case t.StringLit:
      return lit('string', unquote(tok.image, "'"));
    case t.Integer:
      return lit('int', Number(tok.image));
    case t.Decimal:
      return lit('decimal', Number(tok.image));
    case t.True:
      return lit('bool', true);
    case t.False:
      return lit('bool', false);
    default:
      return lit('null', null);
  }
}

/** Built on the first expression parsed: a verb that parses none does not pay for it. */
let shared: ExprParser | undefined;

export interface ParseResult {
  expr?: Expr;
  errors: ExprSyntaxError[];
}

/** Parses one expression. Never throws: syntax problems come back as errors with offsets. */
export function parseExpression(text: string): ParseResult {
  const lexed = t.exprLexer.tokenize(text);
  const errors: ExprSyntaxError[] = lexed.errors.map((e) => ({
    message: `unexpected character ${JSON.stringify(text.slice(e.offset, e.offset + Math.max(1, e.length)))}`,
    start: e.offset,
    end: e.offset + Math.max(1, e.length),
  }));
  if (lexed.tokens.length === 0 && errors.length === 0) {
    return { errors: [{ message: 'the expression is empty', start: 0, end: 0 }] };
  }
  const tooDeep = tokenNesting(lexed.tokens);
  if (tooDeep) return { errors: [tooDeep] };
  const parser = (shared ??= new ExprParser());
  parser.input = lexed.tokens;
  let expr: Expr | undefined;
  try {
    expr = parser.expression();
  } catch (err) {
    // A stack overflow here got past the token check (a deep mix of rules): still the user's nesting.
    const message = err instanceof RangeError ? `the expression nests too deeply to parse (at most ${MAX_NESTING} levels)` : `cannot parse the expression (${(err as Error).message})`;
    errors.push({ message, start: 0, end: text.length, ...(err instanceof RangeError ? { hint: NESTING_HINT } : {}) });
  }
  for (const e of parser.errors) {
    const tok = e.token;
    const eof = tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset);
    const start = eof ? text.length : tok.startOffset;
    const end = eof ? text.length : endOf(tok);
    errors.push({ message: syntaxMessage(e.name, tok, eof, e.message), start, end });
  }
  if (errors.length > 0) return { errors: dedupe(errors) };
  const deep = expr && treeDepth(expr, text);
  if (deep) return { errors: [deep] };
  return { expr, errors };
}

function syntaxMessage(name: string, tok: IToken, eof: boolean, raw: string): string {
  const found = eof ? 'the end of the expression' : `\`${tok.image}\``;
  if (name === 'NotAllInputParsedException') return `unexpected ${found} after a complete expression`;
  const expecting = /Expecting[^:]*: ?(.*?)(?: but found|$)/s.exec(raw);
  if (name === 'MismatchedTokenException' && expecting) return `expected ${tokenLabel(expecting[1]!)} but found ${found}`;
  if (eof) return 'the expression ends too early';
  return `unexpected ${found}`;
}

function tokenLabel(s: string): string {
  const m = /-->\s*(.*?)\s*<--/.exec(s);
  const name = (m ? m[1] : s)!.trim();
  const labels: Record<string, string> = {
    RParen: '`)`',
    LParen: '`(`',
    RBracket: '`]`',
    RBrace: '`}`',
    Colon: '`:`',
    End: '`end`',
    Then: '`then`',
    Null: '`null`',
    Identifier: 'a name',
    StringLit: 'a quoted string',
  };
  return labels[name] ?? name;
}

function dedupe(errors: ExprSyntaxError[]): ExprSyntaxError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.start}:${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function endOf(tok: IToken): number {
  return tok.startOffset + tok.image.length;
}
