// A OneRoster bundle kept for approval (a run held by a guard): built, checked and staged exactly as
// publishing would, beside its destination (a zip, a folder, or a zip uploaded to an SFTP server
// under a held name), with the next delta snapshot held beside it. Every output of the bundle gets
// the same stage; the one that built it (the carrier) publishes or drops the whole bundle, the
// others go with it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { syncFolder, type HeldContext, type HeldStage, type RunContext, type Settings, type WrittenFile } from '@sisflow/core';
import { HELD_PREFIX, type AtomicFile } from '../files/atomic-file.js';
import { checkHeldFile, discardHeldFile, holdFiles, publishHeldFile, sha256Of } from '../files/held-file.js';
import type { HeldUpload } from '../sftp/upload.js';
import { stageZip } from './bundle-zip.js';
import { swapFolder, writeFolder, zipInSpool, type AssembledBundle } from './bundle-write.js';

/** A held bundle as the run history keeps it (plain JSON). */
export interface HeldBundle {
  /** The bundle file (`users.csv`) whose output publishes or drops the bundle; the others go with it. */
  carrier: string;
  /** The bundle file of this output. */
  file?: string;
  /** The destination, for messages (a local path or an sftp:// address). */
  target: string;
  /** Local files kept as files/held-file.ts keeps them: the zip (a local zip bundle) and the next delta snapshot. */
  files?: Settings;
  /** A folder bundle: the held folder, its content's digest, and the destination's digest then (null: none). */
  folder?: { held: string; path: string; digest: string; before: string | null };
  /** A zip delivered over SFTP, kept on the server under a held name. */
  upload?: HeldUpload;
}

interface HoldRequest {
  target: string;
  spool: string;
  connection: Settings;
  ctx: RunContext;
  carrier: string;
  /** Where the delta snapshot lives. */
  snapshot: string;
}

export async function holdBundle(r: HoldRequest, assembled: AssembledBundle): Promise<HeldBundle> {
  const local: AtomicFile[] = [];
  const kept: Omit<HeldBundle, 'carrier' | 'target'> = {};
  try {
    if (r.connection.sftp) kept.upload = await holdUpload(r, assembled);
    else if (r.target.endsWith('.zip')) local.push(await stageZip(r.target, assembled.bundle));
    else kept.folder = await holdFolder(r.target, assembled);
    if (assembled.full) local.push(await stageZip(r.snapshot, assembled.full));
    if (local.length > 0) kept.files = (await holdFiles(local, local.map(writtenOf))).state;
  } catch (e) {
    await Promise.all(local.map((f) => f.abort()));
    if (kept.folder) rmSync(kept.folder.held, { recursive: true, force: true });
    if (kept.upload) await removeUpload(kept.upload, r.connection, r.ctx).catch(() => undefined);
    throw e;
  }
  r.ctx.log(`held ${r.target} for approval (${assembled.bundle.names.length} files)`);
  return { carrier: r.carrier, target: r.target, ...kept };
}

/** Publishes the held bundle (the carrier's output); refused, publishing nothing, when a stage is gone or altered or the destination changed since the run. */
export async function publishHeldBundle(stage: HeldStage, hc: HeldContext): Promise<void> {
  const s = stage.state as unknown as HeldBundle;
  if (s.file !== undefined && s.file !== s.carrier) {
    hc.log(`published with ${s.carrier} in ${s.target}`);
    return;
  }
  const files: HeldStage | undefined = s.files && { files: [], state: s.files };
  if (files) await checkHeldFile(files);
  if (s.folder) await publishHeldFolder(s.folder);
  if (s.upload) await (await import('../sftp/transfer.js')).heldRemote('publish', { files: [], state: s.upload as unknown as Settings }, { ...hc, connection: hc.connection.sftp as Settings });
  // The zip, or the snapshot once the bundle is out (as a published run moves it on).
  if (files) await publishHeldFile(files);
  hc.log(`published ${s.target}`);
}

export async function discardHeldBundle(stage: HeldStage, hc: HeldContext): Promise<void> {
  const s = stage.state as unknown as HeldBundle;
  if (s.file !== undefined && s.file !== s.carrier) return;
  if (s.files) await discardHeldFile({ files: [], state: s.files });
  if (s.folder) rmSync(s.folder.held, { recursive: true, force: true });
  if (s.upload) await (await import('../sftp/transfer.js')).heldRemote('discard', { files: [], state: s.upload as unknown as Settings }, { ...hc, connection: hc.connection.sftp as Settings });
}

function writtenOf(f: AtomicFile): WrittenFile {
  const m = f.move;
  return { path: f.path, bytes: m.bytes, sha256: m.sha256 };
}

async function holdFolder(target: string, assembled: AssembledBundle): Promise<NonNullable<HeldBundle['folder']>> {
  mkdirSync(dirname(target), { recursive: true });
  const held = join(dirname(target), `${HELD_PREFIX}${basename(target)}.${randomBytes(6).toString('hex')}`);
  try {
    await writeFolder(held, assembled.bundle);
    await syncFolder(dirname(target));
    return { held, path: target, digest: (await folderDigest(held))!, before: await folderDigest(target) };
  } catch (e) {
    rmSync(held, { recursive: true, force: true });
    throw e;
  }
}

async function publishHeldFolder(f: NonNullable<HeldBundle['folder']>): Promise<void> {
  const staged = await folderDigest(f.held);
  if (staged === null) throw new Error(`the held stage of ${f.path} is gone (${f.held})`);
  if (staged !== f.digest) throw new Error(`the held stage of ${f.path} was altered since the run`);
  if ((await folderDigest(f.path)) !== f.before) throw new Error(`${f.path} changed since the run was held; run the spec again`);
  swapFolder(f.held, f.path);
  await syncFolder(dirname(f.path));
}

/** A digest of a folder's files (names and contents), or null when there is no folder. */
async function folderDigest(dir: string): Promise<string | null> {
  if (!existsSync(dir)) return null;
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) hash.update(`${name}\0${await sha256Of(join(dir, name))}\n`);
  return hash.digest('hex');
}

async function holdUpload(r: HoldRequest, assembled: AssembledBundle): Promise<HeldUpload> {
  const { SftpConnection, sftpSettings } = await import('../sftp/session.js');
  const { RemoteUpload } = await import('../sftp/upload.js');
  const local = await zipInSpool(assembled.bundle, r.spool);
  const conn = new SftpConnection(sftpSettings(r.connection.sftp as Settings), r.ctx);
  const upload = new RemoteUpload(conn, r.ctx, String(r.connection.path), local.path, local.size, 0);
  try {
    await upload.stage();
    return await upload.hold();
  } catch (e) {
    await upload.abort();
    throw e;
  } finally {
    await conn.close();
  }
}

async function removeUpload(h: HeldUpload, connection: Settings, ctx: RunContext): Promise<void> {
  const { heldRemote } = await import('../sftp/transfer.js');
  await heldRemote('discard', { files: [], state: h as unknown as Settings }, { connection: connection.sftp as Settings, signal: ctx.signal, log: (m) => ctx.log(m) });
}
