// `sisflow grants SPEC`: the T-SQL that creates a role with exactly the permissions the spec needs
// on each SQL Server connection (SELECT on the columns it reads, INSERT/UPDATE(/DELETE) on the
// tables it writes), for a DBA to review and run.
import { grantsSql } from '@sisflow/connectors';
import { EXIT, printFailure, type JsonFlag, type Out } from '../io.js';
import { compileForVerb, type CompileFlags } from './validate.js';

export function grants(file: string, flags: CompileFlags & JsonFlag & { connection?: string; role?: string; login?: string }, out: Out): number {
  const compiled = compileForVerb(file, flags, out);
  if (!compiled) return EXIT.failed;
  const plan = compiled;
  const names = Object.keys(plan.connections)
    .filter((n) => plan.connections[n]!.use === 'mssql')
    .filter((n) => !flags.connection || n === flags.connection)
    .sort();
  if (names.length === 0) {
    const which = flags.connection ? `no SQL Server connection named \`${flags.connection}\`` : 'no SQL Server (`use: mssql`) connection';
    printFailure(out, flags, { message: `${file}: ${which}${flags.profile ? ` in profile ${flags.profile}` : ''}; grants are for SQL Server${plan.profile ? '' : ' (try --profile production)'}` });
    return EXIT.failed;
  }
  const blocks = names.map((connection) => ({ connection, sql: sqlFor(connection) }));
  if (flags.json) out.stdout(JSON.stringify({ ok: true, name: plan.name, plan: plan.hash, grants: blocks }, null, 2));
  else out.stdout(blocks.map((b) => b.sql).join('\n\n'));
  return EXIT.ok;

  function sqlFor(n: string): string {
    const database = knownValue(plan.connections[n]!.settings.database);
    return grantsSql(plan.needs[n] ?? {}, {
      spec: plan.name,
      planHash: plan.hash,
      connection: n,
      ...(database ? { database } : {}),
      ...(flags.role ? { role: flags.role } : {}),
      ...(flags.login ? { login: flags.login } : {}),
    });
  }
}

/** A setting's value when it is known here: literal, or an `${env:…}` set in this environment. */
function knownValue(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(v);
  if (m) return process.env[m[1]!] || undefined;
  return v.includes('${') ? undefined : v;
}
