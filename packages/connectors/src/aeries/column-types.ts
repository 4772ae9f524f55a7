// SQL Server column types as the expression language's types.
import type { ColumnInfo, ColumnLimit, RowSchema, Type } from '@sisflow/core';
import type { CatalogColumn, CatalogTable } from './catalog.js';

export function sqlTypeToType(sql: string, nullable: boolean): Type {
  const base = sql.toLowerCase().replace(/\(.*\)$/, '');
  const kind: Type['kind'] =
    base === 'bit'
      ? 'bool'
      : ['tinyint', 'smallint', 'int', 'bigint'].includes(base)
        ? 'int'
        : ['decimal', 'numeric', 'money', 'smallmoney', 'float', 'real'].includes(base)
          ? 'decimal'
          : base === 'date'
            ? 'date'
            : ['datetime', 'datetime2', 'smalldatetime'].includes(base)
              ? 'datetime'
              : 'string';
  return { kind, nullable };
}

export function catalogColumn(col: CatalogColumn): ColumnInfo {
  const length = /^n?(?:var)?char\((\d+)\)$/i.exec(col.sql);
  return { name: col.name, type: sqlTypeToType(col.sql, col.nullable ?? false), doc: col.doc, ...(length ? { maxLength: Number(length[1]) } : {}) };
}

export function tableSchema(table: CatalogTable, columns?: string[]): RowSchema {
  const all = table.columns.map(catalogColumn);
  if (!columns) return all;
  return columns.map((n) => all.find((c) => c.name === n)!).filter(Boolean);
}

const INT_RANGE: Record<string, [number, number]> = {
  tinyint: [0, 255],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** What a catalog column accepts (length of text, range of integers, null or not), for import checks. */
export function columnLimit(col: CatalogColumn, key: boolean): ColumnLimit {
  const kind = sqlTypeToType(col.sql, true).kind as ColumnLimit['kind'];
  const base = col.sql.toLowerCase().replace(/\(.*\)$/, '');
  const length = /\((\d+)\)$/.exec(col.sql)?.[1];
  const range = INT_RANGE[base];
  return {
    name: col.name,
    kind,
    nullable: col.nullable ?? false,
    ...(kind === 'string' && length ? { maxLength: Number(length) } : {}),
    ...(range ? { min: range[0], max: range[1] } : {}),
    ...(key ? { key: true } : {}),
    declared: col.sql,
  };
}
