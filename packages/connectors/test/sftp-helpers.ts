// Shared by the SFTP tests: compile and run a spec with the real connectors, and list a folder.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { compile, runPlan, type RunOptions, type RunContext } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';

export const registry = defaultRegistry();

export async function runSpec(text: string, secrets: Record<string, string>, runOptions: Partial<RunOptions> & { baseDir: string; params?: Record<string, string> }) {
  const { params, ...options } = runOptions;
  const compiled = compile(text, join(options.baseDir, 'spec.yaml'), { registry, today: '2026-11-23', ...(params ? { params } : {}) });
  assert.equal(compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`), []);
  const logs: string[] = [];
  const result = await runPlan(compiled.plan!, {
    registry,
    secrets: { env: () => undefined, secret: (n) => secrets[n] },
    log: (l) => logs.push(l),
    ...options,
  });
  return { ...result, logs };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Every name in a folder, sorted, hidden ones included (temporary files start with a dot). */
export async function names(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

/** A run context for calling connector parts directly. */
export function context(signal = new AbortController().signal) {
  const events: Record<string, number> = {};
  const logs: string[] = [];
  const warnings: string[] = [];
  const after: (() => Promise<void>)[] = [];
  const ctx: RunContext = {
    signal,
    baseDir: '.',
    log: (m) => logs.push(m),
    warn: (m) => warnings.push(m),
    reject: () => undefined,
    count: (e, n = 1) => (events[e] = (events[e] ?? 0) + n),
    startedAt: '2026-11-23T05:30:00.000Z',
    absent: () => undefined,
    afterSuccess: (_k, a) => void after.push(a),
  };
  return { ctx, events, logs, warnings, after };
}
