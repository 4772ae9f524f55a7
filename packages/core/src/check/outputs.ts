// Outputs: the connection can be written to and the settings fit the connector's sink.
import type { SinkDescription } from '../connector/connector.js';
import type { RowSchema } from '../expr/row-schema.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { CONNECTOR_CODES, schemaDiagnostics } from '../spec/schema-diagnostics.js';
import { OUTPUT_LANGUAGE_KEYS } from '../spec/schema.js';
import type { CheckContext } from './context.js';

export interface OutputAnalysis {
  name: string;
  from: string;
  connection: string;
  use: string;
  settings: Record<string, unknown>;
  schema: RowSchema;
  description: SinkDescription;
}

export function checkOutput(ctx: CheckContext, name: string, schemas: ReadonlyMap<string, RowSchema>): OutputAnalysis | undefined {
  const out = ctx.spec.outputs[name]!;
  const path = ['outputs', name];
  const conn = ctx.spec.connections?.[out.to];
  if (!conn) {
    ctx.report('SF201', `unknown connection \`${out.to}\``, [...path, 'to'], didYouMean(out.to, Object.keys(ctx.spec.connections ?? {})) ?? 'declare it under `connections:`');
    return undefined;
  }
  const connector = ctx.registry.get(conn.use);
  if (!connector) return undefined;
  if (!connector.sink) {
    ctx.report('SF214', `the ${conn.use} connector cannot be written to`, [...path, 'to'], 'use a connection whose connector is a sink (files, sftp, …)');
    return undefined;
  }
  const settings = Object.fromEntries(Object.entries(out).filter(([k]) => !(OUTPUT_LANGUAGE_KEYS as readonly string[]).includes(k)));
  const errors = schemaDiagnostics({ value: settings, schema: connector.sink.settings, locator: ctx.locator, base: path, codes: CONNECTOR_CODES, subject: `a ${conn.use} output` });
  ctx.diagnostics.push(...errors);
  const schema = schemas.get(out.from);
  if (errors.length > 0 || !schema) return undefined;
  const { use: _use, ...connSettings } = conn;
  const description = connector.sink.describe({
    settings,
    connection: connSettings,
    schema,
    report: (code, message, rel, hint) => ctx.report(code, message, [...path, ...rel], hint),
  });
  if (!description) return undefined;
  return { name, from: out.from, connection: out.to, use: conn.use, settings, schema, description };
}
