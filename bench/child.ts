// One benchmark measurement in its own process (so peak RSS is its own): prints JSON with the
// wall time, peak RSS and the output's sha256. Usage: child.ts CONTENDER ROWS (BENCH_DB names
// the database of the SQLite contenders); child.ts make-mapping-db ROWS PATH and
// child.ts make-district-db SCHOOLS PATH build those databases.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { CONTENDERS, type ContenderName } from './contenders.js';
import { makeDistrictDb, makeMappingDb } from './sqlite-contenders.js';
import { makeCsvExport } from './destiny-contenders.js';

const [name, rowsText, dbPath] = process.argv.slice(2) as [ContenderName | 'make-mapping-db' | 'make-district-db' | 'make-csv-export', string, string];
if (name === 'make-mapping-db') {
  makeMappingDb(Number(rowsText), dbPath);
  process.exit(0);
}
if (name === 'make-csv-export') {
  await makeCsvExport(process.env.BENCH_DB!, dbPath);
  process.exit(0);
}
if (name === 'make-district-db') {
  console.log(JSON.stringify(makeDistrictDb(dbPath, Number(rowsText) || 50)));
  process.exit(0);
}
/**
 * The sha256 of a CSV output's records as parsed (a zip has none): contenders whose quoting differs (Python quotes
 * empty cells, sisflow does not) are compared by the rows they wrote.
 */
async function rowsHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const record of createReadStream(path).pipe(parse({ relax_column_count: true }))) hash.update(JSON.stringify(record));
  return hash.digest('hex');
}

const dir = await mkdtemp(join(tmpdir(), 'sisflow-bench-'));
try {
  const t = performance.now();
  const result = await CONTENDERS[name](Number(rowsText), dir);
  const ms = performance.now() - t;
  // A contender that ran in a process of its own (Python) reports that process's peak RSS.
  const { path, maxRssMb } = typeof result === 'string' ? { path: result, maxRssMb: process.resourceUsage().maxRSS / 1024 } : result;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  console.log(JSON.stringify({ ms, maxRssMb, sha256: hash.digest('hex'), rowsSha256: path.endsWith('.csv') ? await rowsHash(path) : '', bytes: statSync(path).size }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
