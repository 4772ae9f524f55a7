// Spec-embedded tests: their inputs are sources, their expectations steps or outputs, their columns real.
import { didYouMean } from '../diagnostics/suggest.js';
import { schemaMap, type RowSchema } from '../expr/row-schema.js';
import { checkIsoDate, checkIsoDatetime } from '../expr/dates.js';
import { parseTypeName, typeToString, type Type } from '../expr/types.js';
import { checkParamValue } from './params.js';
import type { CheckContext } from './context.js';
import { testFileProblem } from '../runtime/given-file.js';

/** `givenSchemas`: for sources whose `where` tests more columns than they read, those columns. */
export function checkTests(ctx: CheckContext, schemas: ReadonlyMap<string, RowSchema>, givenSchemas: ReadonlyMap<string, RowSchema> = new Map()): void {
  const sources = Object.keys(ctx.spec.sources);
  const targets = [...Object.keys(ctx.spec.steps ?? {}), ...Object.keys(ctx.spec.outputs), ...sources];
  const seen = new Map<string, number>();
  (ctx.spec.tests ?? []).forEach((t, i) => {
    const path = ['tests', i];
    const twin = seen.get(t.name);
    if (twin !== undefined) {
      ctx.report('SF222', `two tests are named "${t.name}"`, [...path, 'name'], 'give each test a name of its own: `sisflow test` reports them by name', [ctx.related('the first is here', ['tests', twin, 'name'])]);
    } else seen.set(t.name, i);
    for (const [param, value] of Object.entries(t.params ?? {})) {
      const declared = ctx.spec.params?.[param];
      const ppath = [...path, 'params', param];
      if (!declared) {
        ctx.reportKey('SF210', `test "${t.name}" sets \`${param}\`, which is not a declared parameter`, ppath, didYouMean(param, Object.keys(ctx.spec.params ?? {})) ?? 'declare it under `params:`');
        continue;
      }
      const type = parseTypeName(declared.type);
      const v = type && checkParamValue(declared, type, value);
      if (v && !v.ok) ctx.report('SF211', `test "${t.name}" sets \`${param}\` to a value that is not ${declared.type}: ${v.why}`, ppath, v.hint);
    }
    for (const [name, rows] of Object.entries(t.given)) {
      if (!ctx.spec.sources[name]) {
        ctx.reportKey('SF218', `test "${t.name}" gives rows for \`${name}\`, which is not a source`, [...path, 'given', name], didYouMean(name, sources));
        continue;
      }
      if (typeof rows === 'string') checkTestFile(ctx, rows, [...path, 'given', name]);
      else checkColumns(ctx, givenSchemas.get(name) ?? schemas.get(name), rows, [...path, 'given', name], name, 'given');
    }
    for (const [name, rows] of Object.entries(t.expect)) {
      if (!targets.includes(name)) {
        ctx.reportKey('SF218', `test "${t.name}" expects rows from \`${name}\`, which is not a step or output`, [...path, 'expect', name], didYouMean(name, targets));
        continue;
      }
      const from = ctx.spec.outputs[name]?.from ?? name;
      if (typeof rows === 'string') checkTestFile(ctx, rows, [...path, 'expect', name]);
      else checkColumns(ctx, schemas.get(from), rows, [...path, 'expect', name], name, 'expect');
    }
  });
}

/** A test's rows from a file: a CSV path inside the spec's folder (its cells are checked as it is read). */
function checkTestFile(ctx: CheckContext, file: string, path: (string | number)[]): void {
  const problem = testFileProblem(file);
  if (problem) ctx.report('SF752', `test data ${JSON.stringify(file)} cannot be used: ${problem}`, path);
  else if (!/\.csv$/i.test(file)) ctx.report('SF752', `test data ${JSON.stringify(file)} is not a .csv file`, path, 'test rows come from a CSV file with a header line (tests/students.csv)');
}

function checkColumns(ctx: CheckContext, schema: RowSchema | undefined, rows: Record<string, unknown>[], path: (string | number)[], name: string, side: 'given' | 'expect'): void {
  if (!schema) return;
  const cols = schema.map((c) => c.name);
  const types = schemaMap(schema);
  rows.forEach((row, r) => {
    for (const [col, value] of Object.entries(row)) {
      const type = types.get(col);
      if (!type) {
        ctx.reportKey('SF208', `\`${name}\` has no column \`${col}\``, [...path, r, col], didYouMean(col, cols) ?? `its columns: ${cols.join(', ')}`);
        continue;
      }
      const problem = cellProblem(value, type, side);
      if (problem) ctx.report('SF318', `row ${r + 1} of \`${name}\`: ${col} is ${typeToString(type)}, but the test ${side === 'given' ? 'gives' : 'expects'} ${JSON.stringify(value)}: ${problem.why}`, [...path, r, col], problem.hint);
    }
  });
}

/**
 * Whether a test's cell fits its column. Given rows enter the run as they are written, so their
 * values must have the column's type; expected rows are compared as text, so only values no
 * row of that type could show are wrong.
 */
function cellProblem(v: unknown, t: Type, side: 'given' | 'expect'): { why: string; hint: string } | undefined {
  if (v === null) return t.nullable || side === 'expect' ? undefined : { why: 'the column never holds null', hint: `give a value${t.kind === 'string' ? " (write '' for empty text)" : ''}` };
  const text = String(v);
  switch (t.kind) {
    case 'int':
      if (typeof v === 'number' && Number.isInteger(v)) return undefined;
      if (side === 'expect' && /^[+-]?\d+$/.test(text)) return undefined;
      return /^[+-]?\d+$/.test(text) ? { why: 'it is text', hint: `write it without quotes: ${text}` } : { why: 'it is not a whole number', hint: 'write a whole number, e.g. 9' };
    case 'decimal':
      if (typeof v === 'number') return undefined;
      if (side === 'expect' && /^[+-]?\d+(\.\d+)?$/.test(text)) return undefined;
      return { why: 'it is not a number', hint: 'write a number without quotes, e.g. 2.5' };
    case 'bool':
      if (typeof v === 'boolean' || (side === 'expect' && (text === 'true' || text === 'false'))) return undefined;
      return { why: 'it is not true or false', hint: 'write true or false, without quotes' };
    case 'date':
      return checkIsoDate(text) ? undefined : { why: 'it is not a date', hint: 'write dates as YYYY-MM-DD, e.g. 2026-08-20' };
    case 'datetime':
      return checkIsoDatetime(text) || checkIsoDate(text) ? undefined : { why: 'it is not a datetime', hint: 'write YYYY-MM-DDTHH:MM:SS, e.g. 2026-08-20T07:30:00' };
    case 'string':
      if (typeof v === 'string' || side === 'expect') return undefined;
      return typeof v === 'number' ? { why: 'it is a number', hint: `quote it: '${text}'` } : { why: `it is ${typeof v}`, hint: `quote it: '${text}'` };
    default:
      return undefined;
  }
}
