// Where `${env:NAME}` and `${secret:NAME}` get their values by default: the process environment,
// and for secrets SISFLOW_SECRET_<NAME> or a file <NAME> in SISFLOW_SECRETS_DIR (a folder only the
// service account can read). The CLI, `serve` and embedding programs share this one lookup.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretSource } from '@sisflow/core';

/**
 * The default secret source. A secret named `destiny_sftp_password` is found as
 * `SISFLOW_SECRET_destiny_sftp_password` or, as every OS writes environment variables,
 * `SISFLOW_SECRET_DESTINY_SFTP_PASSWORD` (likewise a file `destiny_sftp_password` or
 * `DESTINY_SFTP_PASSWORD`); two spellings with different values are an error, never a guess.
 */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): SecretSource {
  const fromFile = (name: string): string | undefined => {
    if (!env.SISFLOW_SECRETS_DIR) return undefined;
    try {
      return readFileSync(join(env.SISFLOW_SECRETS_DIR, name), 'utf8').replace(/\r?\n$/, '');
    } catch {
      return undefined;
    }
  };
  const one = (name: string, what: string, lookup: (n: string) => string | undefined): string | undefined => {
    const spellings = [...new Set([name, name.toUpperCase()])];
    const found = spellings.map((n) => [n, lookup(n)] as const).filter(([, v]) => v !== undefined);
    if (new Set(found.map(([, v]) => v)).size > 1) {
      throw new Error(`the secret ${name} is given twice with different values (${found.map(([n]) => what.replace('NAME', n)).join(' and ')}); keep one`);
    }
    return found[0]?.[1];
  };
  return {
    env: (name) => env[name],
    secret: (name) => one(name, 'SISFLOW_SECRET_NAME', (n) => env[`SISFLOW_SECRET_${n}`]) ?? one(name, `the file NAME in SISFLOW_SECRETS_DIR`, fromFile),
  };
}
