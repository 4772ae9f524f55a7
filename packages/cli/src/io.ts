// The CLI's contact with the outside: reading specs and plans, secrets from the environment,
// printing diagnostics. Kept here so commands stay short.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatDiagnostics, summarize, type Diagnostic, type JobPlan, type SourceText } from '@sisflow/core';

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** This CLI's version, from its package.json. */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

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

/** A spec file's bytes, or an SF100 diagnostic saying why it cannot be read. */
export function readSpecFile(path: string): { bytes?: Uint8Array; diagnostics: Diagnostic[] } {
  try {
    return { bytes: readFileSync(path), diagnostics: [] };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { diagnostics: [{ code: 'SF100', severity: 'error', message: `cannot read ${path}: ${why}`, hint: 'give the path of a .yaml spec' }] };
  }
}

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
  out.stderr(formatDiagnostics(diagnostics, { color: out.color, ...(source ? { sources: new Map([[file, source]]) } : {}) }));
  out.stderr(summarize(diagnostics));
}

/** The default lookup of `${env:…}` and `${secret:…}` lives in @sisflow/connectors (embedders use it too). */
export { environmentSecrets } from '@sisflow/connectors';

/** `--param k=v` (repeatable) into a record. */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new Error(`--param needs name=value, not "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}
