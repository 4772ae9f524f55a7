// Writing rows into an Aeries table by key (insert new, update changed, optionally delete
// missing): the settings and checks shared by the mssql and sqlite sinks.
import { didYouMean, type DescribeContext, type JsonSchema, type RowSchema, type RunContext, type SinkDescription, type SinkWriteRequest } from '@sisflow/core';
import { AERIES_CATALOG } from './catalog.js';
import { catalogColumn, columnLimit, sqlTypeToType } from './column-types.js';

export const TABLE_SINK_SETTINGS: JsonSchema = {
  type: 'object',
  required: ['table', 'key'],
  additionalProperties: false,
  properties: {
    table: { type: 'string', description: 'the Aeries table rows are applied to' },
    key: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true, description: 'columns that identify a row (matched for update)' },
    delete_missing: {
      type: ['boolean', 'object'],
      default: false,
      required: ['within'],
      additionalProperties: false,
      properties: { within: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true } },
      description: 'true: delete rows of the table whose key is not in the output; { within: [ID] }: only among the rows whose ID the output has (replace each student\'s services)',
    },
  },
};

/** How a step turns a value into each kind of column (functions of the expression library). */
const CONVERT: Partial<Record<string, string>> = {
  string: 'text(…)',
  int: 'parse_int(…)',
  decimal: 'parse_decimal(…)',
  bool: "a comparison gives true or false, e.g. `FLAG = 'Y'`",
  date: "parse_date(…, 'yyyyMMdd')",
  datetime: "parse_date(…, 'yyyy-MM-dd HH:mm')",
};

const nullFix = (lookup: string) => `make lookup \`${lookup}\` \`required: true\` (rows without a match go to rejects), or give a value for null with coalesce(…, default)`;

/** The output's columns must be columns of the table, of compatible types, and include the key. */
export function describeTableSink(ctx: DescribeContext & { schema: RowSchema }, target: (table: string) => string): SinkDescription | undefined {
  const name = String(ctx.settings.table);
  const table = AERIES_CATALOG.get(name) ?? AERIES_CATALOG.get(name.toUpperCase());
  if (!table) {
    ctx.report('SF209', `\`${name}\` is not a table in the Aeries catalog`, ['table'], didYouMean(name, AERIES_CATALOG.keys()) ?? 'add the table to the catalog first');
    return undefined;
  }
  let ok = true;
  const keys = ctx.settings.key as string[];
  for (const col of ctx.schema) {
    const c = table.columns.find((x) => x.name === col.name);
    if (!c) {
      ok = false;
      ctx.report('SF208', `the output has a column \`${col.name}\`, which ${table.name} does not have`, ['table'], didYouMean(col.name, table.columns.map((x) => x.name)) ?? `name the step's columns after ${table.name}'s`);
      continue;
    }
    const want = sqlTypeToType(c.sql, c.nullable ?? false);
    const length = catalogColumn(c).maxLength;
    if (want.kind !== col.type.kind && !(want.kind === 'decimal' && col.type.kind === 'int') && col.type.kind !== 'null') {
      ok = false;
      ctx.report('SF306', `\`${col.name}\` is ${col.type.kind}, but ${table.name}.${c.name} is ${c.sql}`, ['table'], `convert it in the step: ${CONVERT[want.kind] ?? 'text(…)'}`);
    } else if (col.maxLength !== undefined && length !== undefined && col.maxLength > length) {
      ok = false;
      ctx.report('SF319', `\`${col.name}\` may hold ${col.maxLength} characters, but ${table.name}.${c.name} is ${c.sql}: SQL Server refuses the longer values`, ['table'], `cut it in the step with left(…, ${length}), or check that the column is the right one`);
    } else if (col.nullableVia && col.type.nullable && !want.nullable && !keys.includes(col.name)) {
      ok = false;
      ctx.report('SF308', `\`${col.name}\` is null when lookup \`${col.nullableVia}\` finds no match, but ${table.name}.${c.name} does not allow null`, ['table'], nullFix(col.nullableVia));
    }
  }
  keys.forEach((k, i) => {
    const col = ctx.schema.find((c) => c.name === k);
    if (!col) {
      ok = false;
      ctx.report('SF208', `key column \`${k}\` is not a column of the output`, ['key', i], didYouMean(k, ctx.schema.map((c) => c.name)) ?? `the output's columns: ${ctx.schema.map((c) => c.name).join(', ')}`);
    } else if (col.type.nullable && col.nullableVia) {
      // A value a source declares nullable is checked row by row when the import runs; one that is
      // null whenever a lookup finds nothing is a mapping mistake, found now.
      ok = false;
      ctx.report('SF308', `key column \`${k}\` is null when lookup \`${col.nullableVia}\` finds no match, and a row without a key cannot be matched in ${table.name}`, ['key', i], nullFix(col.nullableVia));
    }
  });
  if (!ok) return undefined;
  const scope = deleteScope(ctx.settings);
  (Array.isArray(scope) ? scope : []).forEach((c, i) => {
    if (!ctx.schema.some((x) => x.name === c)) {
      ok = false;
      ctx.report('SF208', `\`${c}\` is not a column of the output`, ['delete_missing', 'within', i], didYouMean(c, ctx.schema.map((x) => x.name)));
    }
  });
  if (!ok) return undefined;
  const deletes = scope !== false;
  const key = ctx.settings.key as string[];
  const limits = ctx.schema.map((col) => columnLimit(table.columns.find((x) => x.name === col.name)!, key.includes(col.name)));
  return {
    target: target(table.name),
    // Slices held whole: each `within` value, or the whole table when delete_missing is true.
    table: { ...(scope !== false ? { slice: scope === true ? [] : scope } : {}), columns: limits },
    needs: { tables: [{ name: table.name, access: 'write', columns: ctx.schema.map((c) => c.name) }], ...(deletes ? { permissions: [`DELETE ${table.name}`] } : {}) },
  };
}

/** `delete_missing`: false, true (the whole table), or the columns that scope the deletes. */
export function deleteScope(settings: Record<string, unknown>): boolean | string[] {
  const d = settings.delete_missing;
  if (d && typeof d === 'object') return (d as { within: string[] }).within;
  return d === true;
}

/**
 * The output's columns the import sets, once every row is staged: all of them but those computed
 * from a column the input did not have (`absent: keep`), which the table keeps as they are. A key
 * cannot be left out: without it no row can be matched.
 */
export function appliedColumns(req: SinkWriteRequest, ctx: RunContext, table: string): string[] {
  const untouched = new Set(req.untouched());
  const columns = req.schema.map((c) => c.name);
  if (untouched.size === 0) return columns;
  const key = (req.settings.key as string[]).filter((k) => untouched.has(k));
  if (key.length > 0) throw new Error(`key column ${key.join(', ')} is computed from a column the input does not have (absent: keep), so no row can be matched; nothing was changed`);
  ctx.warn(`${table}.${[...untouched].join(`, ${table}.`)} left as they are: computed from a column the input does not have (absent: keep)`);
  return columns.filter((c) => !untouched.has(c));
}
