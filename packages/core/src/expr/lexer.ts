// Tokens of the expression language. Keywords are case-insensitive, like SQL.
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
const kw = (name: string) =>
  createToken({ name, pattern: new RegExp(`${name.toLowerCase()}\\b`, 'i'), longer_alt: Identifier, categories: [] });

export const And = kw('And');
export const Or = kw('Or');
export const Not = kw('Not');
export const In = kw('In');
export const Is = kw('Is');
export const Null = kw('Null');
export const True = kw('True');
export const False = kw('False');
export const Case = kw('Case');
export const When = kw('When');
export const Then = kw('Then');
export const Else = kw('Else');
export const End = kw('End');
export const DateKw = kw('Date');
export const DatetimeKw = kw('Datetime');

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const StringLit = createToken({ name: 'StringLit', pattern: /'(?:[^']|'')*'/ });
export const QuotedIdent = createToken({ name: 'QuotedIdent', pattern: /"(?:[^"]|"")*"|`[^`]*`/ });
export const Decimal = createToken({ name: 'Decimal', pattern: /\d+\.\d+/ });
export const Integer = createToken({ name: 'Integer', pattern: /\d+/, longer_alt: Decimal });
export const Param = createToken({ name: 'Param', pattern: /\$[A-Za-z_][A-Za-z0-9_]*/ });
export const Concat = createToken({ name: 'Concat', pattern: /\|\|/ });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/ });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/ });
export const NotEq = createToken({ name: 'NotEq', pattern: /<>|!=/ });
export const Less = createToken({ name: 'Less', pattern: /</ });
export const Greater = createToken({ name: 'Greater', pattern: />/ });
export const Equals = createToken({ name: 'Equals', pattern: /==?/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Percent = createToken({ name: 'Percent', pattern: /%/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  StringLit,
  QuotedIdent,
  Decimal,
  Integer,
  Param,
  Concat,
  LessEq,
  GreaterEq,
  NotEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Dot,
  And,
  Or,
  Not,
  In,
  Is,
  Null,
  True,
  False,
  Case,
  When,
  Then,
  Else,
  End,
  DatetimeKw,
  DateKw,
  Identifier,
];

export const exprLexer = new Lexer(ALL_TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true });
