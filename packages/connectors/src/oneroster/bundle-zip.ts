// The zip of a OneRoster bundle: deterministic (sorted names, a fixed timestamp: the same data gives
// the same bytes) and streamed, each file read and deflated a chunk at a time.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Zip, ZipDeflate } from 'fflate';
import { AtomicFile } from '../files/atomic-file.js';
import type { BundleInput } from './check.js';

const ZIP_TIME = new Date('2000-01-01T00:00:00Z');

/** Files in a folder (and an optional manifest held in memory) as a bundle to check and zip. */
export function spoolInput(dir: string, names: readonly string[], manifest?: Uint8Array): BundleInput {
  return {
    names: [...names, ...(manifest ? ['manifest.csv'] : [])].sort(),
    read: (name) => (name === 'manifest.csv' && manifest ? oneChunk(manifest) : createReadStream(join(dir, name), { highWaterMark: 256 * 1024 })),
  };
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Zips the bundle into `write`, a file at a time, awaiting each write (backpressure). */
export async function zipStream(bundle: BundleInput, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const zip = new Zip();
  let written: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  zip.ondata = (err, chunk) => {
    if (err) failure = err;
    else written = written.then(() => write(chunk));
  };
  const settle = async () => {
    await written;
    if (failure) throw failure;
  };
  for (const name of [...bundle.names].sort()) {
    const entry = new ZipDeflate(name, { level: 6 });
    entry.mtime = ZIP_TIME;
    zip.add(entry);
    for await (const chunk of bundle.read(name)) {
      entry.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      await settle();
    }
    entry.push(new Uint8Array(0), true);
    await settle();
  }
  zip.end();
  await settle();
}

/** The zip written to a temporary name beside `path`, finished (flushed) but not yet renamed into place. */
export async function stageZip(path: string, bundle: BundleInput): Promise<AtomicFile> {
  const f = await AtomicFile.create(path);
  try {
    await zipStream(bundle, (chunk) => f.write(chunk));
    await f.finish();
    return f;
  } catch (e) {
    await f.abort();
    throw e;
  }
}

/** The zip, written atomically. */
export async function writeZip(path: string, bundle: BundleInput): Promise<void> {
  const f = await stageZip(path, bundle);
  try {
    await f.commit();
  } catch (e) {
    await f.abort();
    throw e;
  }
}
