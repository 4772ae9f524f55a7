// The CLI's contact with the outside: reading specs and plans, secrets from the environment,
// printing diagnostics. Kept here so commands stay short.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readSpecFile } from '@sisflow/service/project';
import { formatDiagnostics, summarize, type Diagnostic, type JobPlan, type SourceText } from '@sisflow/core';

export { readSpecFile };

export const EXIT = { ok: 0, failed: 1, usage: 2, held: 3, cancelled: 130 } as const;

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
  // Asked when used, not when this module loads: the start-up snapshot (snapshot-entry.ts) loads
  // it in another process, with another terminal and environment.
  get color() {
    return !!process.stderr.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  },
  get tty() {
    return !!process.stderr.isTTY && process.env.TERM !== 'dumb' && process.env.CI !== 'true';
  },
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

/** Every verb's `--json` (or its alias `--format json`): the result as one JSON document on stdout. */
export interface JsonFlag {
  json?: boolean;
}

/**
 * Problems that stopped a verb before it had a result: printed for people on stderr and, with
 * `--json`, also as `{ "ok": false, … }` on stdout so a script reading stdout always gets JSON.
 */
export function printFailure(out: Out, flags: JsonFlag, problem: { message?: string; diagnostics?: Diagnostic[]; file?: string; source?: SourceText }): void {
  if (problem.diagnostics) printDiagnostics(out, problem.diagnostics, problem.file ?? '', problem.source);
  if (problem.message) out.stderr(problem.message);
  if (flags.json) out.stdout(JSON.stringify({ ok: false, ...(problem.message ? { error: problem.message } : {}), ...(problem.diagnostics ? { diagnostics: problem.diagnostics } : {}) }, null, 2));
}

/**
 * A verb run over several specs (a project folder) with `--json`: each one's JSON result is
 * gathered into one array on stdout, so stdout stays a single JSON document.
 */
export async function eachAsJson<T extends number>(out: Out, items: string[], each: (item: string, out: Out) => T | Promise<T>, combine: (codes: T[]) => T): Promise<T> {
  const results: unknown[] = [];
  const codes: T[] = [];
  for (const item of items) {
    const texts: string[] = [];
    codes.push(await each(item, { ...out, stdout: (t) => void texts.push(t) }));
    results.push(...texts.map((t) => JSON.parse(t) as unknown));
  }
  out.stdout(JSON.stringify(results, null, 2));
  return combine(codes);
}

/** The default lookup of `${env:…}` and `${secret:…}` lives in @sisflow/connectors (embedders use it too). */
export { environmentSecrets } from '@sisflow/connectors/secrets';

/** `--param k=v` (repeatable) into a record. */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new Error(`--param needs name=value, not "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}
