// A bundle from disk: a folder of CSV files or a zip of them (no sub-folders), as name → bytes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

export function readBundle(path: string): Map<string, Uint8Array> {
  if (statSync(path).isDirectory()) {
    return new Map(readdirSync(path).filter((n) => n.endsWith('.csv')).sort().map((n) => [n, readFileSync(join(path, n))]));
  }
  const entries = unzipSync(readFileSync(path));
  const out = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    out.set(name, bytes); // a name with a folder in it is reported as not a OneRoster file
  }
  return out;
}
