// The start-up snapshot of the checking verbs (validate, plan, schema) of the packed command.
//
// `node --snapshot-blob FILE --build-snapshot dist/cli-snapshot.cjs` runs this file (bundled by
// scripts/pack-cli.mjs) and saves V8's heap as it is when it ends: every module of the checking
// bundle loaded, the expression parser built, and the code of a validate, a plan and a schema run
// compiled. `node --snapshot-blob FILE dist/sisflow.cjs validate …` (what dist/sisflow, the
// launcher, runs once that file exists) then starts from that heap instead of loading and compiling
// the bundle, and calls the function below. It is made on the machine that runs it, by its own
// node, in the background after a first run (snapshot-build.ts), because a snapshot only loads in
// the node that made it.
//
// What the heap keeps must not depend on the process that made it: nothing here reads the
// terminal, the environment, the time or the folder when a module loads (io.ts asks for colours
// when it prints), and the runs below print nothing and read only the package's own examples.
import { startupSnapshot } from 'node:v8';
import { main } from './cli.js';
import './commands/plan.js';
import { examplePath } from './examples.js';
import type { Out } from './io.js';
import { startCommand } from './start.js';

const quiet: Out = { stdout: () => {}, stderr: () => {}, stderrRaw: () => {}, color: false, tty: false };

/** Runs each checking verb on the examples the package carries, so that their code is compiled in the snapshot. */
async function warmUp(): Promise<void> {
  const specs = ['destiny/patrons.yaml', 'siras/import.yaml', 'oneroster/csv-export.yaml'].map(examplePath);
  const codes = [await main(['validate', ...specs], quiet), await main(['plan', specs[0]!], quiet), await main(['plan', '--json', specs[2]!], quiet), await main(['schema'], quiet)];
  // A failed run compiled less, and says the package is damaged: the snapshot is not made.
  if (codes.some((c) => c !== 0)) throw new Error(`warming the snapshot up failed (exit codes ${codes.join(', ')})`);
}

startupSnapshot.setDeserializeMainFunction(startCommand);
// The snapshot is taken once this is done (node runs its event loop empty first); a failure exits
// non-zero, and node then writes no snapshot.
warmUp().catch((e: unknown) => {
  process.stderr.write(`sisflow: the start-up snapshot was not made: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
