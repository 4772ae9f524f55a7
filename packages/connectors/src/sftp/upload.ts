// Publishing a local file on an SFTP server so the final name never holds a partial file: upload
// under a temporary name beside it, check the size, and only at commit rename it over the final
// name (posix-rename where the server has it; else move the old file aside first). Optionally the
// previous file is kept as `NAME.YYYYMMDDTHHMMSSZ`, the newest N of them.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { RunContext, StagedMove } from '@sisflow/core';
import { HELD_PREFIX, TEMP_PREFIX } from '../files/atomic-file.js';
import { call, SftpError, TRANSFER, type SftpConnection, type SftpSession } from './session.js';

/** Temporary files of a killed run are removed by a later upload once they are this old. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export class RemoteUpload {
  private readonly temps = new Set<string>();
  private staged: { temp: string; final: string } | undefined;
  private readonly stamp: string;

  constructor(
    private readonly conn: SftpConnection,
    private readonly ctx: RunContext,
    /** The remote path relative to the connection's `dir`. */
    readonly path: string,
    private readonly local: string,
    private readonly bytes: number,
    private readonly keepVersions: number,
  ) {
    this.stamp = versionStamp(new Date());
  }

  /** For a dry run: log in and look at the folder, upload nothing. */
  async preflight(): Promise<void> {
    await this.conn.use(`checking ${this.path}`, async (session) => {
      const folder = posix.dirname(session.remote(this.path));
      const kind = await session.watch(`checking ${folder}`, this.ctx.signal, () => session.client.exists(folder));
      if (kind && kind !== 'd') throw new SftpError(`${folder} on ${session.where} is not a folder`, false);
      this.ctx.log(`dry run: ${session.where} accepted the login; ${folder} ${kind ? 'exists' : 'would be created'}`);
    });
  }

  /** Uploads under a temporary name and checks the size the server reports. */
  async stage(): Promise<void> {
    await this.conn.use(`uploading ${this.path}`, async (session) => {
      const final = session.remote(this.path);
      const folder = posix.dirname(final);
      await this.removeTemps(session);
      const kind = await session.watch(`checking ${folder}`, this.ctx.signal, () => session.client.exists(folder));
      if (!kind) await session.watch(`creating ${folder}`, this.ctx.signal, () => session.client.mkdir(folder, true));
      else if (kind !== 'd') throw new SftpError(`${folder} on ${session.where} is not a folder`, false);
      await this.removeStaleTemps(session, folder, posix.basename(final));
      const temp = posix.join(folder, `${TEMP_PREFIX}${posix.basename(final)}.${this.stamp}.${randomBytes(4).toString('hex')}`);
      this.temps.add(temp);
      await session.watch(`uploading ${this.path}`, this.ctx.signal, (progress) =>
        session.client.fastPut(this.local, temp, { ...TRANSFER, step: () => progress() }),
      );
      const size = (await session.watch(`checking ${this.path}`, this.ctx.signal, () => session.client.stat(temp))).size;
      if (size !== this.bytes) throw new SftpError(`the upload of ${this.path} to ${session.where} holds ${size} of ${this.bytes} bytes`, true);
      this.staged = { temp, final };
    });
  }

  /** The commit as a rename a later run can finish (finishRemoteMoves) if this one dies publishing. */
  move(sha256: string): StagedMove {
    if (!this.staged) throw new Error(`${this.path} was not uploaded`);
    return { from: this.staged.temp, to: this.staged.final, bytes: this.bytes, sha256 };
  }

  /** Renames the staged upload over the final name (keeping the previous version when asked). */
  async commit(): Promise<void> {
    const temp = this.staged?.temp;
    if (!temp) throw new Error(`${this.path} was not uploaded`);
    await this.conn.use(`publishing ${this.path}`, async (session, attempt) => {
      const final = session.remote(this.path);
      if (attempt > 0 && !(await session.client.exists(temp))) {
        // The connection dropped after the rename went through: the final name has our file.
        const size = (await session.client.stat(final)).size;
        if (size === this.bytes) return;
        throw new SftpError(`the upload of ${this.path} vanished from ${session.where} before it was published`, false);
      }
      if (this.keepVersions > 0 && (await session.client.exists(final))) await this.keepVersion(session, final);
      await replace(session, this.ctx.signal, temp, final);
      this.temps.delete(temp);
      if (this.keepVersions > 0) await this.prune(session, final);
    });
  }

  /**
   * Keeps the staged upload on the server under a held name (`.sisflow-held-NAME.…`, which no
   * later run removes) and says what the destination held then, for `publishHeld`.
   */
  async hold(): Promise<HeldUpload> {
    const temp = this.staged?.temp;
    if (!temp) throw new Error(`${this.path} was not uploaded`);
    return this.conn.use(`holding ${this.path}`, async (session) => {
      const final = session.remote(this.path);
      const held = posix.join(posix.dirname(final), `${HELD_PREFIX}${posix.basename(final)}.${this.stamp}.${randomBytes(4).toString('hex')}`);
      await session.watch(`holding ${this.path}`, this.ctx.signal, () => session.client.rename(temp, held));
      this.temps.delete(temp);
      this.staged = undefined;
      const before = await remoteStat(session, final, this.ctx.signal);
      const mtime = (await remoteStat(session, held, this.ctx.signal))!.mtime;
      return { held, path: this.path, bytes: this.bytes, mtime, before, keepVersions: this.keepVersions };
    });
  }

  /**
   * Publishes an upload held by another run: refused when the held file is gone or was changed,
   * or when the destination is not as it was when the run was held.
   */
  static async publishHeld(conn: SftpConnection, ctx: RunContext, h: HeldUpload): Promise<void> {
    await conn.use(`checking ${h.path}`, async (session) => {
      const held = await remoteStat(session, h.held, ctx.signal);
      if (!held) throw new SftpError(`the held stage of ${h.path} is gone from ${session.where} (${h.held})`, false);
      if (held.size !== h.bytes || held.mtime !== h.mtime) throw new SftpError(`the held stage of ${h.path} on ${session.where} was changed since the run (${held.size} bytes)`, false);
      const now = await remoteStat(session, session.remote(h.path), ctx.signal);
      if (!sameStat(now, h.before)) throw new SftpError(`${h.path} on ${session.where} changed since the run was held; run the spec again`, false);
    });
    const upload = new RemoteUpload(conn, ctx, h.path, '', h.bytes, h.keepVersions);
    upload.staged = { temp: h.held, final: h.path };
    await upload.commit();
  }

  static async discardHeld(conn: SftpConnection, ctx: RunContext, h: HeldUpload): Promise<void> {
    await conn.use(`removing ${h.held}`, (session) => session.watch(`removing ${h.held}`, ctx.signal, () => session.client.delete(h.held, true)));
  }

  /** Removes what this upload left on the server; never throws (the run already failed). */
  async abort(): Promise<void> {
    if (this.temps.size === 0) return;
    await this.conn.use('cleaning up', (session) => this.removeTemps(session), { retries: 0 }).catch((e: unknown) => {
      this.ctx.warn(`could not remove ${[...this.temps].join(', ')}: ${(e as Error).message}`);
    });
  }

  private async removeTemps(session: SftpSession): Promise<void> {
    for (const t of [...this.temps]) {
      await session.watch(`removing ${t}`, this.ctx.signal, () => session.client.delete(t, true));
      this.temps.delete(t);
    }
  }

  private async removeStaleTemps(session: SftpSession, folder: string, base: string): Promise<void> {
    const prefix = `${TEMP_PREFIX}${base}.`;
    const now = Date.now();
    const entries = await session.watch(`listing ${folder}`, this.ctx.signal, () => session.client.list(folder));
    for (const e of entries) {
      // A publish journal that a dry run left for the next run still needs its staged uploads.
      if (e.type === '-' && e.name.startsWith(prefix) && now - e.modifyTime > STALE_TEMP_MS && !this.ctx.journaled?.has(posix.join(folder, e.name))) {
        await session.watch(`removing ${e.name}`, this.ctx.signal, () => session.client.delete(posix.join(folder, e.name), true));
        this.ctx.log(`removed ${e.name}, left by an earlier run that did not finish`);
      }
    }
  }

  private async keepVersion(session: SftpSession, final: string): Promise<void> {
    const version = `${final}.${this.stamp}`;
    if (await session.client.exists(version)) return;
    try {
      // A hard link keeps the final name in place the whole time.
      await session.watch(`keeping ${version}`, this.ctx.signal, () => call((cb) => session.raw.ext_openssh_hardlink(final, version, cb)));
    } catch (e) {
      if (!unsupported(e)) throw e;
      await session.watch(`keeping ${version}`, this.ctx.signal, () => session.client.rename(final, version));
    }
  }

  private async prune(session: SftpSession, final: string): Promise<void> {
    const folder = posix.dirname(final);
    const base = posix.basename(final);
    const versions = (await session.watch(`listing ${folder}`, this.ctx.signal, () => session.client.list(folder)))
      .map((e) => e.name)
      .filter((n) => n.startsWith(`${base}.`) && /^\d{8}T\d{6}Z$/.test(n.slice(base.length + 1)))
      .sort()
      .reverse();
    for (const old of versions.slice(this.keepVersions)) {
      await session.watch(`removing ${old}`, this.ctx.signal, () => session.client.delete(posix.join(folder, old), true));
    }
  }
}

/** Renames `temp` over `final`: posix-rename where the server has it; else the old file is moved aside first. */
async function replace(session: SftpSession, signal: AbortSignal, temp: string, final: string): Promise<void> {
  try {
    await session.watch(`renaming to ${final}`, signal, () => session.client.posixRename(temp, final));
    return;
  } catch (e) {
    if (!unsupported(e)) throw e;
  }
  // Plain SFTP rename does not replace: move the old file aside, rename, then drop the old one.
  if (!(await session.client.exists(final))) {
    await session.watch(`renaming to ${final}`, signal, () => session.client.rename(temp, final));
    return;
  }
  const aside = `${temp}.old`;
  await session.watch(`moving ${final} aside`, signal, () => session.client.rename(final, aside));
  try {
    await session.watch(`renaming to ${final}`, signal, () => session.client.rename(temp, final));
  } catch (e) {
    await session.client.rename(aside, final).catch(() => undefined);
    throw e;
  }
  await session.client.delete(aside, true).catch(() => undefined);
}

/**
 * Finishes the renames of a run killed while publishing (the journal's moves): a staged upload
 * still there replaces its final name; one already renamed is recognised by its size. Previous
 * versions (`keep_versions`) are not kept for these: the run that made them is gone.
 */
export async function finishRemoteMoves(conn: SftpConnection, ctx: RunContext, moves: StagedMove[]): Promise<void> {
  await conn.use('finishing an interrupted publish', async (session) => {
    for (const m of moves) {
      if (await session.client.exists(m.from)) await replace(session, ctx.signal, m.from, m.to);
      else if (!(await session.client.exists(m.to)) || (await session.client.stat(m.to)).size !== m.bytes) {
        throw new SftpError(`the staged upload for ${m.to} on ${session.where} is gone and ${m.to} does not hold it (${m.from} was removed)`, false);
      }
    }
  });
}

/** A staged upload kept on the server for approval (plain JSON, in the run history). */
export interface HeldUpload {
  /** The held file's remote path. */
  held: string;
  /** The destination, relative to the connection's `dir`. */
  path: string;
  bytes: number;
  mtime: number;
  /** The destination's size and modification time when the run was held (null: no file). */
  before: { size: number; mtime: number } | null;
  keepVersions: number;
}

async function remoteStat(session: SftpSession, path: string, signal: AbortSignal): Promise<{ size: number; mtime: number } | null> {
  const kind = await session.watch(`checking ${path}`, signal, () => session.client.exists(path));
  if (!kind) return null;
  const s = await session.watch(`checking ${path}`, signal, () => session.client.stat(path));
  return { size: s.size, mtime: s.modifyTime };
}

function sameStat(a: { size: number; mtime: number } | null, b: { size: number; mtime: number } | null): boolean {
  return a === null || b === null ? a === b : a.size === b.size && a.mtime === b.mtime;
}

/** `20261123T053000Z`: sorts by time, safe in file names everywhere. */
export function versionStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function unsupported(e: unknown): boolean {
  return /does not support/i.test((e as Error)?.message ?? '');
}
