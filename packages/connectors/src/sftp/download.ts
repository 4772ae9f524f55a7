// Fetching the remote files a source reads: a name or a glob in its last segment, optionally
// waiting until each file stops growing, downloaded whole (with retries) into a local spool before
// any row is read, so a dropped connection can never hand the steps half a file or a row twice.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { RunContext } from '@sisflow/core';
import { isGlob } from './sftp-connector.js';
import { versionStamp } from './upload.js';
import { SftpError, TRANSFER, type SftpConnection, type SftpSession } from './session.js';

export interface RemoteFile {
  /** Path relative to the connection's `dir`, as written in the spec (with the glob resolved). */
  path: string;
  size: number;
}

/** The files matching `pattern`, by name; an exact name is returned only when it exists. */
export async function findFiles(conn: SftpConnection, ctx: RunContext, pattern: string): Promise<RemoteFile[]> {
  return conn.use(`looking for ${pattern}`, async (session) => {
    const folder = posix.dirname(pattern);
    const remoteFolder = session.remote(folder);
    if (!isGlob(pattern)) {
      const kind = await session.watch(`checking ${pattern}`, ctx.signal, () => session.client.exists(session.remote(pattern)));
      if (!kind) return [];
      if (kind !== '-') throw new SftpError(`${pattern} on ${session.where} is not a file`, false);
      const size = (await session.watch(`checking ${pattern}`, ctx.signal, () => session.client.stat(session.remote(pattern)))).size;
      return [{ path: pattern, size }];
    }
    if (!(await session.watch(`checking ${folder}`, ctx.signal, () => session.client.exists(remoteFolder)))) return [];
    const match = picomatch(posix.basename(pattern), { dot: false });
    const entries = await session.watch(`listing ${folder}`, ctx.signal, () => session.client.list(remoteFolder));
    return entries
      .filter((e) => e.type === '-' && match(e.name))
      .map((e) => ({ path: folder === '.' ? e.name : posix.join(folder, e.name), size: e.size }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  });
}

/**
 * Waits until none of the files changed size over `seconds` (a vendor may still be writing them),
 * checking at most `rounds` times; returns the files with their final sizes.
 */
export async function waitUntilStable(conn: SftpConnection, ctx: RunContext, files: RemoteFile[], seconds: number, rounds = 10): Promise<RemoteFile[]> {
  let current = files;
  for (let round = 0; round < rounds; round++) {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const next = await conn.use('checking file sizes', (session) => Promise.all(current.map(async (f) => ({ ...f, size: await sizeOf(session, ctx, f.path) }))));
    if (next.every((f, i) => f.size === current[i]!.size)) return next;
    ctx.log(`${next.filter((f, i) => f.size !== current[i]!.size).map((f) => f.path).join(', ')} still growing; waiting ${seconds} s`);
    current = next;
  }
  throw new SftpError(`${current.map((f) => f.path).join(', ')} kept growing for ${rounds * seconds} s; the run stopped rather than read a file being written`, false);
}

async function sizeOf(session: SftpSession, ctx: RunContext, path: string): Promise<number> {
  return (await session.watch(`checking ${path}`, ctx.signal, () => session.client.stat(session.remote(path)))).size;
}

/** Downloads one file to `local`, checking that every byte arrived. */
export async function download(conn: SftpConnection, ctx: RunContext, file: RemoteFile, local: string): Promise<void> {
  await conn.use(`downloading ${file.path}`, async (session) => {
    const remote = session.remote(file.path);
    const size = await sizeOf(session, ctx, file.path);
    await session.watch(`downloading ${file.path}`, ctx.signal, (progress) => session.client.fastGet(remote, local, { ...TRANSFER, step: () => progress() }));
    const got = (await stat(local)).size;
    if (got !== size) throw new SftpError(`the download of ${file.path} from ${session.where} got ${got} of ${size} bytes`, true);
  });
}

/** What a successful run does with the files it read: leave, delete, or move them to `archive`. */
export async function afterRead(conn: SftpConnection, ctx: RunContext, file: RemoteFile, action: 'delete' | 'archive', archive?: string): Promise<void> {
  await conn.use(`${action === 'delete' ? 'deleting' : 'archiving'} ${file.path}`, async (session) => {
    const remote = session.remote(file.path);
    if (action === 'delete') {
      await session.watch(`deleting ${file.path}`, ctx.signal, () => session.client.delete(remote, true));
      return;
    }
    const folder = session.remote(archive!);
    if (!(await session.client.exists(folder))) await session.watch(`creating ${archive}`, ctx.signal, () => session.client.mkdir(folder, true));
    const target = posix.join(folder, `${posix.basename(file.path)}.${versionStamp(new Date())}`);
    await session.watch(`archiving ${file.path}`, ctx.signal, () => session.client.rename(remote, target));
  });
}
