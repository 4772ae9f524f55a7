// Connections: a known connector, settings that fit its schema, references well formed, secrets never in clear.
import { didYouMean } from '../diagnostics/suggest.js';
import { CONNECTOR_CODES, schemaDiagnostics } from '../spec/schema-diagnostics.js';
import type { Path } from '../spec/locate.js';
import type { ConnectionSpec } from '../spec/spec.js';
import type { CheckContext } from './context.js';
import { isReferenceOnly, scanReferences } from './references.js';
import { checkSecretPlacement } from './secret-placement.js';

export function checkConnections(ctx: CheckContext): void {
  for (const [name, conn] of Object.entries(ctx.spec.connections ?? {})) checkConnection(ctx, conn, ['connections', name]);
}

export function checkConnection(ctx: CheckContext, conn: ConnectionSpec, path: Path): void {
  const connector = ctx.registry.get(conn.use);
  if (!connector) {
    ctx.report('SF205', `unknown connector \`${conn.use}\``, [...path, 'use'], didYouMean(conn.use, ctx.registry.names()) ?? `connectors: ${ctx.registry.names().join(', ')}`);
    return;
  }
  const { use: _use, ...settings } = conn;
  const errors = schemaDiagnostics({
    value: settings,
    schema: connector.connection,
    locator: ctx.locator,
    base: path,
    codes: CONNECTOR_CODES,
    subject: `the ${conn.use} connector`,
    // A malformed reference is reported as one (SF212), not also as a value of the wrong form.
    isReference: (v) => typeof v === 'string' && (isReferenceOnly(v) || /^\$\{/.test(v)),
  });
  ctx.diagnostics.push(...errors);
  // A problem of the connection as a whole is reported at its name.
  if (errors.length === 0) connector.checkConnection?.({ connection: settings, report: (code, message, rel, hint) => (rel.length ? ctx.report(code, message, [...path, ...rel], hint) : ctx.reportKey(code, message, path, hint)) });
  checkReferences(ctx, settings, path);
  checkSecretPlacement(ctx, settings, path, connector.secretSettings ?? [], `a ${conn.use} connection`);
  for (const key of connector.secretSettings ?? []) {
    // A dotted name reaches into a nested setting (`sftp.password`).
    const v = key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), settings);
    if (typeof v === 'string' && !isReferenceOnly(v) && !scanReferences(v).malformed) {
      ctx.report('SF407', `\`${key}\` of ${path.join('.')} is written in clear text`, [...path, ...key.split('.')], `write \`${key}: \${secret:NAME}\` and keep the value in the environment or a secrets file`);
    }
  }
}

function checkReferences(ctx: CheckContext, value: unknown, path: Path): void {
  if (typeof value === 'string') {
    const { malformed } = scanReferences(value);
    // `${param:NAME}` left in place was reported where the parameter is declared.
    if (malformed && !/^\$\{param:[A-Za-z_][A-Za-z0-9_]*\}$/.test(malformed)) ctx.report('SF212', `\`${malformed}\` is not a reference sisflow understands`, path, 'write ${env:NAME} or ${secret:NAME}');
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkReferences(ctx, v, [...path, Array.isArray(value) ? Number(k) : k]);
  }
}
