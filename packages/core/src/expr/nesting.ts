// How deep an expression nests, measured before and after parsing, so that a hostile or generated
// expression gets a message about what the user wrote instead of the JS engine's stack overflow.
import type { IToken } from 'chevrotain';
import type { Expr } from './ast.js';
import type { ExprSyntaxError } from './parser.js';
import * as t from './lexer.js';

/**
 * Brackets, calls, `case … end` and runs of prefix operators (`not not`, `- -`) one inside the
 * other. Real specs nest a handful of levels; the recursive-descent parser runs out of stack
 * somewhere past a hundred calls deep, so the limit leaves it a wide margin.
 */
export const MAX_NESTING = 64;

/** Operations one inside the other in the parsed tree (a long `a || b || …` chain counts too). */
export const MAX_DEPTH = 256;


const OPEN = new Set([t.LParen, t.LBracket, t.LBrace, t.Case]);
const CLOSE = new Set([t.RParen, t.RBracket, t.RBrace, t.End]);
const PREFIX = new Set([t.Not, t.Minus]);

export const NESTING_HINT = 'split it: compute the inner part in its own column or step and refer to that column';

/** The first token that nests deeper than MAX_NESTING, before the parser recurses into it. */
export function tokenNesting(tokens: readonly IToken[]): ExprSyntaxError | undefined {
  let open = 0;
  let run = 0;
  for (const tok of tokens) {
    if (OPEN.has(tok.tokenType)) open++;
    else if (CLOSE.has(tok.tokenType)) open = Math.max(0, open - 1);
    run = PREFIX.has(tok.tokenType) ? run + 1 : 0;
    if (open + run > MAX_NESTING) {
      return {
        message: `the expression nests deeper than ${MAX_NESTING} levels (brackets, calls, case and not/- one inside the other)`,
        start: tok.startOffset,
        end: tok.startOffset + tok.image.length,
        hint: NESTING_HINT,
      };
    }
  }
  return undefined;
}

/** The parsed tree deeper than MAX_DEPTH (the checker and code generators walk it recursively). */
export function treeDepth(root: Expr, text: string): ExprSyntaxError | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [node, d] = stack.pop()!;
    if (d > MAX_DEPTH) {
      return { message: `the expression is more than ${MAX_DEPTH} operations deep (a long chain of operators counts one level per operator)`, start: 0, end: text.length, hint: NESTING_HINT };
    }
    for (const v of Object.values(node as object)) {
      if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object') stack.push([x, d + 1]);
      if (v && typeof v === 'object' && !Array.isArray(v)) stack.push([v, d + 1]);
    }
  }
  return undefined;
}
