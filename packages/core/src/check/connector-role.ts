// What sources and outputs share: their connection exists, its connector can play the role, and
// the settings written beside `from:`/`to:` fit the connector's schema for that role.
import type { Connector, DescribeContext, Settings, SinkRole, SourceRole } from '../connector/connector.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Path } from '../spec/locate.js';
import { CONNECTOR_CODES, schemaDiagnostics } from '../spec/schema-diagnostics.js';
import type { CheckContext } from './context.js';

export interface RoleUse<R> {
  use: string;
  role: R;
  /** The context passed to the role's `describe` (spec settings, connection settings, report). */
  describe: DescribeContext;
}

const ROLE = {
  source: { key: 'from', verb: 'read from', hint: 'use a connection whose connector is a source', noun: 'source' },
  sink: { key: 'to', verb: 'written to', hint: 'use a connection whose connector is a sink (files, sftp, …)', noun: 'output' },
} as const;

export function connectorRole<K extends 'source' | 'sink'>(
  ctx: CheckContext,
  path: Path,
  connection: string,
  spec: Record<string, unknown>,
  languageKeys: readonly string[],
  kind: K,
): RoleUse<K extends 'source' ? SourceRole : SinkRole> | undefined {
  const r = ROLE[kind];
  const conn = ctx.spec.connections?.[connection];
  if (!conn) {
    ctx.report('SF201', `unknown connection \`${connection}\``, [...path, r.key], didYouMean(connection, Object.keys(ctx.spec.connections ?? {})) ?? 'declare it under `connections:`');
    return undefined;
  }
  const connector: Connector | undefined = ctx.registry.get(conn.use);
  if (!connector) return undefined; // reported with the connection
  const role = connector[kind];
  if (!role) {
    ctx.report('SF214', `the ${conn.use} connector cannot be ${r.verb}`, [...path, r.key], r.hint);
    return undefined;
  }
  const settings: Settings = Object.fromEntries(Object.entries(spec).filter(([k]) => !languageKeys.includes(k)));
  const errors = schemaDiagnostics({ value: settings, schema: role.settings, locator: ctx.locator, base: path, codes: CONNECTOR_CODES, subject: `a ${conn.use} ${r.noun}` });
  ctx.diagnostics.push(...errors);
  if (errors.length > 0) return undefined;
  const { use, ...connSettings } = conn;
  return {
    use,
    role: role as K extends 'source' ? SourceRole : SinkRole,
    describe: { settings, connection: connSettings, report: (code, message, rel, hint) => ctx.report(code, message, [...path, ...rel], hint) },
  };
}
