// One benchmark measurement in its own process (so peak RSS is its own): prints JSON with the
// wall time, peak RSS and the output's sha256. Usage: child.ts CONTENDER ROWS (BENCH_DB names
// the database of the SQLite contenders); child.ts make-mapping-db ROWS PATH and
// child.ts make-district-db SCHOOLS PATH build those databases.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENDERS, type ContenderName } from './contenders.js';
import { makeDistrictDb, makeMappingDb } from './sqlite-contenders.js';

const [name, rowsText, dbPath] = process.argv.slice(2) as [ContenderName | 'make-mapping-db' | 'make-district-db', string, string];
if (name === 'make-mapping-db') {
  makeMappingDb(Number(rowsText), dbPath);
  process.exit(0);
}
if (name === 'make-district-db') {
  console.log(JSON.stringify(makeDistrictDb(dbPath, Number(rowsText) || 50)));
  process.exit(0);
}
const dir = await mkdtemp(join(tmpdir(), 'sisflow-bench-'));
try {
  const t = performance.now();
  const path = await CONTENDERS[name](Number(rowsText), dir);
  const ms = performance.now() - t;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, sha256: hash.digest('hex'), bytes: statSync(path).size }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
