// SQL Server column types as the expression language's types.
import type { ColumnInfo, RowSchema, Type } from '@sisflow/core';
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
