// A connection to SQL Server from a connection's settings (mssql + tedious): TLS 1.2 or newer by
// default, read-only intent for sources, errors explained without secrets.
import { connectionFailure, type RunContext, type Settings } from '@sisflow/core';
import type * as Mssql from 'mssql';

export type MssqlModule = typeof Mssql;

export async function loadMssql(): Promise<MssqlModule> {
  const m = (await import('mssql')) as unknown as { default?: MssqlModule } & MssqlModule;
  return m.default ?? m;
}

export function poolConfig(c: Settings, readOnly: boolean): Mssql.config {
  const num = (k: string, d: number) => (typeof c[k] === 'number' ? (c[k] as number) : d);
  return {
    server: String(c.server),
    ...(c.instance === undefined ? { port: num('port', 1433) } : {}),
    database: String(c.database),
    user: String(c.user),
    password: String(c.password ?? ''),
    connectionTimeout: num('connect_timeout_seconds', 15) * 1000,
    requestTimeout: num('request_timeout_seconds', 600) * 1000,
    pool: { min: 0, max: 1 },
    options: {
      encrypt: c.encrypt !== false,
      trustServerCertificate: c.trust_server_certificate === true,
      appName: typeof c.application_name === 'string' ? c.application_name : 'sisflow',
      readOnlyIntent: readOnly,
      ...(typeof c.instance === 'string' ? { instanceName: c.instance } : {}),
      cryptoCredentialsDetails: { minVersion: 'TLSv1.2' },
      useUTC: true,
    },
  };
}

/** Opens a pool of one connection; a failure says which server and why, never the password. */
export async function connect(mssql: MssqlModule, c: Settings, readOnly: boolean, ctx: RunContext): Promise<Mssql.ConnectionPool> {
  const pool = new mssql.ConnectionPool(poolConfig(c, readOnly));
  pool.on('error', () => undefined);
  const where = `${String(c.server)}${c.instance ? `\\${String(c.instance)}` : `:${String(c.port ?? 1433)}`}`;
  const onAbort = () => void pool.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await pool.connect();
    return pool;
  } catch (e) {
    throw connectionFailure(new Error(`cannot connect to SQL Server ${where}, database ${String(c.database)}: ${explain(e, c)}`));
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

export function explain(e: unknown, c: Settings): string {
  const err = e as { code?: string; number?: number; message?: string; originalError?: { message?: string } };
  const text = (err.originalError?.message ?? err.message ?? String(e)).replaceAll(String(c.password ?? '\u0000'), '***');
  if (err.number === 4060 || /cannot open database/i.test(text)) return `the database does not exist or ${String(c.user)} may not open it`;
  if (err.number === 18456 || /login failed/i.test(text)) return `login failed for ${String(c.user)} (wrong user or password, or the login is disabled)`;
  if (err.code === 'ESOCKET' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT/.test(text)) return `the server cannot be reached (${text})`;
  if (err.code === 'ETIMEOUT') return `no answer within the connect timeout (${text})`;
  return text;
}
