// The run-time half of the sftp connector: spooling, uploading and downloading (ssh2). Loaded on
// first use by sftp-connector.ts.
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { standaloneContext, testPause, type HeldContext, type HeldStage, type RunContext, type Settings, type SinkWriteRequest, type SourceBatch, type SourceReadRequest, type StagedMove, type StagedWrite } from '@sisflow/core';
import { readCsv } from '../csv/csv-reader.js';
import { companionPath, csvReadOptions } from '../csv/csv-settings.js';
import { patronProperties } from '../destiny/properties-file.js';
import { writeCsvRows } from '../csv/csv-writer.js';
import { HashedFile, type HashedContent } from '../files/hashed-file.js';
import { makeSpool } from '../files/spool.js';
import { checkRelativePath } from '../files/paths.js';
import { afterRead, download, findFiles, waitUntilStable } from './download.js';
import { SftpConnection, sftpSettings } from './session.js';
import { sftpUrl } from './sftp-connector.js';
import { finishRemoteMoves, RemoteUpload, type HeldUpload } from './upload.js';

export async function writeRemote(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const s = sftpSettings(req.connection);
  const path = checkRelativePath(String(req.settings.path), 'path');
  const spool = makeSpool('sftp');
  const local = join(spool.dir, basename(path));
  const conn = new SftpConnection(s, ctx);
  const cleanup = async () => {
    await conn.close();
    spool.remove();
  };
  const uploads: RemoteUpload[] = [];
  const abortAll = async () => {
    for (const u of uploads) await u.abort();
  };
  try {
    const file = await HashedFile.create(local);
    let rows: number;
    let content: HashedContent;
    try {
      rows = await writeCsvRows(req, ctx, (chunk) => file.write(chunk));
      content = await file.close(false);
    } catch (e) {
      await file.drop();
      throw e;
    }
    testPause('sftp:spooled');
    const files = [{ path: sftpUrl(req.connection, path), ...content }];
    const hashes = [content.sha256];
    const keep = (req.settings.keep_versions as number | undefined) ?? 0;
    const properties = companionPath(req.settings);
    if (properties) {
      // Destiny's mapping of the same columns goes up first: it only changes when the columns do,
      // so a failure between the two renames leaves a mapping that still fits the previous CSV.
      const text = Buffer.from(patronProperties(basename(path), req.schema), 'latin1');
      const propLocal = join(spool.dir, `properties-${basename(properties)}`);
      await writeFile(propLocal, text);
      const sha256 = createHash('sha256').update(text).digest('hex');
      uploads.push(new RemoteUpload(conn, ctx, properties, propLocal, text.length, keep));
      hashes.unshift(sha256);
      files.push({ path: sftpUrl(req.connection, properties), bytes: text.length, sha256 });
    }
    uploads.push(new RemoteUpload(conn, ctx, path, local, content.bytes, keep));
    for (const u of uploads) {
      if (req.dryRun) await u.preflight();
      else await u.stage();
    }
    return {
      result: { rows, files },
      // The runtime journals the moves before committing: a failed commit leaves the staged
      // uploads on the server for the next run to finish.
      commit: async () => {
        try {
          for (const u of uploads) await u.commit();
        } finally {
          await cleanup();
        }
      },
      abort: async () => {
        await abortAll();
        await cleanup();
      },
      ...(req.dryRun ? {} : { moves: uploads.map((u, k) => u.move(hashes[k]!)) }),
      hold: async () => {
        try {
          // Each upload (the properties file first, then the CSV) stays on the server under a held name.
          const parts: HeldUpload[] = [];
          for (const u of uploads) parts.push(await u.hold());
          return { files, state: { parts: parts.map((p) => ({ ...p })) } };
        } catch (e) {
          await abortAll();
          throw e;
        } finally {
          await cleanup();
        }
      },
    };
  } catch (e) {
    await abortAll();
    await cleanup();
    throw e;
  }
}

/** Finishes the journaled renames of a run killed while publishing (see RemoteUpload.move). */
export async function finishRemote(moves: StagedMove[], connection: Settings, ctx: RunContext): Promise<void> {
  const conn = new SftpConnection(sftpSettings(connection), ctx);
  try {
    await finishRemoteMoves(conn, ctx, moves);
  } finally {
    await conn.close();
  }
}

/** Publishes (or drops) an upload a held run left on the server, logging in with the connection as it is now. */
export async function heldRemote(action: 'publish' | 'discard', stage: HeldStage, hc: HeldContext): Promise<void> {
  const ctx = standaloneContext({ signal: hc.signal, log: hc.log });
  const conn = new SftpConnection(sftpSettings(hc.connection), ctx);
  try {
    // A stage of several uploads (a CSV and its Destiny properties file) keeps them as `parts`.
    const state = stage.state as unknown as { parts?: HeldUpload[] } & HeldUpload;
    for (const held of state.parts ?? [state]) {
      if (action === 'publish') await RemoteUpload.publishHeld(conn, ctx, held);
      else await RemoteUpload.discardHeld(conn, ctx, held);
    }
  } finally {
    await conn.close();
  }
}

export async function* readRemote(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const s = sftpSettings(req.connection);
  const pattern = checkRelativePath(String(req.settings.path), 'path');
  if (typeof req.settings.archive_dir === 'string') checkRelativePath(req.settings.archive_dir, 'archive_dir');
  const conn = new SftpConnection(s, ctx);
  const spool = makeSpool('sftp');
  try {
    let files = await findFiles(conn, ctx, pattern);
    if (files.length === 0) {
      await conn.close();
      if (req.settings.missing === 'empty') {
        ctx.warn(`no file ${pattern} on ${s.host}:${s.port}; read as empty`);
        return;
      }
      throw new Error(`no file ${pattern} on ${s.host}:${s.port}${s.dir ? ` in ${s.dir}` : ''}`);
    }
    const stable = (req.settings.stable_seconds as number | undefined) ?? 0;
    if (stable > 0) files = await waitUntilStable(conn, ctx, files, stable);
    const locals = [];
    for (const [i, f] of files.entries()) {
      const local = join(spool.dir, `${i}.csv`);
      await download(conn, ctx, f, local);
      locals.push({ file: f, local });
    }
    await conn.close();
    const after = req.settings.after as 'keep' | 'delete' | 'archive' | undefined;
    for (const { file, local } of locals) {
      if (after === 'delete' || after === 'archive') {
        ctx.afterSuccess(`${after === 'delete' ? 'deleting' : 'archiving'} ${file.path} on ${s.host}:${s.port}`, async () => {
          const again = new SftpConnection(s, ctx);
          try {
            await afterRead(again, ctx, file, after, req.settings.archive_dir as string | undefined);
          } finally {
            await again.close();
          }
        });
      }
      const stream = createReadStream(local, { highWaterMark: 256 * 1024 });
      try {
        yield* readCsv(stream, csvReadOptions(req.settings), ctx, req.batchSize, file.path);
      } finally {
        stream.destroy();
      }
    }
  } finally {
    await conn.close();
    spool.remove();
  }
}
