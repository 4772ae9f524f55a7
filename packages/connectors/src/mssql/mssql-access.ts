// What `sisflow doctor` asks SQL Server, reading and writing no rows: the login (read-only intent
// for a spec that only reads), then for each table a source reads a `SELECT TOP 0` of exactly its
// columns (refused without the column grants `sisflow grants` prints), and for each table an
// import writes the permissions it needs (HAS_PERMS_BY_NAME).
import type { AccessCheckRequest, AccessProbe, RunContext } from '@sisflow/core';
import { targetName } from './mssql-sql.js';
import { connect, explain, loadMssql } from './pool.js';

const quote = (name: string) => `[${name.replaceAll(']', ']]')}]`;

export async function checkMssqlAccess(req: AccessCheckRequest): Promise<AccessProbe[]> {
  const c = req.connection;
  const readOnly = req.uses.every((u) => u.role === 'source');
  const mssql = await loadMssql();
  const ctx = { signal: req.signal } as RunContext;
  const login: AccessProbe = { area: `log in as ${String(c.user)} to ${String(c.server)}, database ${String(c.database)}`, needed: true, usedBy: req.uses.map((u) => u.step), status: 'granted', request: 'connect' };
  let pool;
  try {
    pool = await connect(mssql, c, readOnly, ctx);
  } catch (e) {
    return [{ ...login, status: 'refused', detail: (e as Error).message }];
  }
  const probes: AccessProbe[] = [login];
  try {
    for (const u of req.uses) {
      const table = typeof u.settings.table === 'string' ? u.settings.table.toUpperCase() : undefined;
      if (u.role === 'source') {
        if (!table) {
          probes.push({ area: 'run its query', needed: true, usedBy: [u.step], status: 'unknown', request: 'query:', detail: 'an explicit query is not run by doctor' });
          continue;
        }
        const columns = Array.isArray(u.settings.columns) ? (u.settings.columns as string[]) : [];
        const sql = `SELECT TOP 0 ${columns.length ? columns.map(quote).join(', ') : '*'} FROM ${targetName(table)}`;
        const probe: AccessProbe = { area: `SELECT ${table}${columns.length ? ` (${columns.join(', ')})` : ''}`, needed: true, usedBy: [u.step], status: 'granted', request: sql };
        try {
          await pool.request().query(sql);
          probes.push(probe);
        } catch (e) {
          const n = (e as { number?: number }).number;
          probes.push({ ...probe, status: n === 208 ? 'not found' : 'refused', detail: explain(e, c) });
        }
        continue;
      }
      if (!table) continue;
      const needs = ['SELECT', 'INSERT', 'UPDATE', ...(u.settings.delete_missing ? ['DELETE'] : [])];
      const sql = `SELECT ${needs.map((p) => `HAS_PERMS_BY_NAME(N'${targetName(table).replaceAll("'", "''")}', N'OBJECT', N'${p}') AS ${p}`).join(', ')}`;
      const probe: AccessProbe = { area: `${needs.join(', ')} on ${table}`, needed: true, usedBy: [u.step], status: 'granted', request: sql };
      try {
        const r = await pool.request().query(sql);
        const row = (r.recordset?.[0] ?? {}) as Record<string, unknown>;
        const missing = needs.filter((p) => row[p] !== 1 && row[p] !== true);
        probes.push(missing.length ? { ...probe, status: row[needs[0]!] === null ? 'not found' : 'refused', detail: `missing: ${missing.join(', ')}` } : probe);
      } catch (e) {
        probes.push({ ...probe, status: 'failed', detail: explain(e, c) });
      }
    }
  } finally {
    await pool.close();
  }
  return probes;
}
