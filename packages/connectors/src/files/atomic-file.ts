// A file that appears at its final path complete or not at all: written under a temporary name
// beside the target, flushed to disk, then renamed over it. Aborting removes the temporary file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive, syncFolder, type StagedMove, type WrittenFile } from '@sisflow/core';
import { HashedFile } from './hashed-file.js';

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

  /** `keep`: temporary files of dead runs that a publish journal still lists (RunContext.journaled). */
  static async create(path: string, keep: ReadonlySet<string> = new Set()): Promise<AtomicFile> {
    const f = new AtomicFile(path);
    await mkdir(dirname(path), { recursive: true });
    await removeOrphans(path, keep);
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

  /** The commit as a rename a later run can finish (the runtime journals it before committing). */
  get move(): StagedMove {
    if (!this.written) throw new Error(`${this.path} is not finished`);
    return { from: this.tempPath, to: this.path, bytes: this.written.bytes, sha256: this.written.sha256 };
  }

  /** Renames the finished file over the final path and fsyncs the folder so the rename survives a crash. */
  async commit(): Promise<void> {
    if (!this.written) throw new Error(`${this.path} is not finished`);
    await rename(this.tempPath, this.path);
    await syncFolder(dirname(this.path));
  }

  /**
   * Keeps the finished file beside the target under a held name (same folder, so publishing it later
   * is one atomic rename) and returns that name; the final path is not touched.
   */
  async hold(): Promise<string> {
    if (!this.written) throw new Error(`${this.path} is not finished`);
    const held = join(dirname(this.path), `${HELD_PREFIX}${basename(this.path)}.${randomBytes(6).toString('hex')}`);
    await rename(this.tempPath, held);
    await syncFolder(dirname(this.path));
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

/**
 * Finishes the renames of a run killed while publishing (the journal's moves): a staged file still
 * there is renamed over its final path; one already renamed is recognised by its content.
 */
export async function finishLocalMoves(moves: StagedMove[]): Promise<void> {
  for (const m of moves) {
    if (await stat(m.from).then(() => true, () => false)) {
      await rename(m.from, m.to);
      await syncFolder(dirname(m.to));
    } else if ((await sha256Of(m.to)) !== m.sha256) {
      throw new Error(`the staged file for ${m.to} is gone and ${m.to} does not hold it (${m.from} was removed)`);
    }
  }
}

async function sha256Of(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

/** Temporary files of earlier runs that were killed (their process is gone) are removed. */
async function removeOrphans(path: string, keep: ReadonlySet<string>): Promise<void> {
  const prefix = `${TEMP_PREFIX}${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    const orphan = join(dirname(path), name);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid) && !keep.has(orphan)) await rm(orphan, { force: true });
  }
}
