// better-sqlite3 is a native module: loaded on first use, so `sisflow validate` and `plan` never
// pay for it. Also how sisflow's values and types map to SQLite's, for every SQLite reader and writer.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

let loaded: typeof BetterSqlite3 | undefined;

/** A plan value as SQLite stores it: booleans as 0/1, a missing value as NULL. */
export const toSqlite = (v: unknown): unknown => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);

/** The SQLite column type for an Aeries (SQL Server) column type. */
export function sqliteColumnType(kind: string): 'INTEGER' | 'REAL' | 'TEXT' {
  return kind === 'int' || kind === 'bool' ? 'INTEGER' : kind === 'decimal' ? 'REAL' : 'TEXT';
}

export function sqlite(): typeof BetterSqlite3 {
  loaded ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return loaded;
}
