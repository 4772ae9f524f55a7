// A finished file kept for approval (a run held by a guard): published later, possibly by another
// process, exactly as it was staged, and only over the destination the run saw.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HeldStage, WrittenFile } from '@sisflow/core';
import { syncFolder } from '@sisflow/core';
import type { AtomicFile } from './atomic-file.js';

interface HeldFileState {
  /** Where the staged bytes wait. */
  held: string;
  /** The final path. */
  path: string;
  sha256: string;
  /** The destination's sha256 when the stage was held (null: there was no file). */
  before: string | null;
}

/** Holds finished files that publish together (a CSV and the Destiny properties file that describes it). */
export async function holdFiles(files: AtomicFile[], written: WrittenFile[]): Promise<HeldStage> {
  const parts: HeldFileState[] = [];
  for (const [i, file] of files.entries()) {
    const before = await sha256Of(file.path);
    const held = await file.hold();
    parts.push({ held, path: file.path, sha256: written[i]!.sha256, before });
  }
  return { files: written, state: { parts: parts.map((p) => ({ ...p })) } };
}

export async function holdFile(file: AtomicFile, written: WrittenFile): Promise<HeldStage> {
  return holdFiles([file], [written]);
}

function partsOf(stage: HeldStage): HeldFileState[] {
  const state = stage.state as unknown as { parts?: HeldFileState[] } & Partial<HeldFileState>;
  return state.parts ?? [state as HeldFileState];
}

/** Publishes every held file, each only when its stage is intact and its destination unchanged since the run; checks all before renaming any. */
export async function publishHeldFile(stage: HeldStage): Promise<void> {
  await checkHeldFile(stage);
  for (const s of partsOf(stage)) {
    await rename(s.held, s.path);
    await syncFolder(dirname(s.path));
  }
}

/** Throws unless every held file is intact and its destination is as it was when the run was held. */
export async function checkHeldFile(stage: HeldStage): Promise<void> {
  for (const s of partsOf(stage)) {
    const staged = await sha256Of(s.held);
    if (staged === null) throw new Error(`the held stage of ${s.path} is gone (${s.held})`);
    if (staged !== s.sha256) throw new Error(`the held stage of ${s.path} was altered since the run (sha256 ${staged.slice(0, 12)}, staged ${s.sha256.slice(0, 12)})`);
    const now = await sha256Of(s.path);
    if (now !== s.before) throw new Error(`${s.path} changed since the run was held (${describe(s.before)} then, ${describe(now)} now); run the spec again`);
  }
}

export async function discardHeldFile(stage: HeldStage): Promise<void> {
  for (const s of partsOf(stage)) await rm(s.held, { force: true });
}

function describe(sha: string | null): string {
  return sha === null ? 'no file' : `sha256 ${sha.slice(0, 12)}`;
}

/** The file's sha256, or null when there is no file. */
export async function sha256Of(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return hash.digest('hex');
}
