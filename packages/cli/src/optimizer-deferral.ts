// Checking a spec is over in a fraction of a second, most of it spent running code once (reading
// the YAML, building the expression parser, checking). V8's optimizing compiler (TurboFan) still
// compiles what runs hot in that time, on its own threads, for a process about to exit: a third of
// the CPU time of a cold `sisflow validate` of the Destiny example (1.02 G instructions with it,
// 0.68 G without, counted by valgrind; issue 24). The verbs that only check or describe a spec
// start with it off; a verb that goes on to more work turns it on again (`validate` of several
// specs, after the first). Nothing else changes: the interpreter and the baseline compiler run the
// same code, and the output is the same.
//
// Only the executable does this, never the libraries, and never when node itself was given an
// optimizer flag (on its command line or in NODE_OPTIONS). A V8 code cache records the flags it
// was made under: compile-cache.ts makes its cache with the optimizer at V8's default.
import { setFlagsFromString } from 'node:v8';

/** The verbs that start with the optimizing compiler off (and from the checking bundle, compile-cache.ts). */
export const CHECK_VERBS: ReadonlySet<string> = new Set(['validate', 'plan', 'schema']);

/** The verb of a command line: its first word that is not an option. */
export function verbOf(args: string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

/**
 * Whether this process turned the optimizer off. Kept on the process, not in this module: the
 * command's loader and its bundle each hold a copy of this module, and V8's flags are the process's.
 */
const state: { deferred: boolean } = ((globalThis as { [k: symbol]: { deferred: boolean } })[Symbol.for('sisflow.optimizerDeferred')] ??= { deferred: false });

/** Turns the optimizing compiler off for a checking verb (the first word of `args` that is not an option). */
export function deferOptimizerFor(args: string[], env: NodeJS.ProcessEnv = process.env, nodeFlags: string[] = [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)]): void {
  const verb = verbOf(args);
  if (!verb || !CHECK_VERBS.has(verb) || state.deferred) return;
  if (nodeFlags.some((f) => /^--(no-)?(opt|turbofan|always-turbofan|always-opt|maglev)(=|$)/.test(f.replaceAll('_', '-')))) return;
  setFlagsFromString('--no-turbofan');
  state.deferred = true;
}

/** Turns the optimizing compiler on again (a checking verb that has more work ahead). */
export function resumeOptimizer(): void {
  if (!state.deferred) return;
  setFlagsFromString('--turbofan');
  state.deferred = false;
}

/** Runs `fn` with the optimizer at V8's default, as it was when the process started. */
export function underDefaultOptimizer<T>(fn: () => T): T {
  if (!state.deferred) return fn();
  setFlagsFromString('--turbofan');
  try {
    return fn();
  } finally {
    setFlagsFromString('--no-turbofan');
  }
}
