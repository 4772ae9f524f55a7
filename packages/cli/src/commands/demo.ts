// `sisflow demo`: the whole thing in one command — validate, test and run the Destiny example on
// the built-in demo district, then show what was written. `--reset` starts the district over.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoDatabase, demoFolder, resetDemo } from '@sisflow/connectors';
import { EXIT, type Out } from '../io.js';
import { run } from './run.js';
import { test } from './test.js';
import { validate } from './validate.js';

export const DEMO_SPEC = fileURLToPath(new URL('../../../../examples/destiny/patrons.yaml', import.meta.url));

export async function demo(flags: { reset?: boolean }, out: Out, signal?: AbortSignal): Promise<number> {
  // The demo database is the project folder's, found from here (like the run below).
  if (flags.reset) {
    const removed = resetDemo(process.cwd());
    out.stdout(removed.length > 0 ? `removed ${removed.join(', ')}` : `no demo database in ${demoFolder(process.cwd())}`);
    out.stdout(`the next run on the demo district starts from a freshly generated ${demoDatabase(process.cwd())}`);
    return EXIT.ok;
  }
  out.stdout(`sisflow demo: ${DEMO_SPEC}\n`);
  out.stdout('1. validate');
  if (validate([DEMO_SPEC], {}, out) !== EXIT.ok) return EXIT.failed;
  out.stdout('\n2. the spec\'s own tests');
  if ((await test([DEMO_SPEC], {}, out)) !== EXIT.ok) return EXIT.failed;
  out.stdout(`\n3. run on the demo district (SQLite, generated on first use: ${demoDatabase(process.cwd())}), into ./out`);
  // Relative paths of the spec's connections resolve against the current folder: ./out/patrons.csv.
  const code = await run(DEMO_SPEC, { baseDir: process.cwd() }, out, signal);
  if (code !== EXIT.ok) return code;
  const csv = join(process.cwd(), 'out', 'patrons.csv');
  out.stdout(`\n4. the first lines of ${csv}`);
  out.stdout(readFileSync(csv, 'utf8').split('\r\n').slice(0, 6).join('\n'));
  return EXIT.ok;
}
