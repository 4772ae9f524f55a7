// One benchmark measurement in its own process (so peak RSS is its own): prints JSON with the
// wall time, peak RSS and the output's sha256. Usage: child.ts CONTENDER ROWS
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENDERS, type ContenderName } from './contenders.js';

const [name, rowsText] = process.argv.slice(2) as [ContenderName, string];
const dir = await mkdtemp(join(tmpdir(), 'sisflow-bench-'));
try {
  const t = performance.now();
  const path = await CONTENDERS[name](Number(rowsText), dir);
  const ms = performance.now() - t;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, sha256: hash.digest('hex') }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
