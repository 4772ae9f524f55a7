// Reading an Aeries table through a spec's own connection (SQLite or SQL Server alike, secrets
// resolved the way a run resolves them): matching a requested student, and setting a received
// package beside what Aeries already has.
import { dirname } from 'node:path';
import { quoteIdent, Redactor, resolveSettings, standaloneContext, type JobPlan, type Row, type SqlFragment } from '@sisflow/core';
import { AERIES_CATALOG, tableSchema } from '@sisflow/connectors';
import type { District } from './district.js';

export interface TableRead {
  plan: JobPlan;
  /** The spec file (relative paths in its connections resolve against its folder). */
  spec: string;
  connection: string;
  table: string;
  columns?: string[];
  /** Only rows where any of these columns equals its value (pushed down as `A = @p1 OR B = @p2`). */
  anyOf?: Record<string, unknown>;
  signal?: AbortSignal;
}

export async function* readAeriesTable(district: District, r: TableRead): AsyncIterable<Row> {
  const conn = r.plan.connections[r.connection];
  if (!conn) throw new Error(`${r.spec} has no \`${r.connection}\` connection`);
  const connector = district.connectors.get(conn.use);
  const table = AERIES_CATALOG.get(r.table);
  if (!connector?.source || !table) throw new Error(`connection ${r.connection} (${conn.use}) cannot read ${r.table}`);
  const connection = resolveSettings(conn.settings, district.specSecrets(), new Redactor(), `connection ${r.connection}`);
  const schema = tableSchema(table, r.columns);
  const tests = Object.entries(r.anyOf ?? {}).filter(([, v]) => v !== undefined && v !== null);
  const dialect = conn.use === 'mssql' ? 'tsql' : 'sqlite';
  const filter: SqlFragment | undefined = tests.length === 0 ? undefined : { sql: tests.map(([c], i) => `${quoteIdent(c, dialect)} = @p${i + 1}`).join(' OR '), parameters: tests.map(([, v]) => v) };
  const ctx = standaloneContext({ ...(r.signal ? { signal: r.signal } : {}), baseDir: dirname(r.spec), startedAt: district.clock() });
  for await (const batch of connector.source.read({ connection, settings: { table: table.name, ...(r.columns ? { columns: r.columns } : {}) }, schema, ...(filter ? { filter } : {}), batchSize: 2000 }, ctx)) yield* batch.rows;
}
