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

export class Redactor {
  private readonly values = new Set<string>();
  add(value: string): void {
    if (value.length >= 3) this.values.add(value);
  }
  redact(text: string): string {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
    return out;
  }
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
