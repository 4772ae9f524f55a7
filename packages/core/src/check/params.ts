// Params: declared types, defaults, and values from a profile or the command line.
import type { ParamValue } from '../expr/check.js';
import { checkIsoDate, checkIsoDatetime } from '../expr/dates.js';
import { T, TYPE_NAMES, parseTypeName, typeToString, type Type } from '../expr/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { CheckContext } from './context.js';

export interface ParamOverrides {
  /** From the profile: typed YAML values. */
  profile?: Record<string, unknown>;
  profileName?: string;
  /** Typed values from a program or a spec-embedded test (`tests[].params`). */
  values?: Record<string, unknown>;
  /** From `--param k=v`: text to be read by the declared type. */
  cli?: Record<string, string>;
  /** The date that `today` defaults resolve to (injectable for reproducible plans). */
  today?: string;
}

export function resolveParams(ctx: CheckContext, overrides: ParamOverrides): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  const declared = ctx.spec.params ?? {};
  for (const [name, p] of Object.entries(declared)) {
    const type = parseTypeName(p.type);
    if (!type) {
      ctx.report('SF216', `unknown type \`${p.type}\` for parameter \`${name}\``, ['params', name, 'type'], didYouMean(p.type, TYPE_NAMES) ?? `types: ${TYPE_NAMES.join(', ')}`);
      continue;
    }
    const error = (code: 'SF211' | 'SF501', message: string) => ctx.diagnostics.push({ code, severity: 'error', message });
    const fromCli = overrides.cli?.[name];
    // Each layer overrides the one before: default, profile, typed values, command line.
    const layers: { value: unknown; fail: (why: string) => void }[] = [
      { value: p.default, fail: (why) => ctx.report('SF211', `the default of \`${name}\` is not ${typeToString(type)}: ${why}`, ['params', name, 'default']) },
      { value: overrides.profile?.[name], fail: (why) => ctx.report('SF211', `profile value of \`${name}\` is not ${typeToString(type)}: ${why}`, ['profiles', overrides.profileName ?? '', 'params', name]) },
      { value: overrides.values?.[name], fail: (why) => error('SF211', `the value given for \`${name}\` is not ${typeToString(type)}: ${why}`) },
      { value: fromCli === undefined ? undefined : parseCliValue(fromCli, type), fail: (why) => error('SF501', `--param ${name}=${fromCli}: not ${typeToString(type)}: ${why}`) },
    ];
    let value: unknown = null;
    let ok = true;
    for (const layer of layers) {
      if (layer.value === undefined) continue;
      const v = coerce(layer.value, type, overrides.today);
      if (v.ok) value = v.value;
      else {
        ok = false;
        layer.fail(v.why);
      }
    }
    if (ok && p.values && value !== null) {
      const allowed = p.values.map((x) => coerce(x, type.kind === 'list' ? type.element! : type, overrides.today)).filter((x) => x.ok).map((x) => (x as { value: unknown }).value);
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (!allowed.includes(item)) {
          ctx.report('SF211', `\`${name}\` may not be ${JSON.stringify(item)}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, ['params', name], didYouMean(String(item), allowed.map(String)));
        }
      }
    }
    if (ok && p.pattern !== undefined && value !== null) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(p.pattern, 'u');
      } catch (e) {
        ctx.report('SF114', `\`${p.pattern}\` is not a valid regular expression: ${(e as Error).message}`, ['params', name, 'pattern']);
      }
      for (const item of Array.isArray(value) ? value : [value]) {
        if (re && typeof item === 'string' && !re.test(item)) ctx.report('SF211', `\`${name}\` may not be ${JSON.stringify(item)}: it must match ${p.pattern}`, ['params', name], p.doc);
      }
    }
    if (ok && value === null && layers.every((l) => l.value === undefined)) {
      ctx.report('SF219', `parameter \`${name}\` has no default and no value`, ['params', name], `give it a default, or run with --param ${name}=…`);
    }
    out.set(name, { type: value === null ? { ...type, nullable: true } : type, value });
  }
  for (const name of Object.keys(overrides.profile ?? {})) {
    if (!(name in declared)) ctx.reportKey('SF210', `the profile sets \`${name}\`, which is not a declared parameter`, ['profiles', overrides.profileName ?? '', 'params', name], didYouMean(name, Object.keys(declared)));
  }
  for (const name of [...Object.keys(overrides.cli ?? {}), ...Object.keys(overrides.values ?? {})]) {
    if (!(name in declared)) {
      const hint = didYouMean(name, Object.keys(declared));
      ctx.diagnostics.push({ code: 'SF210', severity: 'error', message: `--param ${name}: the spec declares no such parameter`, ...(hint ? { hint } : {}) });
    }
  }
  return out;
}

/** Command-line text to a YAML-like value: lists are comma-separated. */
function parseCliValue(text: string, type: Type): unknown {
  if (type.kind === 'list') return text === '' ? [] : text.split(',').map((s) => s.trim());
  return text;
}

type Coerced = { ok: true; value: unknown } | { ok: false; why: string };

/** Reads a YAML or CLI value as the declared type (CLI text becomes numbers/booleans here). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

export function coerce(v: unknown, type: Type, today?: string): Coerced {
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
      const s = v instanceof Date ? v.toISOString().slice(0, 10) : v === 'today' && today ? today : v;
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
