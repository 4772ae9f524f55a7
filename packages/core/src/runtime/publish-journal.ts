// The publish journal of a spec: before a run renames its staged files into place it writes down
// every rename, durably, so that a run killed between two renames is finished by the next run of
// the same spec. Kept in `.sisflow/publish/NAME.json` under the run's base folder (the spec's).
import { hostname } from 'node:os';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StagedMove } from '../connector/connector.js';

/** The renames of one output, and how to reach them again (the plan's connection, by name). */
export interface JournalEntry {
  output: string;
  use: string;
  connection: string;
  moves: StagedMove[];
}

export interface JournalRecord {
  version: 1;
  spec: string;
  /** The process that wrote it: a live one is still publishing. */
  pid: number;
  host: string;
  startedAt: string;
  entries: JournalEntry[];
}

/** Where journals live, relative to a run's base folder. */
export const JOURNAL_DIR = join('.sisflow', 'publish');

export class PublishJournal {
  readonly path: string;
  private readonly dir: string;

  constructor(baseDir: string, spec: string) {
    this.dir = join(baseDir, JOURNAL_DIR);
    this.path = join(this.dir, `${spec.replace(/[^\w.-]/g, '_')}.json`);
  }

  /** The journal a run left, or undefined. A journal that cannot be parsed is an error, never skipped. */
  async read(): Promise<JournalRecord | undefined> {
    const text = await readFile(this.path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return undefined;
    let record: JournalRecord;
    try {
      record = JSON.parse(text) as JournalRecord;
    } catch {
      throw new Error(`${this.path} is not a publish journal sisflow can read`);
    }
    if (record?.version !== 1 || !Array.isArray(record.entries)) throw new Error(`${this.path} is not a publish journal sisflow can read`);
    return record;
  }

  /**
   * Writes the journal so that it is either complete or absent after a crash: a temporary file,
   * flushed, renamed into place, and the folder flushed so the rename itself is on disk.
   */
  async write(entries: JournalEntry[], spec: string, startedAt: string): Promise<void> {
    const record: JournalRecord = { version: 1, spec, pid: process.pid, host: hostname(), startedAt, entries };
    await mkdir(this.dir, { recursive: true });
    await this.removeOrphans();
    const temp = `${this.path}.${process.pid}.tmp`;
    const f = await open(temp, 'w', 0o600);
    try {
      await f.writeFile(JSON.stringify(record, null, 2) + '\n');
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(temp, this.path);
    await syncFolder(this.dir);
  }

  /** Removes the journal once every rename it lists is done. */
  async clear(): Promise<void> {
    await rm(this.path, { force: true });
    await syncFolder(this.dir);
  }

  /** Half-written journals of processes that died before renaming them into place mean nothing. */
  private async removeOrphans(): Promise<void> {
    const base = this.path.slice(this.dir.length + 1);
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const m = name.startsWith(`${base}.`) ? /^(\d+)\.tmp$/.exec(name.slice(base.length + 1)) : null;
      if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) await rm(join(this.dir, name), { force: true });
    }
  }
}

/** Whether the process that wrote a journal on this host is still running. */
export function journalWriterAlive(record: JournalRecord): boolean {
  return record.host === hostname() && record.pid !== process.pid && processAlive(record.pid);
}

/** Whether a process on this machine is still running (tells a dead run's leftovers from a live one's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Flushes a folder, so the renames in it survive a crash. */
export async function syncFolder(dir: string): Promise<void> {
  // Not every platform can open a folder for fsync (Windows); the rename is still atomic there.
  const d = await open(dir, 'r').catch(() => undefined);
  if (!d) return;
  try {
    await d.sync();
  } catch {
    // best effort, as above
  } finally {
    await d.close();
  }
}
