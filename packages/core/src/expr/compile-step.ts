// Builds the one JavaScript function that runs a step's filter and mapping for each row.
import type { CheckedExpr, ParamValue } from './check.js';
import { JsEmitter, jsProperty } from './compile-js.js';

export interface StepProgram {
  /** The step's input name (also usable as a qualifier). */
  input: string;
  /** Lookup aliases, in the order their rows are passed after the input row. */
  lookups: string[];
  where?: CheckedExpr;
  columns?: { name: string; expr: CheckedExpr }[];
  params: ReadonlyMap<string, ParamValue>;
}

/** Returns the mapped row, or undefined when the filter drops it. Throws RowError for a row to reject. */
export type StepFunction = (row: Record<string, unknown>, ...lookups: (Record<string, unknown> | undefined)[]) => Record<string, unknown> | undefined;

export interface CompiledStep {
  fn: StepFunction;
  /** The generated source, for `sisflow plan --explain` and debugging. */
  source: string;
}

export function compileStep(p: StepProgram): CompiledStep {
  const lookupVars = new Map(p.lookups.map((alias, i) => [alias, `l${i}`]));
  const emitter = new JsEmitter({
    rowVar: (q) => (q === undefined || q === p.input ? 'r' : lookupVars.get(q)),
    optional: (v) => v !== 'r',
    params: p.params,
  });
  const lines: string[] = [];
  if (p.where) lines.push(`if (${emitter.emit(p.where)} !== true) return undefined;`);
  if (p.columns) {
    const fields = p.columns.map((c) => `${JSON.stringify(c.name)}: ${emitter.emit(c.expr)}`);
    lines.push(`return {\n    ${fields.join(',\n    ')}\n  };`);
  } else {
    lines.push('return r;');
  }
  const args = ['r', ...p.lookups.map((_, i) => `l${i}`)].join(', ');
  const body = `${emitter.tempDecl()}\n  ${lines.join('\n  ')}`;
  const source = `${emitter.preamble()}\nreturn function step(${args}) {\n  ${body}\n};`;
  const factory = new Function('K', source) as (k: unknown[]) => StepFunction;
  return { fn: factory(emitter.constants), source };
}

/** Compiles a single expression into a function of one row (tests, rules, lookup keys). */
export function compileRowExpression(expr: CheckedExpr, input: string, params: ReadonlyMap<string, ParamValue>): (row: Record<string, unknown>) => unknown {
  const emitter = new JsEmitter({ rowVar: (q) => (q === undefined || q === input ? 'r' : undefined), optional: () => false, params });
  const code = emitter.emit(expr);
  const source = `${emitter.preamble()}\nreturn function value(r) {\n  ${emitter.tempDecl()}\n  return ${code};\n};`;
  return (new Function('K', source) as (k: unknown[]) => (row: Record<string, unknown>) => unknown)(emitter.constants);
}
