// A step's `rules:` are checked on every row, so each step gets a function generated once that
// tells whether a row breaks a rule, and which (the first, in the order written). Only then are the
// words of the reject written (StepRunner.ruleProblem). Rules that need nothing but the row
// (required, matches, one_of, max_length) are tested in the generated code; a rule that remembers
// (unique) or reads more than the row (references, check) is judged through `slow`, in its place.
import type { Row } from '../connector/connector.js';
import type { PreparedRule } from './prepare.js';

/** `slow(i, row, line)` judges rule i where the generated code cannot: true when the row breaks it. */
export type SlowRule = (i: number, row: Row, line: number) => boolean;

/** The index of the first rule the row breaks, or -1. */
export type RuleCheck = (row: Row, line: number, slow: SlowRule) => number;

export function compileRuleCheck(rules: readonly PreparedRule[]): RuleCheck {
  const constants: unknown[] = [];
  const constant = (value: unknown) => `k[${constants.push(value) - 1}]`;
  const cell = (column: string) => `v = row[${JSON.stringify(column)}];`;
  const body: string[] = [];
  rules.forEach((r, i) => {
    switch (r.kind) {
      case 'required':
        for (const c of r.columns) body.push(`${cell(c)} if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return ${i};`);
        break;
      case 'matches':
        body.push(`${cell(r.column)} if (v !== null && v !== undefined && !${constant(r.regex)}.test(String(v))) return ${i};`);
        break;
      case 'one_of':
        // Set#has and Array#includes compare alike (SameValueZero).
        body.push(`${cell(r.column)} if (v !== null && v !== undefined && !${constant(new Set(r.values))}.has(v)) return ${i};`);
        break;
      case 'max_length': {
        // UTF-16 length bounds the number of characters: count them only when it is over.
        const max = Number(r.max);
        body.push(`${cell(r.column)} if (v !== null && v !== undefined) { const t = String(v); if (t.length > ${max} && [...t].length > ${max}) return ${i}; }`);
        break;
      }
      default:
        body.push(`if (slow(${i}, row, line)) return ${i};`);
    }
  });
  const make = new Function('k', `return function ruleCheck(row, line, slow) {\n  let v;\n  ${body.join('\n  ')}\n  return -1;\n};`) as (k: unknown[]) => RuleCheck;
  return make(constants);
}
