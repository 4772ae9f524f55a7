// Local spool folders for files on their way to or from a server or into a bundle
// ($TMPDIR/sisflow-KIND-PID-XXXXXX). A spool is removed when its run is done with it, when the
// process exits however it exits short of SIGKILL (signal-exit: normal exit, process.exit,
// SIGINT/SIGTERM/SIGHUP), and otherwise — SIGKILL, a power cut — by the next spool made on the
// machine, which removes the spools of processes that are gone.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExit } from 'signal-exit';
import { processAlive } from '@sisflow/core';

export interface Spool {
  dir: string;
  /** Removes the folder and everything in it; safe to call twice. */
  remove(): void;
}

const live = new Set<string>();
let exitHook: (() => void) | undefined;

/** Spools from before spools were named by process: removed once they are this old. */
const UNNAMED_STALE_MS = 24 * 60 * 60 * 1000;

export function makeSpool(kind: string): Spool {
  removeStaleSpools(kind);
  const dir = mkdtempSync(join(tmpdir(), `sisflow-${kind}-${process.pid}-`));
  live.add(dir);
  exitHook ??= onExit(() => {
    for (const d of live) rmSync(d, { recursive: true, force: true });
  });
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}

/** Removes the spools of `kind` whose process is gone (killed before it could clean up). */
export function removeStaleSpools(kind: string, dir = tmpdir()): string[] {
  const removed: string[] = [];
  const prefix = `sisflow-${kind}-`;
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[A-Za-z0-9]{6}$/.exec(name.slice(prefix.length));
    const path = join(dir, name);
    const stale = m ? Number(m[1]) !== process.pid && !processAlive(Number(m[1])) : /^[A-Za-z0-9]{6}$/.test(name.slice(prefix.length)) && olderThan(path, now - UNNAMED_STALE_MS);
    if (!stale) continue;
    try {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // another user's spool, or already gone: not ours to worry about
    }
  }
  return removed;
}

function olderThan(path: string, when: number): boolean {
  try {
    return statSync(path).mtimeMs < when;
  } catch {
    return false;
  }
}
