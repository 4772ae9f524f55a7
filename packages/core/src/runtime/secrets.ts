// `${env:NAME}` and `${secret:NAME}` resolved at run time, and every resolved secret redacted
// from whatever the run prints, logs or reports.
import { REFERENCE } from '../check/references.js';
import type { Settings } from '../connector/connector.js';

export interface SecretSource {
  env(name: string): string | undefined;
  /** A secret's value: by default `SISFLOW_SECRET_<NAME>` or the file `<SISFLOW_SECRETS_DIR>/<NAME>`. */
  secret(name: string): string | undefined;
}

export class MissingReferenceError extends Error {}

/**
 * Removes every resolved secret from text, in the forms it can take on its way out: as written,
 * JSON-escaped, URL-encoded, hex, and base64/base64url, including where the secret sits inside a
 * longer base64 text at any offset (an SMTP server echoing `AUTH PLAIN` sends base64 of
 * `\0user\0password`; a key parser quotes decoded bytes).
 */
export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] | undefined;

  add(value: string): void {
    if (value.length < 3) return;
    for (const form of encodedForms(value)) if (form.length >= 3) this.values.add(form);
    this.sorted = undefined;
  }

  redact(text: string): string {
    if (this.values.size === 0) return text;
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join('***');
    return out;
  }

  /** A copy of a value (a report, a log record) with every text in it redacted, keys included. */
  redactDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.redact(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.redact(k), walk(x)]));
      }
      return v;
    };
    return walk(value) as T;
  }
}

const base64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

/** The texts a secret can appear as in output. */
export function encodedForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), encodeURIComponent(secret).replaceAll('%20', '+'), hex, hex.toUpperCase()]);
  // Inside a longer base64 text the secret's bytes start at offset 0, 1 or 2 of a 3-byte group:
  // for each, the characters that depend on the secret alone are a fixed text.
  for (let offset = 0; offset < 3; offset++) {
    const b64 = base64([...new Array<number>(offset).fill(0), ...bytes]);
    const start = offset === 0 ? 0 : offset + 1;
    const end = Math.floor(((offset + bytes.length) * 4) / 3);
    const inner = b64.slice(start, end);
    if (inner.length >= 4) {
      forms.add(inner);
      forms.add(inner.replaceAll('+', '-').replaceAll('/', '_'));
    }
  }
  const whole = base64([...bytes]);
  forms.add(whole);
  forms.add(whole.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_'));
  return [...forms];
}

/** The connection's settings with references replaced by values; secret values are added to the redactor. */
export function resolveSettings(settings: Settings, source: SecretSource, redactor: Redactor, where: string): Settings {
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(REFERENCE, (_m, kind: string, name: string) => {
        const value = kind === 'env' ? source.env(name) : source.secret(name);
        if (value === undefined) {
          const how = kind === 'env' ? `set the environment variable ${name}` : `set SISFLOW_SECRET_${name}, or put it in a file named ${name} under SISFLOW_SECRETS_DIR`;
          throw new MissingReferenceError(`${where} needs \${${kind}:${name}}, which has no value: ${how}`);
        }
        if (kind === 'secret') redactor.add(value);
        return value;
      });
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  return resolve(settings) as Settings;
}
