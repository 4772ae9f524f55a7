// Preloaded with `node --import` by cold-start.test.ts: writes every module the process loads (ES
// modules as the loader sees them, CommonJS ones from require's cache at exit) to the file named by
// SISFLOW_MODULE_LIST, one a line. The same file is the loader hook, run on the loader's thread.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const list = process.env.SISFLOW_MODULE_LIST;

export async function load(url, context, next) {
  if (list) appendFileSync(list, `${url}\n`);
  return next(url, context);
}

if (isMainThread && list) {
  register(import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(list, `${Object.keys(cache).join('\n')}\n`));
}
