// A finished file kept for approval (a run held by a guard): published later, possibly by another
// process, exactly as it was staged, and only over the destination the run saw.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HeldStage, WrittenFile } from '@sisflow/core';
import { syncDir, type AtomicFile } from './atomic-file.js';

interface HeldFileState {
  /** Where the staged bytes wait. */
  held: string;
  /** The final path. */
  path: string;
  sha256: string;
  /** The destination's sha256 when the stage was held (null: there was no file). */
  before: string | null;
}

export async function holdFile(file: AtomicFile, written: WrittenFile): Promise<HeldStage> {
  const before = await sha256Of(file.path);
  const held = await file.hold();
  const state: HeldFileState = { held, path: file.path, sha256: written.sha256, before };
  return { files: [written], state: { ...state } };
}

export async function publishHeldFile(stage: HeldStage): Promise<void> {
  const s = stage.state as unknown as HeldFileState;
  const staged = await sha256Of(s.held);
  if (staged === null) throw new Error(`the held stage of ${s.path} is gone (${s.held})`);
  if (staged !== s.sha256) throw new Error(`the held stage of ${s.path} was altered since the run (sha256 ${staged.slice(0, 12)}, staged ${s.sha256.slice(0, 12)})`);
  const now = await sha256Of(s.path);
  if (now !== s.before) throw new Error(`${s.path} changed since the run was held (${describe(s.before)} then, ${describe(now)} now); run the spec again`);
  await rename(s.held, s.path);
  await syncDir(dirname(s.path));
}

export async function discardHeldFile(stage: HeldStage): Promise<void> {
  await rm((stage.state as unknown as HeldFileState).held, { force: true });
}

function describe(sha: string | null): string {
  return sha === null ? 'no file' : `sha256 ${sha.slice(0, 12)}`;
}

/** The file's sha256, or null when there is no file. */
async function sha256Of(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return hash.digest('hex');
}
