// One ajv validator per JSON Schema. The schemas sisflow ships (the language's, the project file's,
// every built-in connector's) are compiled at build time into plain functions
// (schema-validators.generated.ts, written by scripts/gen-validators.ts): compiling them with ajv at
// every start of the CLI was about a fifth of a cold `sisflow validate`. A schema nobody compiled
// ahead (a third-party connector's) is compiled here with the same options, loading ajv then.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import type { JsonSchema } from './schema.js';
import * as LANGUAGE_VALIDATORS from './schema-validators.generated.js';

/** The options every validator is compiled with, ahead of time or here. */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const satisfies Options;

/** The name of a schema's precompiled validator: a digest of its JSON, so an edited schema no longer matches. */
export function schemaKey(schema: JsonSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 24);
}

/** The prefix of each validator's export name in a generated module (`v_` + its schema's key). */
export const VALIDATOR_EXPORT_PREFIX = 'v_';

const precompiled = new Map<string, ValidateFunction>();
const bySchema = new WeakMap<JsonSchema, ValidateFunction>();

/** Makes a generated module's validators available (a package that ships schemas registers its own). */
export function addPrecompiledValidators(generated: Record<string, unknown>): void {
  for (const [name, fn] of Object.entries(generated)) {
    if (name.startsWith(VALIDATOR_EXPORT_PREFIX) && typeof fn === 'function') precompiled.set(name.slice(VALIDATOR_EXPORT_PREFIX.length), fn as ValidateFunction);
  }
}
addPrecompiledValidators(LANGUAGE_VALIDATORS);

let ajv: Ajv | undefined;

export function validatorFor(schema: JsonSchema): ValidateFunction {
  let v = bySchema.get(schema);
  if (!v) {
    v = precompiled.get(schemaKey(schema)) ?? compileNow(schema);
    bySchema.set(schema, v);
  }
  return v;
}

/** Compiles a schema nobody compiled ahead. optimize: false: its passes cost more than they save here. */
function compileNow(schema: JsonSchema): ValidateFunction {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new AjvClass({ ...AJV_OPTIONS, code: { optimize: false } });
  }
  return ajv.compile(schema);
}
