// Outputs: the connection can be written to and the settings fit the connector's sink.
import type { SinkDescription } from '../connector/connector.js';
import type { RowSchema } from '../expr/row-schema.js';
import { OUTPUT_LANGUAGE_KEYS } from '../spec/schema.js';
import { connectorRole } from './connector-role.js';
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
  const found = connectorRole(ctx, path, out.to, out, OUTPUT_LANGUAGE_KEYS, 'sink');
  const schema = schemas.get(out.from);
  if (!found || !schema) return undefined;
  const description = found.role.describe({ ...found.describe, schema });
  if (!description) return undefined;
  return { name, from: out.from, connection: out.to, use: found.use, settings: found.describe.settings, schema, description };
}
