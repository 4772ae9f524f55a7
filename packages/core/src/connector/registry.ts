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
    then: withUse(allowReferences(c.connection), c.name),
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
    mergeKeys(sourceKeys, allowReferences({ properties: c.source?.settings.properties ?? {} }).properties as Record<string, JsonSchema>);
    mergeKeys(outputKeys, allowReferences({ properties: c.sink?.settings.properties ?? {} }).properties as Record<string, JsonSchema>);
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

/** What an editor accepts where sisflow resolves a reference: `${env:…}`, `${secret:…}`, `${param:…}`, alone or in a text. */
const REFERENCE_VALUE: JsonSchema = { type: 'string', pattern: '\\$\\{(env|secret|param):[A-Za-z_][A-Za-z0-9_]*\\}' };

/**
 * A connector's settings schema as editors see it: every value may also be a reference, as
 * `validate` allows (a `${param:schools}` list, a `${env:HOST_KEY}` where a fingerprint pattern
 * stands). `validate` itself checks the resolved values against the connector's own schema.
 */
export function allowReferences(schema: JsonSchema): JsonSchema {
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = { ...s };
  const map = (o: unknown) => Object.fromEntries(Object.entries(o as Record<string, JsonSchema>).map(([k, v]) => [k, allowReferences(v)]));
  if (s.properties) out.properties = map(s.properties);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = allowReferences(s.additionalProperties as JsonSchema);
  for (const k of ['oneOf', 'anyOf', 'allOf'] as const) if (Array.isArray(s[k])) out[k] = (s[k] as JsonSchema[]).map(allowReferences);
  const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  const isValue = !s.properties && (s.enum !== undefined || s.const !== undefined || types.some((t) => ['string', 'integer', 'number', 'boolean', 'array'].includes(t)));
  if (!isValue) return out;
  if (Array.isArray(s.items) || (s.items && typeof s.items === 'object')) out.items = Array.isArray(s.items) ? s.items.map(allowReferences) : allowReferences(s.items as JsonSchema);
  const { description, default: dflt, ...value } = out;
  return { ...(description !== undefined ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}), anyOf: [value, REFERENCE_VALUE] };
}

/**
 * Adds one connector's setting schemas to those of the others: a key two connectors define
 * differently (`columns`: a list of catalog names for a table, a map of typed columns for a file)
 * accepts either form.
 */
function mergeKeys(into: Record<string, JsonSchema>, keys: Record<string, JsonSchema>): void {
  for (const [k, schema] of Object.entries(keys)) {
    const had = into[k];
    if (had === undefined) into[k] = schema;
    else if (JSON.stringify(had) !== JSON.stringify(schema)) {
      const options = MERGED.has(had) ? (had as { anyOf: JsonSchema[] }).anyOf : [had];
      if (options.some((o) => JSON.stringify(o) === JSON.stringify(schema))) continue;
      const merged: JsonSchema = { anyOf: [...options, schema] };
      MERGED.add(merged);
      into[k] = merged;
    }
  }
}

/** The anyOf schemas mergeKeys made (a connector's own anyOf is one option, not a list to extend). */
const MERGED = new WeakSet<object>();
