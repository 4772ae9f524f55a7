// `sisflow demo`: the whole thing in one command — validate, test and run the Destiny example on
// the built-in demo district, then show what was written. `--reset` starts the district over.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { examplePath } from '../examples.js';
import { demoDatabase, demoFolder, resetDemo } from '@sisflow/connectors';
import { EXIT, type JsonFlag, type Out } from '../io.js';
import { run } from './run.js';
import { test } from './test.js';
import { validate } from './validate.js';

export const DEMO_SPEC = examplePath('destiny/patrons.yaml');

export async function demo(flags: JsonFlag & { reset?: boolean }, out: Out, signal?: AbortSignal): Promise<number> {
  // The demo database is the project folder's, found from here (like the run below).
  if (flags.reset) {
    const removed = resetDemo(process.cwd());
    const say = flags.json ? (t: string) => out.stderr(t) : (t: string) => out.stdout(t);
    say(removed.length > 0 ? `removed ${removed.join(', ')}` : `no demo database in ${demoFolder(process.cwd())}`);
    say(`the next run on the demo district starts from a freshly generated ${demoDatabase(process.cwd())}`);
    if (flags.json) out.stdout(JSON.stringify({ ok: true, removed, database: demoDatabase(process.cwd()) }, null, 2));
    return EXIT.ok;
  }
  if (flags.json) return demoJson(out, signal);
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
  out.stdout(firstLines(csv).join('\n'));
  return EXIT.ok;
}

const firstLines = (csv: string) => readFileSync(csv, 'utf8').split('\r\n').slice(0, 6);

/** `demo --json`: the three steps' own JSON results in one document, each step's stdout captured. */
async function demoJson(out: Out, signal?: AbortSignal): Promise<number> {
  const step = async (f: (o: Out) => number | Promise<number>) => {
    const texts: string[] = [];
    const code = await f({ ...out, stdout: (t) => void texts.push(t) });
    return { code, result: texts.length ? (JSON.parse(texts.join('')) as unknown) : null };
  };
  const doc: Record<string, unknown> = { spec: DEMO_SPEC, database: demoDatabase(process.cwd()) };
  const finish = (code: number) => {
    out.stdout(JSON.stringify({ ok: code === EXIT.ok, ...doc }, null, 2));
    return code;
  };
  const v = await step((o) => validate([DEMO_SPEC], { json: true }, o));
  doc.validate = v.result;
  if (v.code !== EXIT.ok) return finish(EXIT.failed);
  const t = await step((o) => test([DEMO_SPEC], { json: true }, o));
  doc.test = t.result;
  if (t.code !== EXIT.ok) return finish(EXIT.failed);
  const r = await step((o) => run(DEMO_SPEC, { baseDir: process.cwd(), json: true }, o, signal));
  doc.run = r.result;
  if (r.code !== EXIT.ok) return finish(r.code);
  const csv = join(process.cwd(), 'out', 'patrons.csv');
  doc.output = { file: csv, firstLines: firstLines(csv) };
  return finish(EXIT.ok);
}
