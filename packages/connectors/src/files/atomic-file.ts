// A file that appears at its final path complete or not at all: written under a temporary name
// beside the target, flushed to disk, then renamed over it. Aborting removes the temporary file.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WrittenFile } from '@sisflow/core';
import { HashedFile } from './hashed-file.js';
import { processAlive } from './process-alive.js';

/** Temporary files start with this prefix, so an operator can spot leftovers of a crash. */
export const TEMP_PREFIX = '.sisflow-tmp-';
/** Stages kept for approval: never removed as orphans, only by approve or discard. */
export const HELD_PREFIX = '.sisflow-held-';

export class AtomicFile {
  private file: HashedFile | undefined;
  private written: WrittenFile | undefined;
  readonly tempPath: string;

  private constructor(readonly path: string) {
    this.tempPath = join(dirname(path), `${TEMP_PREFIX}${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  }

  static async create(path: string): Promise<AtomicFile> {
    const f = new AtomicFile(path);
    await mkdir(dirname(path), { recursive: true });
    await removeOrphans(path);
    f.file = await HashedFile.create(f.tempPath);
    return f;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (!this.file) throw new Error(`${this.path} is already closed`);
    await this.file.write(chunk);
  }

  /** Flushes the temporary file to disk and closes it; the final path is not touched yet. */
  async finish(): Promise<WrittenFile> {
    const f = this.file;
    if (!f) throw new Error(`${this.path} is already closed`);
    this.file = undefined;
    this.written = { path: this.path, ...(await f.close(true)) };
    return this.written;
  }

  /** Renames the finished file over the final path and fsyncs the folder so the rename survives a crash. */
  async commit(): Promise<void> {
    if (!this.written) throw new Error(`${this.path} is not finished`);
    await rename(this.tempPath, this.path);
    await syncDir(dirname(this.path));
  }

  /**
   * Keeps the finished file beside the target under a held name (same folder, so publishing it later
   * is one atomic rename) and returns that name; the final path is not touched.
   */
  async hold(): Promise<string> {
    if (!this.written) throw new Error(`${this.path} is not finished`);
    const held = join(dirname(this.path), `${HELD_PREFIX}${basename(this.path)}.${randomBytes(6).toString('hex')}`);
    await rename(this.tempPath, held);
    await syncDir(dirname(this.path));
    return held;
  }

  /** Drops the temporary file; the final path keeps whatever it held before. */
  async abort(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    await f?.drop();
    await rm(this.tempPath, { force: true });
  }
}

/** Temporary files of earlier runs that were killed (their process is gone) are removed. */
async function removeOrphans(path: string): Promise<void> {
  const prefix = `${TEMP_PREFIX}${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await rm(join(dirname(path), name), { force: true });
  }
}

export async function syncDir(dir: string): Promise<void> {
  // Not every platform can open a folder for fsync (Windows); the rename is still atomic there.
  const d = await open(dir, 'r').catch(() => undefined);
  if (!d) return;
  try {
    await d.sync();
  } catch {
    // ignored: best effort
  } finally {
    await d.close();
  }
}
