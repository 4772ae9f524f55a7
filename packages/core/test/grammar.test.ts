// The expression grammar passes chevrotain's own checks (ambiguities, left recursion, token
// definitions). sisflow skips them when it builds the lexer and parser, for a faster start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Lexer } from 'chevrotain';
import { ALL_TOKENS } from '../src/expr/lexer.js';
import { ExprParser } from '../src/expr/parser.js';

test('the lexer passes its checks', () => {
  assert.not.throws(() => new Lexer(ALL_TOKENS, { positionTracking: 'onlyOffset' }));
});

test('the parser passes its checks', () => {
  assert.not.throws(() => new ExprParser({ validate: true }));
});

test.run();
