// Makes the start-up snapshot the packed command's checking verbs start from (snapshot-entry.ts),
// in the background, after a run that had none.
//
// dist/sisflow (the launcher, scripts/sisflow.sh) knows which file the snapshot of this package and
// this node is, and whether it is there and current; when it is not, it asks for one through two
// environment variables, SISFLOW_SNAPSHOT_TO (the file) and SISFLOW_SNAPSHOT_KEY (what it must
// find in the file's `.key` companion next time). The command takes them out of its environment
// (nothing it starts sees them) and, as it exits, starts a detached node that runs
// `node --snapshot-blob TEMP --build-snapshot dist/cli-snapshot.cjs`, then renames TEMP to the file
// and writes the key. A build that fails writes `failed KEY` instead: the launcher then starts
// without a snapshot and asks for none, until the package or node changes. The snapshot never
// changes what a command does, only how fast it starts.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A snapshot to make: its file, the key the launcher will look for, the script that builds it. */
export interface SnapshotJob {
  blob: string;
  key: string;
  entry: string;
  /**
   * When the run that asked for it started (ms since 1970): a key file written since says another
   * builder has done the job. Without it the snapshot is always made.
   */
  asked?: number;
}

/** The variable the detached builder is started with. */
const BUILD_VAR = 'SISFLOW_SNAPSHOT_BUILD';
/** A lock older than this is a builder that died: another may start. */
const STALE_LOCK_MS = 120_000;

/**
 * The snapshot the launcher asked for, if it did; the request is taken out of this process's
 * environment either way.
 */
export function snapshotRequest(entry: string, env: NodeJS.ProcessEnv = process.env): SnapshotJob | undefined {
  const blob = env.SISFLOW_SNAPSHOT_TO;
  const key = env.SISFLOW_SNAPSHOT_KEY;
  delete env.SISFLOW_SNAPSHOT_TO;
  delete env.SISFLOW_SNAPSHOT_KEY;
  // Absolute: the builder runs in the package's folder, and the launcher looked from this one
  // (SISFLOW_COMPILE_CACHE_DIR may be relative).
  return blob && key && !key.includes('\n') ? { blob: resolve(blob), key, entry, asked: Date.now() } : undefined;
}

/** When this process exits, starts the builder of `job` (the starter `starter`, detached); it outlives this process. */
export function buildSnapshotAtExit(job: SnapshotJob, starter: string): void {
  process.once('exit', () => {
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, [BUILD_VAR]: JSON.stringify(job) };
      delete env.NODE_OPTIONS;
      spawn(process.execPath, [starter], { detached: true, stdio: 'ignore', env, cwd: dirname(job.entry) }).unref();
    } catch {
      // No snapshot this time: the next run asks again.
    }
  });
}

/** The job this process was started to do (by buildSnapshotAtExit), if it was. */
export function snapshotBuildJob(env: NodeJS.ProcessEnv = process.env): SnapshotJob | undefined {
  const text = env[BUILD_VAR];
  if (!text) return undefined;
  delete env[BUILD_VAR];
  try {
    const job = JSON.parse(text) as SnapshotJob;
    return typeof job.blob === 'string' && typeof job.key === 'string' && typeof job.entry === 'string' && (job.asked === undefined || typeof job.asked === 'number') ? job : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the snapshot of `job` with this node: the file and its key appear whole or not at all
 * (written beside, then renamed). One builder at a time per file, and none once the key is
 * settled (a builder asked for by a run that started before another made it); returns whether
 * it made one.
 */
export function buildSnapshot(job: SnapshotJob, execPath: string = process.execPath): boolean {
  const keyFile = keyFileOf(job.blob);
  const lock = `${job.blob}.lock`;
  try {
    mkdirSync(dirname(job.blob), { recursive: true });
    if (!takeLock(lock)) return false;
  } catch {
    return false;
  }
  const temp = `${job.blob}.${process.pid}.tmp`;
  try {
    if (job.asked !== undefined && settledSince(keyFile, job.key, job.asked)) return false;
    removeLeftTemps(job.blob);
    const r = spawnSync(execPath, ['--snapshot-blob', temp, '--build-snapshot', job.entry], { stdio: 'ignore', cwd: dirname(job.entry), timeout: STALE_LOCK_MS });
    const made = r.status === 0 && statSync(temp, { throwIfNoEntry: false })?.isFile() === true;
    if (made) renameSync(temp, job.blob);
    // Only a build that ran to its end and failed says so for good: one that was killed (the
    // machine short of memory, a container stopped) or timed out is tried again by a later run.
    if (made || (r.error === undefined && r.status !== null)) writeAtomically(keyFile, `${made ? '' : 'failed '}${job.key}\n`);
    removeUnused(dirname(job.blob), job.blob);
    return made;
  } catch {
    return false;
  } finally {
    rmSync(temp, { force: true });
    rmSync(lock, { force: true });
  }
}

/** Snapshots nobody started from in this long (other versions of the package, other nodes) are removed. */
export const UNUSED_DAYS = 30;

/**
 * Removes the snapshots (and their keys) in `dir` other than `keep` that were neither made nor
 * read in UNUSED_DAYS: those of an earlier version of the package or of a node no longer there.
 * Another version still in use reads its snapshot at every start, which keeps its access time.
 */
function removeUnused(dir: string, keep: string): void {
  const before = Date.now() - UNUSED_DAYS * 86_400_000;
  try {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (!/^snapshot-[0-9a-f]+-\d+\.blob$/.test(name) || path === keep) continue;
      const s = statSync(path, { throwIfNoEntry: false });
      if (!s || Math.max(s.atimeMs, s.mtimeMs) >= before) continue;
      rmSync(path, { force: true });
      rmSync(keyFileOf(path), { force: true });
    }
  } catch {
    // Not removed this time.
  }
}

/** The file beside a snapshot that says which package and node made it (or failed to). */
export function keyFileOf(blob: string): string {
  return blob.replace(/\.blob$/, '') + '.key';
}

/**
 * Whether the key file, written at `since` or later, says the snapshot for `key` was made, or
 * failed, or did not fit. A key file older than the request is the one the launcher found wanting
 * (its snapshot older than node, say): the snapshot is made again.
 */
function settledSince(keyFile: string, key: string, since: number): boolean {
  try {
    if (statSync(keyFile).mtimeMs < since) return false;
    const text = readFileSync(keyFile, 'utf8');
    return text === `${key}\n` || text === `failed ${key}\n`;
  } catch {
    return false;
  }
}

/** Removes what builders of `blob` that were killed while writing it left (this one holds the lock: none is writing now). */
function removeLeftTemps(blob: string): void {
  const name = basename(blob);
  for (const file of readdirSync(dirname(blob))) {
    if (file.startsWith(`${name}.`) && /^\d+\.tmp$/.test(file.slice(name.length + 1))) rmSync(join(dirname(blob), file), { force: true });
  }
}

function takeLock(lock: string): boolean {
  try {
    closeSync(openSync(lock, 'wx'));
    return true;
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age < STALE_LOCK_MS) return false;
    rmSync(lock, { force: true });
    try {
      closeSync(openSync(lock, 'wx'));
      return true;
    } catch {
      return false;
    }
  }
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}
