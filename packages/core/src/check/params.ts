// Params: declared types, defaults, and values from a profile or the command line.
import type { ParamValue } from '../expr/check.js';
import { checkIsoDate, checkIsoDatetime } from '../expr/dates.js';
import { T, TYPE_NAMES, parseTypeName, typeSynonym, typeToString, type Type } from '../expr/types.js';
import { diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { CheckContext } from './context.js';
import type { ParamSpec } from '../spec/spec.js';

export interface ParamOverrides {
  /** From the profile: typed YAML values. */
  profile?: Record<string, unknown>;
  profileName?: string;
  /** Typed values from a program or a spec-embedded test (`tests[].params`). */
  values?: Record<string, unknown>;
  /** From `--param k=v`: text to be read by the declared type. */
  cli?: Record<string, unknown>;
  /**
   * The date that `today` defaults resolve to (injectable for reproducible plans); a function is
   * called only when a value says `today` (reading the clock in a time zone loads ICU's data).
   */
  today?: Today;
}

/** A date, or how to learn it when it is needed. */
export type Today = string | (() => string);

export function resolveParams(ctx: CheckContext, overrides: ParamOverrides): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  const declared = ctx.spec.params ?? {};
  for (const [name, p] of Object.entries(declared)) {
    const type = parseTypeName(p.type);
    if (!type) {
      ctx.report('SF216', `unknown type \`${p.type}\` for parameter \`${name}\``, ['params', name, 'type'], (typeSynonym(p.type) ? `did you mean \`${typeSynonym(p.type)}\`?` : undefined) ?? didYouMean(p.type, TYPE_NAMES) ?? `types: ${TYPE_NAMES.join(', ')}, with ? for one that may be null`);
      // Known to exist, of no known type: what uses it is not reported again.
      out.set(name, { type: T.any, value: null, unresolved: true });
      continue;
    }
    const error = (code: 'SF211' | 'SF501', message: string, hint?: string) => ctx.diagnostics.push(diagnostic(code, message, { hint }));
    const fromCli = overrides.cli?.[name];
    const expected = describeParam(p, type);
    // Each layer overrides the one before: default, profile, typed values, command line. A value that
    // breaks the parameter's `pattern:` or `values:` is reported where that value is written.
    const profilePath = ['profiles', overrides.profileName ?? '', 'params', name];
    const layers: { value: unknown; fail: (why: string, hint?: string) => void }[] = [
      { value: p.default, fail: (why, hint) => ctx.report('SF211', `the default of \`${name}\` is not ${expected}: ${why}`, ['params', name, 'default'], hint) },
      { value: overrides.profile?.[name], fail: (why, hint) => ctx.report('SF211', `profile \`${overrides.profileName}\` sets \`${name}\` to a value that is not ${expected}: ${why}`, profilePath, hint) },
      { value: overrides.values?.[name], fail: (why, hint) => error('SF211', `the value given for \`${name}\` is not ${expected}: ${why}`, hint) },
      { value: fromCli === undefined ? undefined : parseCliValue(fromCli, type), fail: (why, hint) => error('SF501', `--param ${name}=${typeof fromCli === 'string' ? fromCli : JSON.stringify(fromCli)}: not ${expected}: ${why}`, hint ?? `write --param ${name}=${exampleOf(p, type)}`) },
    ];
    let value: unknown = null;
    let ok = true;
    for (const layer of layers) {
      if (layer.value === undefined) continue;
      const v = checkParamValue(p, type, layer.value, overrides.today);
      if (v.ok) value = v.value;
      else {
        ok = false;
        layer.fail(v.why, v.hint);
      }
    }
    if (ok && value === null && layers.every((l) => l.value === undefined)) {
      ctx.reportKey('SF219', `parameter \`${name}\` has no default and no value`, ['params', name], `give it a default, or run with --param ${name}=${exampleOf(p, type)}`);
      ok = false;
    }
    out.set(name, { type: value === null ? { ...type, nullable: true } : type, value, ...(ok ? {} : { unresolved: true }) });
  }
  for (const name of Object.keys(overrides.profile ?? {})) {
    if (!(name in declared)) ctx.reportKey('SF210', `the profile sets \`${name}\`, which is not a declared parameter`, ['profiles', overrides.profileName ?? '', 'params', name], didYouMean(name, Object.keys(declared)));
  }
  for (const name of [...Object.keys(overrides.cli ?? {}), ...Object.keys(overrides.values ?? {})]) {
    if (!(name in declared)) {
      const hint = didYouMean(name, Object.keys(declared)) ?? (Object.keys(declared).length ? `its parameters: ${Object.keys(declared).join(', ')}` : 'the spec declares no parameters');
      ctx.diagnostics.push(diagnostic('SF210', `--param ${name}: the spec declares no such parameter`, { hint }));
    }
  }
  return out;
}

/** Command-line text to a YAML-like value: lists are comma-separated. */
function parseCliValue(text: unknown, type: Type): unknown {
  if (typeof text !== 'string') return text; // a program's typed value
  if (type.kind === 'list') return text === '' ? [] : text.split(',').map((s) => s.trim());
  return text;
}

type Coerced = { ok: true; value: unknown } | { ok: false; why: string; hint?: string };

/** "a list<int>", or what `values:`/`pattern:` narrow it to, for messages. */
function describeParam(p: ParamSpec, type: Type): string {
  return typeToString(type);
}

/** A value for the command line or a profile that the parameter accepts, for hints. */
export function exampleOf(p: ParamSpec, type: Type): string {
  const one = (t: Type): string => (p.values?.length ? String(p.values[0]) : t.kind === 'int' ? '1' : t.kind === 'decimal' ? '1.5' : t.kind === 'bool' ? 'true' : t.kind === 'date' ? '2026-08-20' : t.kind === 'datetime' ? '2026-08-20T05:30:00' : 'text');
  return type.kind === 'list' ? `${one(type.element ?? T.any)},${one(type.element ?? T.any)}` : one(type);
}

/**
 * Reads a value as the parameter's type and checks it against its `values:` and `pattern:`:
 * the one check for defaults, every profile's values, spec tests' params and the command line.
 */
export function checkParamValue(p: ParamSpec, type: Type, raw: unknown, today?: Today): Coerced {
  const v = coerce(raw, type, today);
  if (!v.ok) return { ...v, hint: v.hint ?? hintFor(p, type) };
  if (v.value === null) return v;
  const items = Array.isArray(v.value) ? v.value : [v.value];
  if (p.values) {
    const allowed = p.values.map((x) => coerce(x, type.kind === 'list' ? type.element! : type, today)).filter((x) => x.ok).map((x) => (x as { value: unknown }).value);
    for (const item of items) {
      if (!allowed.includes(item)) {
        return { ok: false, why: `${JSON.stringify(item)} is not one of its values (${allowed.map((a) => JSON.stringify(a)).join(', ')})`, hint: didYouMean(String(item), allowed.map(String)) ?? `allowed: ${allowed.map(String).join(', ')}` };
      }
    }
  }
  if (p.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(p.pattern, 'u');
    } catch {
      return v; // the pattern itself is reported at `pattern:`
    }
    for (const item of items) {
      if (typeof item === 'string' && !re.test(item)) {
        return { ok: false, why: `${JSON.stringify(item)} does not have the required form`, hint: p.doc ? `expected: ${p.doc}` : `it must match the pattern ${p.pattern}` };
      }
    }
  }
  return v;
}

function hintFor(p: ParamSpec, type: Type): string {
  return type.kind === 'list' ? `write a list, e.g. [${exampleOf(p, type).split(',').join(', ')}]` : `write a value such as ${exampleOf(p, type)}`;
}

/** Reports a `pattern:` that is not a regular expression, once per parameter. */
export function checkParamPatterns(ctx: CheckContext): void {
  for (const [name, p] of Object.entries(ctx.spec.params ?? {})) {
    if (p.pattern === undefined) continue;
    try {
      new RegExp(p.pattern, 'u');
    } catch (e) {
      ctx.report('SF114', `\`${p.pattern}\` is not a valid regular expression: ${(e as Error).message}`, ['params', name, 'pattern'], "e.g. '^\\d{7}$' for seven digits; inside double quotes write a backslash as \\\\");
    }
  }
}

/** Reads a YAML or CLI value as the declared type (CLI text becomes numbers/booleans here). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

export function coerce(v: unknown, type: Type, today?: Today): Coerced {
  if (v === null) return type.nullable ? { ok: true, value: null } : { ok: false, why: 'null is not allowed' };
  switch (type.kind) {
    case 'list': {
      if (!Array.isArray(v)) return { ok: false, why: `expected a list, got ${JSON.stringify(v)}` };
      const out: unknown[] = [];
      for (const item of v) {
        const c = coerce(item, type.element ?? T.any, today);
        if (!c.ok) return c;
        out.push(c.value);
      }
      return { ok: true, value: out };
    }
    case 'int': {
      const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : v;
      return typeof n === 'number' && Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, why: `${JSON.stringify(v)} is not a whole number` };
    }
    case 'decimal': {
      const n = typeof v === 'string' && /^[+-]?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, why: `${JSON.stringify(v)} is not a number` };
    }
    case 'bool':
      if (typeof v === 'boolean') return { ok: true, value: v };
      if (v === 'true' || v === 'false') return { ok: true, value: v === 'true' };
      return { ok: false, why: `${JSON.stringify(v)} is not true or false` };
    case 'string':
      if (typeof v === 'string' && CONTROL.test(v)) return { ok: false, why: `${JSON.stringify(v)} contains a control character (a line break, a tab, …), which would split a file name, a header or a report line` };
      return typeof v === 'string' || typeof v === 'number' ? { ok: true, value: String(v) } : { ok: false, why: `${JSON.stringify(v)} is not text` };
    case 'date': {
      const s = v instanceof Date ? v.toISOString().slice(0, 10) : v === 'today' && today ? (typeof today === 'function' ? today() : today) : v;
      return typeof s === 'string' && checkIsoDate(s) ? { ok: true, value: s } : { ok: false, why: `${JSON.stringify(v)} is not a date (YYYY-MM-DD or today)` };
    }
    case 'datetime': {
      const s = v instanceof Date ? v.toISOString().slice(0, 19) : v;
      return typeof s === 'string' && checkIsoDatetime(s) ? { ok: true, value: s } : { ok: false, why: `${JSON.stringify(v)} is not a datetime` };
    }
    default:
      return { ok: true, value: v };
  }
}
