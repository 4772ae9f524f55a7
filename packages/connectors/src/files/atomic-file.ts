// A file that appears at its final path complete or not at all: written under a temporary name
// beside the target, flushed to disk, then renamed over it. Aborting removes the temporary file.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WrittenFile } from '@sisflow/core';
import { HashedFile } from './hashed-file.js';

/** Temporary files start with this prefix, so an operator can spot leftovers of a crash. */
export const TEMP_PREFIX = '.sisflow-tmp-';

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

  /** Drops the temporary file; the final path keeps whatever it held before. */
  async abort(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    await f?.drop();
    await rm(this.tempPath, { force: true });
  }
}

/**
 * Publishes finished files together (a CSV and the file that describes it): each final path's
 * previous content is kept by a hard link until every rename went through; if one fails, the
 * files already renamed get their previous content back (or are removed if they had none).
 */
export async function commitTogether(files: AtomicFile[]): Promise<void> {
  const kept = new Map<AtomicFile, string | undefined>();
  try {
    for (const f of files) {
      const backup = `${f.tempPath}.previous`;
      const had = await link(f.path, backup).then(
        () => true,
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return false;
          throw e;
        },
      );
      kept.set(f, had ? backup : undefined);
      await f.commit();
    }
  } catch (e) {
    for (const [f, backup] of kept) {
      if (backup) await rename(backup, f.path).catch(() => undefined);
      else if (files.indexOf(f) < kept.size - 1) await rm(f.path, { force: true });
    }
    for (const f of files) await f.abort();
    throw e;
  }
  for (const backup of kept.values()) if (backup) await rm(backup, { force: true });
}

/** Temporary files of earlier runs that were killed (their process is gone) are removed. */
async function removeOrphans(path: string): Promise<void> {
  const prefix = `${TEMP_PREFIX}${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) await rm(join(dirname(path), name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncDir(dir: string): Promise<void> {
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
