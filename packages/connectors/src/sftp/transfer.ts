// The run-time half of the sftp connector: spooling, uploading and downloading (ssh2). Loaded on
// first use by sftp-connector.ts.
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { RunContext, SinkWriteRequest, SourceBatch, SourceReadRequest, StagedWrite } from '@sisflow/core';
import { readCsv } from '../csv/csv-reader.js';
import { companionPath, csvReadOptions } from '../csv/csv-settings.js';
import { patronProperties } from '../destiny/properties-file.js';
import { writeCsvRows } from '../csv/csv-writer.js';
import { HashedFile, type HashedContent } from '../files/hashed-file.js';
import { checkRelativePath } from '../files/paths.js';
import { afterRead, download, findFiles, waitUntilStable } from './download.js';
import { SftpConnection, sftpSettings } from './session.js';
import { sftpUrl } from './sftp-connector.js';
import { RemoteUpload } from './upload.js';

export async function writeRemote(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const s = sftpSettings(req.connection);
  const path = checkRelativePath(String(req.settings.path), 'path');
  const spoolDir = await mkdtemp(join(tmpdir(), 'sisflow-sftp-'));
  const local = join(spoolDir, basename(path));
  const conn = new SftpConnection(s, ctx);
  const cleanup = async () => {
    await conn.close();
    await rm(spoolDir, { recursive: true, force: true });
  };
  const uploads: RemoteUpload[] = [];
  const abortAll = async () => {
    for (const u of uploads) await u.abort();
  };
  try {
    const spool = await HashedFile.create(local);
    let rows: number;
    let content: HashedContent;
    try {
      rows = await writeCsvRows(req, ctx, (chunk) => spool.write(chunk));
      content = await spool.close(false);
    } catch (e) {
      await spool.drop();
      throw e;
    }
    const files = [{ path: sftpUrl(req.connection, path), ...content }];
    const keep = (req.settings.keep_versions as number | undefined) ?? 0;
    const properties = companionPath(req.settings);
    if (properties) {
      // Destiny's mapping of the same columns goes up first: it only changes when the columns do,
      // so a failure between the two renames leaves a mapping that still fits the previous CSV.
      const text = Buffer.from(patronProperties(basename(path), req.schema), 'latin1');
      const propLocal = join(spoolDir, `properties-${basename(properties)}`);
      await writeFile(propLocal, text);
      uploads.push(new RemoteUpload(conn, ctx, properties, propLocal, text.length, keep));
      files.push({ path: sftpUrl(req.connection, properties), bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') });
    }
    uploads.push(new RemoteUpload(conn, ctx, path, local, content.bytes, keep));
    for (const u of uploads) {
      if (req.dryRun) await u.preflight();
      else await u.stage();
    }
    return {
      result: { rows, files },
      commit: async () => {
        try {
          for (const u of uploads) await u.commit();
        } catch (e) {
          await abortAll();
          throw e;
        } finally {
          await cleanup();
        }
      },
      abort: async () => {
        await abortAll();
        await cleanup();
      },
    };
  } catch (e) {
    await abortAll();
    await cleanup();
    throw e;
  }
}

export async function* readRemote(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const s = sftpSettings(req.connection);
  const pattern = checkRelativePath(String(req.settings.path), 'path');
  if (typeof req.settings.archive_dir === 'string') checkRelativePath(req.settings.archive_dir, 'archive_dir');
  const conn = new SftpConnection(s, ctx);
  const spoolDir = await mkdtemp(join(tmpdir(), 'sisflow-sftp-'));
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
      const local = join(spoolDir, `${i}.csv`);
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
    await rm(spoolDir, { recursive: true, force: true });
  }
}
