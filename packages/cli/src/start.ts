// How the `sisflow` command starts, once its code is loaded: from the workspace build, from a
// bundle (compile-cache.ts), or from a start-up snapshot (snapshot-entry.ts). Turns Ctrl-C into a
// clean cancellation, and never shows a stack trace for a user's mistake (an unexpected error is
// reported as SF900).
import { applyHeapPolicy } from './heap-policy.js';
import { deferOptimizerFor } from './optimizer-deferral.js';

export function startCommand(): void {
  applyHeapPolicy();
  deferOptimizerFor(process.argv.slice(2));
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (name: string) => () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${name}: cancelling (temporary files are removed; press Ctrl-C again to quit at once)\n`);
    controller.abort(new Error(`cancelled by ${name}`));
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));
  // The reader of stdout went away (`sisflow test | head`): what is left to print has nowhere to go.
  // Cancel cleanly, as Ctrl-C would, instead of dying of an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    if (!controller.signal.aborted) controller.abort(new Error('stdout was closed by its reader'));
  });

  import('./cli.js')
    .then(({ main }) => main(process.argv.slice(2), undefined, controller.signal))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`error SF900: internal error: ${e instanceof Error ? e.message : String(e)}\n  please report it with the spec that caused it\n`);
        if (process.env.SISFLOW_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
        process.exitCode = 2;
      },
    );
}
