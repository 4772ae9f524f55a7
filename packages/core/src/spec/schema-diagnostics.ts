// Validates a value against a JSON Schema with ajv and maps each error back to the YAML node that caused it.
import { createHash } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Locator, Path } from './locate.js';
import { typeSynonym } from '../expr/types.js';
import type { JsonSchema } from './schema.js';
import { validatorFor } from './schema-validator.js';

/** Which code each kind of schema failure gets: the language's SF11x or a connector's SF40x. */
export interface SchemaCodes {
  unknownKey: DiagnosticCode;
  missing: DiagnosticCode;
  type: DiagnosticCode;
  notAllowed: DiagnosticCode;
  form: DiagnosticCode;
  range: DiagnosticCode;
}

export const LANGUAGE_CODES: SchemaCodes = {
  unknownKey: 'SF110',
  missing: 'SF111',
  type: 'SF112',
  notAllowed: 'SF113',
  form: 'SF114',
  range: 'SF115',
};

export const CONNECTOR_CODES: SchemaCodes = {
  unknownKey: 'SF401',
  missing: 'SF402',
  type: 'SF403',
  notAllowed: 'SF404',
  form: 'SF405',
  range: 'SF406',
};

export interface SchemaCheck {
  value: unknown;
  schema: JsonSchema;
  locator: Locator;
  /** Where the value sits in the spec. */
  base: Path;
  codes: SchemaCodes;
  /** Names the thing being configured in messages, e.g. "the sftp connector". */
  subject?: string;
  /**
   * Values that are only a `${env:…}`/`${secret:…}` reference are known at run time: their type
   * and form are not checked here (the connector checks the resolved value).
   */
  isReference?: (value: unknown) => boolean;
}

/** Keywords about a value's own type or form, which a reference cannot satisfy before it is resolved. */
const VALUE_KEYWORDS = new Set(['type', 'pattern', 'format', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'oneOf', 'anyOf']);

export function schemaDiagnostics(check: SchemaCheck): Diagnostic[] {
  const validate = validatorFor(check.schema);
  if (validate(check.value)) return [];
  const errors = pruneBranchNoise(validate.errors ?? []).filter((e) => !(check.isReference && VALUE_KEYWORDS.has(e.keyword) && check.isReference(e.data)));
  const out: Diagnostic[] = [];
  for (const e of errors) {
    const d = mapError(e, check);
    if (d) out.push(d);
  }
  return out;
}

/** Drops the per-branch errors of a failed oneOf and the bare "if" errors; the oneOf error itself says it better. */
function pruneBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.schemaPath);
  return errors.filter((e) => {
    if (e.keyword === 'if') return false;
    return !oneOfs.some((p) => e.schemaPath !== p && e.schemaPath.startsWith(p + '/'));
  });
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function displayPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(top level)';
}

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return `a ${typeof v}`;
}

function describeSchemaType(s: unknown): string {
  const schema = s as JsonSchema | undefined;
  if (!schema) return 'a value';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const t = schema.type;
  const one = (x: unknown) =>
    x === 'integer' ? 'an integer' : x === 'array' ? 'a list' : x === 'object' ? 'a mapping' : x === 'boolean' ? 'a boolean' : x === 'number' ? 'a number' : `a ${String(x)}`;
  if (Array.isArray(t)) return t.map(one).join(' or ');
  if (t) return one(t);
  const alts = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (alts) return alts.map(describeSchemaType).join(' or ');
  return 'a value';
}

function mapError(e: ErrorObject, check: SchemaCheck): Diagnostic | undefined {
  const { locator, codes } = check;
  const rel = pointerToPath(e.instancePath);
  const path = [...check.base, ...rel];
  const where = displayPath(path);
  const subject = check.subject ? ` of ${check.subject}` : '';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(((e.parentSchema as JsonSchema | undefined)?.properties as object | undefined) ?? {});
      return diagnostic(codes.unknownKey, `unknown key \`${key}\` in ${where}${subject}`, {
        span: locator.keySpan([...path, key]),
        hint: didYouMean(key, known) ?? (known.length ? `known keys: ${known.join(', ')}` : undefined),
      });
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return diagnostic(codes.missing, `${where}${subject} is missing the required key \`${key}\``, {
        span: locator.keySpan(path),
        hint: `add \`${key}:\` to ${where}`,
      });
    }
    case 'type':
    case 'oneOf':
    case 'anyOf': {
      const shape = e.keyword === 'type' ? (e.parentSchema as JsonSchema | undefined) : e.schema === true ? undefined : { oneOf: e.schema };
      // Alternatives that say what they are ("a number of rows", "a share of the rows read") say it better than their types.
      const alts = ((shape?.oneOf ?? shape?.anyOf) as JsonSchema[] | undefined)?.map((a) => (typeof a.description === 'string' ? a.description.split(/,? e\.g\./)[0]!.trim() : undefined));
      const expected = alts?.every((a) => a) ? alts.join(' or ') : describeSchemaType(shape);
      const got = typeof e.data === 'string' || typeof e.data === 'number' || typeof e.data === 'boolean' ? JSON.stringify(e.data) : typeOfValue(e.data);
      return diagnostic(codes.type, `${where} must be ${expected}, not ${got}`, { span: locator.valueSpan(path), hint: exampleHint(path, shape, e.data) });
    }
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      const isVersion = check.base.length === 0 && rel.length === 1 && rel[0] === 'sisflow';
      return diagnostic(isVersion ? 'SF116' : codes.notAllowed, `${where} must be ${JSON.stringify(allowed)}, not ${JSON.stringify(e.data)}`, {
        span: locator.valueSpan(path),
        hint: isVersion ? 'this sisflow reads language version 1: write `sisflow: 1`' : `write \`${String(path[path.length - 1])}: ${JSON.stringify(allowed)}\``,
      });
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return diagnostic(codes.notAllowed, `${where} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(e.data)}`, {
        span: locator.valueSpan(path),
        hint: (typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined) ?? `allowed: ${allowed.map(String).join(', ')}`,
      });
    }
    case 'propertyNames':
      return undefined; // the nested error that names the property reports it
    case 'pattern':
    case 'format':
    case 'minLength':
    case 'maxLength': {
      const pn = (e as ErrorObject & { propertyName?: string }).propertyName;
      if (pn !== undefined) {
        return diagnostic(codes.form, `the name \`${pn}\` in ${where} is not a valid name`, {
          span: locator.keySpan([...path, pn]),
          hint: 'names start with a letter or `_` and hold only letters, digits and `_`',
        });
      }
      const described = (e.parentSchema as { description?: unknown } | undefined)?.description;
      if (e.keyword === 'pattern' && typeof e.data === 'string') {
        const known = formHint(e.data, path);
        if (known) return diagnostic(codes.form, known.message, { span: locator.valueSpan(path), hint: known.hint });
        // A sentence says it better than the regular expression.
        const words = /^\^\(([\w|-]+)\)(\\\?\?)?\$$/.exec((e.params as { pattern: string }).pattern);
        if (words) {
          const allowed = words[1]!.split('|');
          const optional = words[2] !== undefined;
          return diagnostic(codes.form, `${where} must be one of ${allowed.join(', ')}${optional ? ', with ? for one that may be null' : ''}, not ${JSON.stringify(e.data)}`, {
            span: locator.valueSpan(path),
            hint: (typeSynonym(e.data) && allowed.includes(typeSynonym(e.data)!.replace(/\?$/, '')) ? `did you mean \`${typeSynonym(e.data)}\`?` : undefined) ?? didYouMean(e.data.replace(/\?$/, ''), allowed)?.replace(/`\?$/, `${optional && e.data.endsWith('?') ? '?' : ''}\`?`) ?? `write one of ${allowed.join(', ')}`,
          });
        }
        if (typeof described === 'string') {
          return diagnostic(codes.form, `${where} is not ${describedForm(described)}: ${JSON.stringify(e.data)}`, { span: locator.valueSpan(path), hint: patternHint(path) ?? `expected: ${described}` });
        }
      }
      const form =
        e.keyword === 'pattern'
          ? `match ${(e.params as { pattern: string }).pattern}`
          : e.keyword === 'minLength'
            ? `be at least ${(e.params as { limit: number }).limit} character(s) long`
            : e.keyword === 'maxLength'
              ? `be at most ${(e.params as { limit: number }).limit} characters long`
              : `be a valid ${(e.params as { format: string }).format}`;
      return diagnostic(codes.form, `${where} must ${form}`, { span: locator.valueSpan(path), hint: patternHint(path) ?? (typeof described === 'string' ? `expected: ${described}` : undefined) });
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const { limit, comparison } = e.params as { limit: number; comparison?: string };
      const what =
        e.keyword.endsWith('Items') ? `${e.keyword.startsWith('min') ? 'at least' : 'at most'} ${limit} item(s)`
        : e.keyword.endsWith('Properties') ? `${e.keyword.startsWith('min') ? 'at least' : 'at most'} ${limit} entr${limit === 1 ? 'y' : 'ies'}`
        : `${comparison ?? ''} ${limit}`.trim();
      const described = (e.parentSchema as { description?: unknown } | undefined)?.description;
      return diagnostic(codes.range, `${where} must ${e.keyword.includes('Items') || e.keyword.includes('Properties') ? 'have' : 'be'} ${what}`, {
        span: locator.valueSpan(path),
        hint: typeof described === 'string' ? `expected: ${described}` : e.keyword.endsWith('Items') ? `give ${what}` : `use a value ${what}`,
      });
    }
    default:
      return diagnostic(codes.form, `${where}: ${e.message ?? 'invalid value'}`, { span: locator.valueSpan(path), hint: 'see docs/spec-language.md and docs/connectors.md for the form of each key' });
  }
}

/** "the server's host key fingerprint, SHA256:…" → "a host key fingerprint"-like wording for messages. */
function describedForm(description: string): string {
  const head = description.split(/[,;:(]| e\.g\./)[0]!.trim();
  return /^(a|an|the)\b/i.test(head) ? head : `a valid ${head}`;
}

/** Values whose mistake is recognisable, with a message and fix of their own. */
function formHint(value: string, path: Path): { message: string; hint: string } | undefined {
  const key = String(path[path.length - 1] ?? path[path.length - 2] ?? '');
  const where = displayPath(path);
  const pasted = /^(ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+)\s+([A-Za-z0-9+/]+={0,2})/.exec(value.trim());
  if (pasted) {
    const bytes = Buffer.from(pasted[2]!, 'base64');
    const fp = `SHA256:${createHash('sha256').update(bytes).digest('base64').replace(/=+$/, '')}`;
    return {
      message: `${where} is a pasted ${pasted[1]} public key, not its fingerprint`,
      hint: `write its fingerprint, \`${fp}\`, the way \`sisflow sftp fingerprint HOST\` prints it`,
    };
  }
  if (/host_key/.test(where) || key === 'host_key') {
    return { message: `${where} is not a host key fingerprint: ${JSON.stringify(value)}`, hint: 'write it as `sisflow sftp fingerprint HOST` prints it: SHA256: and 43 characters' };
  }
  if (/^http:\/\//i.test(value)) return { message: `${where} uses http://; sisflow only talks HTTPS to services`, hint: `write ${JSON.stringify(value.replace(/^http:/i, 'https:'))}` };
  return undefined;
}

/** An example of a value of this shape, as the hint of a type error. */
function exampleHint(path: Path, shape: JsonSchema | undefined, got: unknown): string {
  const key = String(path[path.length - 1] ?? 'key');
  const described = shape?.description;
  const alts = ((shape?.oneOf ?? shape?.anyOf) as JsonSchema[] | undefined) ?? [shape ?? {}];
  const examples = alts.map((a) => exampleOfShape(a, key)).filter((x) => x !== undefined);
  const one = examples.length ? `write it like \`${key}: ${examples.join('` or `' + key + ': ')}\`` : `write ${describeSchemaType(shape)}`;
  const why = typeof got === 'string' && /^\$\{param:/.test(got) ? '; a parameter reference is replaced by its value only when it is the whole value' : '';
  return `${one}${typeof described === 'string' ? ` (${described})` : ''}${why}`;
}

function exampleOfShape(s: JsonSchema, key: string): string | undefined {
  const d = typeof s.description === 'string' ? /e\.g\.\s*([^;,)]+)/.exec(s.description)?.[1]?.trim() : undefined;
  if (d) return d;
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  if (s.enum) return String((s.enum as unknown[])[0]);
  switch (t) {
    case 'integer':
      return typeof s.minimum === 'number' ? String(Math.max(s.minimum, 1)) : '10';
    case 'number':
      return '1.5';
    case 'boolean':
      return 'true';
    case 'array':
      return '[a, b]';
    case 'object':
      return '{ … }';
    case 'string':
      return key === 'type' ? 'string' : 'text';
    default:
      return undefined;
  }
}

function patternHint(path: Path): string | undefined {
  if (path.length === 1 && path[0] === 'name') return 'use lower case letters, digits and dashes, e.g. `destiny-patrons`';
  return undefined;
}
