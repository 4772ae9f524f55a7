// Values between the plan's types and SQL Server's: parameters bound with their SQL types, and
// result values (Date objects, bigint strings) turned into the plan's plain values.
import type { Row, RowSchema, Type } from '@sisflow/core';
import type * as Mssql from 'mssql';
import type { MssqlModule } from './pool.js';

/** The driver type for a catalog column's declared SQL type (`varchar(30)`, `decimal(9,2)`, …). */
export function driverType(mssql: MssqlModule, sql: string): Mssql.ISqlType | Mssql.ISqlTypeFactoryWithNoParams {
  const m = /^(\w+)(?:\((\d+|max)(?:,\s*(\d+))?\))?$/i.exec(sql.trim());
  const base = (m?.[1] ?? sql).toLowerCase();
  const n = m?.[2] === undefined ? undefined : m[2].toLowerCase() === 'max' ? mssql.MAX : Number(m[2]);
  switch (base) {
    case 'bit': return mssql.Bit;
    case 'tinyint': return mssql.TinyInt;
    case 'smallint': return mssql.SmallInt;
    case 'int': return mssql.Int;
    case 'bigint': return mssql.BigInt;
    case 'decimal':
    case 'numeric': return mssql.Decimal(n ?? 18, Number(m?.[3] ?? 0));
    case 'float':
    case 'real': return mssql.Float;
    case 'date': return mssql.Date;
    case 'datetime': return mssql.DateTime;
    case 'datetime2': return mssql.DateTime2;
    case 'varchar': return mssql.VarChar(n ?? 8000);
    case 'char': return mssql.Char(n ?? 1);
    case 'nchar': return mssql.NChar(n ?? 1);
    default: return mssql.NVarChar(n ?? 4000);
  }
}

/** The driver type for a pushed-down filter's parameter, from the expression's type. */
export function parameterType(mssql: MssqlModule, kind: Type['kind'] | undefined, value: unknown): Mssql.ISqlType | Mssql.ISqlTypeFactoryWithNoParams {
  switch (kind) {
    case 'int': return typeof value === 'number' && Math.abs(value) > 2 ** 31 - 1 ? mssql.BigInt : mssql.Int;
    case 'decimal': return mssql.Float;
    case 'bool': return mssql.Bit;
    case 'date': return mssql.Date;
    case 'datetime': return mssql.DateTime2;
    default: return typeof value === 'number' ? (Number.isInteger(value) ? mssql.Int : mssql.Float) : mssql.NVarChar;
  }
}

/** A plan value as the driver wants it: dates as Date objects at UTC midnight. */
export function toDriver(kind: Type['kind'] | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if ((kind === 'date' || kind === 'datetime') && typeof value === 'string') return new Date(kind === 'date' ? `${value}T00:00:00Z` : `${value.replace(' ', 'T')}Z`);
  return value;
}

/** Converts a driver row in place into the plan's values. */
export function rowConverter(schema: RowSchema): (row: Row) => Row {
  const dates = schema.filter((c) => c.type.kind === 'date').map((c) => c.name);
  const datetimes = schema.filter((c) => c.type.kind === 'datetime').map((c) => c.name);
  const ints = schema.filter((c) => c.type.kind === 'int').map((c) => c.name);
  return (row) => {
    for (const d of dates) if (row[d] instanceof Date) row[d] = (row[d] as Date).toISOString().slice(0, 10);
    for (const d of datetimes) if (row[d] instanceof Date) row[d] = (row[d] as Date).toISOString().slice(0, 19);
    for (const i of ints) if (typeof row[i] === 'string') row[i] = Number(row[i]);
    return row;
  };
}
