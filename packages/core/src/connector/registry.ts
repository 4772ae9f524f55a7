// Connectors by `use:` name. Core registers none; @sisflow/connectors and third parties add theirs.
import type { Connector } from './connector.js';
import { SPEC_SCHEMA, type JsonSchema } from '../spec/schema.js';

export class ConnectorRegistry {
  private readonly byName = new Map<string, Connector>();

  register(...connectors: Connector[]): this {
    for (const c of connectors) {
      if (this.byName.has(c.name)) throw new Error(`a connector named "${c.name}" is already registered`);
      this.byName.set(c.name, c);
    }
    return this;
  }

  get(name: string): Connector | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  all(): Connector[] {
    return this.names().map((n) => this.byName.get(n)!);
  }
}

/** The language schema with every registered connector's connection settings, for editors. */
export function specSchemaFor(registry: ConnectorRegistry): JsonSchema {
  const props = SPEC_SCHEMA.properties as Record<string, JsonSchema>;
  const connectionVariants = registry.all().map((c) => ({
    if: { properties: { use: { const: c.name } }, required: ['use'] },
    then: withUse(c.connection, c.name),
  }));
  const connection: JsonSchema = {
    type: 'object',
    required: ['use'],
    properties: { use: { enum: registry.names(), description: 'connector name' } },
    allOf: connectionVariants,
  };
  const sources = props.sources as JsonSchema;
  const outputs = props.outputs as JsonSchema;
  // The language's own keys (from, where, allow_empty, hold_with, …), then every connector's settings.
  const languageKeys = (s: JsonSchema) => ({ ...(((s.additionalProperties as JsonSchema).properties as Record<string, JsonSchema> | undefined) ?? {}) });
  const sourceKeys: Record<string, JsonSchema> = languageKeys(sources);
  const outputKeys: Record<string, JsonSchema> = languageKeys(outputs);
  for (const c of registry.all()) {
    Object.assign(sourceKeys, (c.source?.settings.properties as object | undefined) ?? {});
    Object.assign(outputKeys, (c.sink?.settings.properties as object | undefined) ?? {});
  }
  const profiles = props.profiles as JsonSchema;
  const profile = profiles.additionalProperties as JsonSchema;
  return {
    ...SPEC_SCHEMA,
    properties: {
      ...props,
      connections: { ...(props.connections as JsonSchema), additionalProperties: connection },
      profiles: {
        ...profiles,
        additionalProperties: {
          ...profile,
          properties: { ...(profile.properties as object), connections: { type: 'object', additionalProperties: connection } },
        },
      },
      sources: { ...sources, additionalProperties: { ...(sources.additionalProperties as JsonSchema), properties: sourceKeys } },
      outputs: { ...outputs, additionalProperties: { ...(outputs.additionalProperties as JsonSchema), properties: outputKeys } },
    },
  };
}

function withUse(schema: JsonSchema, name: string): JsonSchema {
  return {
    ...schema,
    properties: { use: { const: name }, ...((schema.properties as object | undefined) ?? {}) },
  };
}
