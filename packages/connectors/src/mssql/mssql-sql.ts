// The T-SQL the mssql connector sends, as text (golden-tested): the staging table (rows reach it
// by bulk copy), the one MERGE that applies it, and the least-privilege grants a spec needs.
// Identifiers come from the Aeries catalog and are bracket-quoted; values are always parameters.
import { quoteIdent, type Needs } from '@sisflow/core';
import type { CatalogTable } from '../aeries/catalog.js';

const q = (name: string) => quoteIdent(name, 'tsql');
export const STAGE = '#sisflow_stage';

export function targetName(table: string): string {
  return `${q('dbo')}.${q(table)}`;
}

export function createStageSql(table: CatalogTable, columns: string[]): string {
  const defs = columns.map((c) => `${q(c)} ${table.columns.find((x) => x.name === c)!.sql} NULL`);
  return `CREATE TABLE ${STAGE} (${defs.join(', ')})`;
}

/** The slices a refused row held, bulk-copied like the stage. */
export const HELD = '#sisflow_held';

export function createHeldSql(table: CatalogTable, columns: string[]): string {
  return `CREATE TABLE ${HELD} (${columns.map((c) => `${q(c)} ${table.columns.find((x) => x.name === c)!.sql} NULL`).join(', ')})`;
}

/** Takes the rows of held slices out of the stage: the MERGE then leaves those slices as they are. */
export function dropHeldSql(columns: string[]): string {
  return `DELETE s FROM ${STAGE} AS s WHERE EXISTS (SELECT 1 FROM ${HELD} AS h WHERE ${columns.map((c) => `h.${q(c)} = s.${q(c)}`).join(' AND ')})`;
}

export interface MergeOptions {
  table: string;
  columns: string[];
  key: string[];
  /** false, true (the whole table), or the columns that scope the deletes. */
  deleteMissing: boolean | string[];
}

/**
 * One MERGE: update rows whose values differ (NULL-safe), insert new keys, optionally delete rows
 * missing from the file; then one result set with the count of each action.
 */
export function mergeSql(o: MergeOptions): string {
  const on = o.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
  const values = o.columns.filter((c) => !o.key.includes(c));
  const differs = values.map((c) => `(t.${q(c)} <> s.${q(c)} OR (t.${q(c)} IS NULL AND s.${q(c)} IS NOT NULL) OR (t.${q(c)} IS NOT NULL AND s.${q(c)} IS NULL))`);
  const scoped = Array.isArray(o.deleteMissing);
  const lines = ['DECLARE @changes TABLE ([action] nvarchar(10));'];
  if (scoped) {
    // Deletes only among the rows whose scope the output mentions: MERGE into that slice.
    const within = o.deleteMissing as string[];
    lines.push(`WITH target AS (SELECT * FROM ${targetName(o.table)} WHERE EXISTS (SELECT 1 FROM ${STAGE} AS w WHERE ${within.map((c) => `w.${q(c)} = ${targetName(o.table)}.${q(c)}`).join(' AND ')}))`);
    lines.push('MERGE target WITH (HOLDLOCK) AS t');
  } else lines.push(`MERGE ${targetName(o.table)} WITH (HOLDLOCK) AS t`);
  lines.push(`USING ${STAGE} AS s ON ${on}`);
  if (values.length > 0) lines.push(`WHEN MATCHED AND (${differs.join(' OR ')}) THEN UPDATE SET ${values.map((c) => `t.${q(c)} = s.${q(c)}`).join(', ')}`);
  lines.push(`WHEN NOT MATCHED BY TARGET THEN INSERT (${o.columns.map(q).join(', ')}) VALUES (${o.columns.map((c) => `s.${q(c)}`).join(', ')})`);
  if (o.deleteMissing !== false) lines.push('WHEN NOT MATCHED BY SOURCE THEN DELETE');
  lines.push('OUTPUT $action INTO @changes;');
  lines.push('SELECT [action], COUNT(*) AS [n] FROM @changes GROUP BY [action];');
  return lines.join('\n');
}

export interface GrantOptions {
  /** The spec's name, for the comment and the default role name. */
  spec: string;
  planHash: string;
  connection: string;
  database?: string;
  role?: string;
  /** Also create a database user for this existing login and put it in the role. */
  login?: string;
}

/** The T-SQL that gives a role exactly what a spec needs on one connection, nothing else. */
export function grantsSql(needs: Needs, o: GrantOptions): string {
  const role = o.role ?? `sisflow_${o.spec.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const lines = [
    `-- sisflow grants for ${o.spec} (plan ${o.planHash.slice(0, 12)}), connection ${o.connection}${o.database ? `, database ${o.database}` : ''}.`,
    '-- Review, then run as a member of db_owner or db_securityadmin. Staging tables live in tempdb and need no grant.',
  ];
  if (o.database) lines.push(`USE ${q(o.database)};`);
  lines.push(`IF DATABASE_PRINCIPAL_ID(N'${role.replace(/'/g, "''")}') IS NULL CREATE ROLE ${q(role)};`);
  const byTable = new Map<string, { read: Set<string>; all: boolean; write: boolean; remove: boolean }>();
  for (const t of needs.tables ?? []) {
    const e = byTable.get(t.name) ?? { read: new Set<string>(), all: false, write: false, remove: false };
    if (t.access === 'read') {
      if (t.columns) t.columns.forEach((c) => e.read.add(c));
      else e.all = true;
    } else e.write = true;
    byTable.set(t.name, e);
  }
  const wanted = new Set(needs.permissions ?? []);
  for (const [name, e] of [...byTable].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (e.write) {
      const perms = ['SELECT', 'INSERT', 'UPDATE', ...(wanted.has(`DELETE ${name}`) ? ['DELETE'] : [])];
      lines.push(`GRANT ${perms.join(', ')} ON ${targetName(name)} TO ${q(role)};`);
    } else if (e.all || e.read.size === 0) {
      lines.push(`GRANT SELECT ON ${targetName(name)} TO ${q(role)};`);
    } else {
      lines.push(`GRANT SELECT ON ${targetName(name)} (${[...e.read].map(q).join(', ')}) TO ${q(role)};`);
    }
  }
  if (o.login) {
    lines.push(`IF DATABASE_PRINCIPAL_ID(N'${o.login.replace(/'/g, "''")}') IS NULL CREATE USER ${q(o.login)} FOR LOGIN ${q(o.login)};`);
    lines.push(`ALTER ROLE ${q(role)} ADD MEMBER ${q(o.login)};`);
  }
  return lines.join('\n');
}
