// A RunContext for calling a connector outside a run (a doctor's probe, approving a held stage,
// a service reading a table): no rejects, counts or after-run actions are collected.
import type { RunContext } from './connector.js';

export function standaloneContext(o: { signal?: AbortSignal; baseDir?: string; startedAt?: Date; log?: (message: string) => void } = {}): RunContext {
  const log = o.log ?? (() => undefined);
  return {
    signal: o.signal ?? new AbortController().signal,
    baseDir: o.baseDir ?? '.',
    startedAt: (o.startedAt ?? new Date()).toISOString(),
    log,
    warn: log,
    reject: () => undefined,
    count: () => undefined,
    afterSuccess: () => undefined,
  };
}
