// @sisflow/cli as a library: run the command line in-process (tests, embedding).
export { main } from './cli.js';
export { EXIT, environmentSecrets, type Out } from './io.js';
export { outline } from './commands/plan.js';
export { describeReport } from './commands/run.js';
