// Reading an Aeries table declaratively (`table: STU`, `columns: [...]`): shared by the sqlite and mssql connectors.
import { didYouMean, quoteIdent, type DescribeContext, type Dialect, type JsonSchema, type SourceDescription } from '@sisflow/core';
import { AERIES_CATALOG } from './catalog.js';
import { tableSchema } from './column-types.js';

export const TABLE_SOURCE_SETTINGS: JsonSchema = {
  type: 'object',
  required: ['table'],
  additionalProperties: false,
  properties: {
    table: { type: 'string', description: 'Aeries table code, e.g. STU' },
    columns: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true, description: 'columns to read (default: all catalog columns)' },
  },
};

export function describeTableSource(ctx: DescribeContext, dialect: Dialect): SourceDescription | undefined {
  const tableName = String(ctx.settings.table);
  const table = AERIES_CATALOG.get(tableName) ?? AERIES_CATALOG.get(tableName.toUpperCase());
  if (!table) {
    ctx.report('SF209', `\`${tableName}\` is not a table in the Aeries catalog`, ['table'], didYouMean(tableName, AERIES_CATALOG.keys()) ?? `tables: ${[...AERIES_CATALOG.keys()].join(', ')}`);
    return undefined;
  }
  const wanted = ctx.settings.columns as string[] | undefined;
  let ok = true;
  (wanted ?? []).forEach((col, i) => {
    if (!table.columns.some((c) => c.name === col)) {
      ok = false;
      ctx.report('SF208', `${table.name} has no column \`${col}\``, ['columns', i], didYouMean(col, table.columns.map((c) => c.name)) ?? `see ${table.name} in docs/aeries-catalog.md`);
    }
  });
  if (!ok) return undefined;
  const schema = tableSchema(table, wanted);
  return {
    schema,
    filterSchema: tableSchema(table),
    pushdown: dialect,
    columnSql: (n) => quoteIdent(n, dialect),
    needs: { tables: [{ name: table.name, access: 'read', columns: schema.map((c) => c.name) }] },
  };
}

/**
 * SELECT for a table read with an optional pushed-down filter, ordered by the table's key so
 * every run reads rows in the same order (dedupe keeps the same row; outputs are byte-identical).
 * Identifiers come from the catalog and are quoted; values are parameters.
 */
export function tableSelect(table: string, columns: string[], dialect: Dialect, where?: string, orderBy: string[] = []): string {
  const cols = columns.map((c) => quoteIdent(c, dialect)).join(', ');
  const from = dialect === 'tsql' ? `${quoteIdent('dbo', dialect)}.${quoteIdent(table, dialect)}` : quoteIdent(table, dialect);
  const order = orderBy.length ? ` ORDER BY ${orderBy.map((c) => quoteIdent(c, dialect)).join(', ')}` : '';
  return `SELECT ${cols} FROM ${from}${where ? ` WHERE ${where}` : ''}${order}`;
}
