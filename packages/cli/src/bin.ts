#!/usr/bin/env node
// The `sisflow` executable: runs the CLI, turns Ctrl-C into a clean cancellation, and never
// shows a stack trace for a user's mistake (an unexpected error is reported as SF900).
import { fileURLToPath } from 'node:url';
import { startBundleFor } from './compile-cache.js';
import { applyHeapPolicy } from './heap-policy.js';
import { deferOptimizerFor } from './optimizer-deferral.js';

// The workspace's bundle of this command (scripts/cli-bundle.mjs), while it is current, starts
// several times faster from V8's code cache; it runs this same file, bundled (a checking verb,
// sisflow-check.cjs: the same without the other verbs' modules).
if (!startBundleFor(fileURLToPath(new URL('./sisflow.cjs', import.meta.url)), fileURLToPath(new URL('./sisflow-check.cjs', import.meta.url)))) start();

function start(): void {
  // Here, not at the top: bundled or not, the command starts through this function once.
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
