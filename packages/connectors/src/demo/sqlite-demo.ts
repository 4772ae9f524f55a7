// Writes the demo district into a SQLite file with the Aeries catalog's tables, atomically.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { sqlite, sqliteColumnType, toSqlite } from '../sqlite/load.js';
import type { Row } from '@sisflow/core';
import { AERIES_TABLES, type CatalogTable } from '../aeries/catalog.js';
import { columnLimit, sqlTypeToType } from '../aeries/column-types.js';
import { generateDemo, type DemoOptions } from './generate.js';

/**
 * A catalog table in SQLite, carrying what SQL Server would enforce: NOT NULL, text lengths and
 * integer ranges as CHECK constraints, so the demo refuses what production refuses.
 */
export function createTableSql(table: CatalogTable): string {
  const cols = table.columns.map((c) => {
    const type = sqliteColumnType(sqlTypeToType(c.sql, false).kind);
    const limit = columnLimit(c, table.key.includes(c.name));
    const q = `"${c.name}"`;
    const checks = [
      limit.maxLength !== undefined ? `length(${q}) <= ${limit.maxLength}` : undefined,
      limit.min !== undefined ? `${q} BETWEEN ${limit.min} AND ${limit.max}` : undefined,
    ].filter(Boolean);
    return `${q} ${type}${c.nullable ? '' : ' NOT NULL'}${checks.length > 0 ? ` CHECK (${checks.join(' AND ')})` : ''}`;
  });
  return `CREATE TABLE "${table.name}" (${cols.join(', ')}, PRIMARY KEY (${table.key.map((k) => `"${k}"`).join(', ')}))`;
}

/** Creates (or replaces) the demo database; returns the row count of each table. */
export function writeDemoDatabase(path: string, options: DemoOptions = {}): Record<string, number> {
  const data = generateDemo(options);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  const Database = sqlite();
  const db = new Database(temp);
  const counts: Record<string, number> = {};
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.transaction(() => {
      for (const table of AERIES_TABLES) {
        db.exec(createTableSql(table));
        const rows = (data as Record<string, Row[]>)[table.name] ?? [];
        insertRows(db, table, rows);
        counts[table.name] = rows.length;
      }
    })();
    db.close();
    renameSync(temp, path);
  } catch (e) {
    if (db.open) db.close();
    rmSync(temp, { force: true });
    throw e;
  }
  return counts;
}

export function insertRows(db: Database.Database, table: CatalogTable, rows: Iterable<Row>): void {
  const names = table.columns.map((c) => c.name);
  const stmt = db.prepare(`INSERT INTO "${table.name}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
  for (const row of rows) stmt.run(names.map((n) => toSqlite(row[n])));
}

