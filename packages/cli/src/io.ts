// The CLI's contact with the outside: reading specs and plans, secrets from the environment,
// printing diagnostics. Kept here so commands stay short.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSpecFile } from '@sisflow/service';
import { formatDiagnostics, summarize, type Diagnostic, type JobPlan, type SecretSource, type SourceText } from '@sisflow/core';

export { readSpecFile };

export const EXIT = { ok: 0, failed: 1, usage: 2, held: 3, cancelled: 130 } as const;

export interface Out {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Writes to stderr as is (no newline added): the progress line. */
  stderrRaw(text: string): void;
  color: boolean;
  /** stderr is a terminal: show progress. */
  tty: boolean;
}

export const processOut: Out = {
  stdout: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  stderr: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  stderrRaw: (t) => void process.stderr.write(t),
  color: !!process.stderr.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  tty: !!process.stderr.isTTY && process.env.TERM !== 'dumb' && process.env.CI !== 'true',
};

/** A job plan written by `sisflow plan --json`. */
export function readPlanFile(path: string): { plan?: JobPlan; diagnostics: Diagnostic[] } {
  const read = readSpecFile(path);
  if (!read.bytes) return { diagnostics: read.diagnostics };
  try {
    const plan = JSON.parse(Buffer.from(read.bytes).toString('utf8')) as JobPlan;
    if (plan?.planVersion !== 1 || !Array.isArray(plan.steps)) throw new Error('no planVersion 1');
    return { plan, diagnostics: [] };
  } catch (e) {
    return { diagnostics: [{ code: 'SF502', severity: 'error', message: `${path} is not a sisflow job plan (${(e as Error).message})`, hint: 'write one with `sisflow plan SPEC --json > plan.json`' }] };
  }
}

export function printDiagnostics(out: Out, diagnostics: Diagnostic[], file: string, source: SourceText | undefined): void {
  if (diagnostics.length === 0) return;
  out.stderr(formatDiagnostics(diagnostics, { color: out.color, ...(source ? { sources: new Map([[file, source], [source.file, source]]) } : {}) }));
  out.stderr(summarize(diagnostics));
}

/** `${env:NAME}` from the environment; `${secret:NAME}` from SISFLOW_SECRET_NAME or a file in SISFLOW_SECRETS_DIR. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): SecretSource {
  return {
    env: (name) => env[name],
    secret: (name) => {
      const direct = env[`SISFLOW_SECRET_${name}`];
      if (direct !== undefined) return direct;
      if (!env.SISFLOW_SECRETS_DIR) return undefined;
      try {
        return readFileSync(join(env.SISFLOW_SECRETS_DIR, name), 'utf8').replace(/\r?\n$/, '');
      } catch {
        return undefined;
      }
    },
  };
}

/** `--param k=v` (repeatable) into a record. */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new Error(`--param needs name=value, not "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}
