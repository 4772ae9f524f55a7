// Spooling the files of a OneRoster bundle and publishing it once, checked, when the run commits;
// in delta mode only what changed since the last published run (delta.ts).
import { createWriteStream, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, renameSync, existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkRelativePath } from '../files/paths.js';
import type { RunContext, Settings, SinkWriteRequest, StagedWrite, WrittenFile } from '@sisflow/core';
import { writeCsvRows } from '../csv/csv-writer.js';
import { CommitGroups } from '../files/commit-group.js';
import { HashedFile } from '../files/hashed-file.js';
import { makeSpool, type Spool } from '../files/spool.js';
import { sftpUrl } from '../sftp/sftp-connector.js';
import { checkBundleStream, type BundleInput } from './check.js';
import { problemLine, problemSummary } from './problem-groups.js';
import { deltaFile } from './delta.js';
import { readBundle } from './read-bundle.js';
import { BUNDLE_CSV, MANIFEST_FILES } from './standard.js';
import { spoolInput, writeZip, zipStream } from './bundle-zip.js';
import { holdBundle, type HeldBundle } from './held-bundle.js';

/** The bundle being written: its spool, and what publishing it needs. */
interface Bundle {
  spool: Spool;
  target: string;
  connection: Settings;
  ctx: RunContext;
}
const bundles = new CommitGroups<Bundle>(async (b, commit) => {
  try {
    if (commit) await publish(b.target, b.spool.dir, b.connection, b.ctx);
  } finally {
    b.spool.remove();
  }
}, 'another file of the same bundle failed; the bundle was not published');

export async function writeBundleFile(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const target = bundleTarget(req.connection, ctx.baseDir);
  // The last file of the bundle to commit publishes all of it.
  const member = bundles.join(target, () => ({ spool: makeSpool('oneroster'), target, connection: req.connection, ctx }));
  const name = `${String(req.settings.file)}.csv`;
  const file = await HashedFile.create(join(member.resource.spool.dir, name));
  try {
    const rows = await writeCsvRows({ ...req, settings: BUNDLE_CSV }, ctx, (chunk) => file.write(chunk));
    const content = await file.close(false);
    const written: WrittenFile = { path: `${target}#${name}`, ...content };
    return {
      result: { rows, files: [written] },
      commit: member.commit,
      abort: member.abort,
      // A held run keeps the whole bundle once, built by the first file to hold; every file's stage names it.
      hold: async () => ({ files: [written], state: { ...(await member.hold((b) => keepBundle(b, name))), file: name } as unknown as Settings }),
    };
  } catch (e) {
    await file.drop();
    await member.abort();
    throw e;
  }
}

/** Where the bundle goes: a local path, or `sftp://host:port/dir/path` for one delivered over SFTP. */
function bundleTarget(c: Settings, baseDir: string): string {
  checkRelativePath(String(c.path), 'the bundle path');
  if (typeof c.snapshot === 'string') checkRelativePath(c.snapshot, 'the snapshot path');
  const sftp = c.sftp as Settings | undefined;
  return sftp ? sftpUrl(sftp, String(c.path)) : resolve(baseDir, String(c.path));
}

/** Where a delta bundle keeps the snapshot it compares the next run with: beside a local bundle (hidden), in the spec's folder for a remote one. */
export function snapshotPath(c: Settings, baseDir: string): string {
  if (typeof c.snapshot === 'string') return resolve(baseDir, c.snapshot);
  const local = c.sftp ? resolve(baseDir, basename(String(c.path))) : resolve(baseDir, String(c.path));
  return join(dirname(local), `.${basename(local)}.snapshot.zip`);
}

/** The bundle as it is published: manifest written, checked; in delta mode the whole files too, for the next snapshot. */
export interface AssembledBundle {
  bundle: BundleInput;
  /** Delta mode: the whole files the outputs wrote, which become the snapshot once the bundle is out. */
  full?: BundleInput;
}

async function assemble(spool: string, connection: Settings, ctx: RunContext): Promise<AssembledBundle> {
  const delta = connection.mode === 'delta';
  // The whole files the outputs wrote (in delta mode, also the next snapshot), on disk.
  const full = readdirSync(spool).filter((n) => n.endsWith('.csv')).sort();
  let dir = spool;
  let names = full;
  if (delta) {
    dir = join(spool, 'delta');
    mkdirSync(dir);
    names = [];
    const snapshot = snapshotPath(connection, ctx.baseDir);
    const previous = existsSync(snapshot) ? readBundle(snapshot) : undefined;
    for (const n of full) {
      const { bytes: changes, counts } = deltaFile(n.replace(/\.csv$/, ''), readFileSync(join(spool, n)), previous?.get(n), ctx.startedAt);
      ctx.log(`${n}: ${counts.active} new or changed, ${counts.tobedeleted} to be deleted${previous ? '' : ' (no snapshot yet: everything is new)'}`);
      // A file with no changes has nothing to say: it is left out and declared absent (a
      // header-only file would be read by some consumers as "no records").
      if (counts.active + counts.tobedeleted === 0) continue;
      writeFileSync(join(dir, n), changes);
      names.push(n);
    }
  }
  const manifest = ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.1', ...MANIFEST_FILES.map((f) => `file.${f},${names.includes(`${f}.csv`) ? (delta ? 'delta' : 'bulk') : 'absent'}`), `source.systemName,${String(connection.system_name ?? 'sisflow')}`];
  const bundle = spoolInput(dir, names, Buffer.from(manifest.join('\r\n') + '\r\n'));
  // Checked and zipped as streams, a file at a time: memory holds sourcedIds and a deflate window,
  // never a file or the zip.
  ctx.log(`checking the bundle against OneRoster 1.1 (${bundle.names.length} files)`);
  const problems = await checkBundleStream(bundle);
  if (problems.some((p) => p.severity === 'error')) throw new Error(`the bundle does not conform to OneRoster 1.1; nothing was published: ${problemSummary(problems)}`);
  for (const p of problems) ctx.warn(problemLine(p));
  return { bundle, ...(delta ? { full: spoolInput(spool, full) } : {}) };
}

async function publish(target: string, spool: string, connection: Settings, ctx: RunContext): Promise<void> {
  const { bundle, full } = await assemble(spool, connection, ctx);
  ctx.log(`the bundle conforms; writing ${target}`);
  if (connection.sftp) await uploadBundle(connection, bundle, spool, ctx);
  else await writeBundle(target, bundle);
  ctx.log(`published ${target} (${bundle.names.length} files)`);
  // The snapshot moves on only once the bundle is out.
  if (full) await writeZip(snapshotPath(connection, ctx.baseDir), full);
}

/** Builds, checks and stages the bundle exactly as `publish` would, and keeps it for approval (held-bundle.ts). */
async function keepBundle(b: Bundle, carrier: string): Promise<HeldBundle> {
  const assembled = await assemble(b.spool.dir, b.connection, b.ctx);
  return holdBundle({ target: b.target, spool: b.spool.dir, connection: b.connection, ctx: b.ctx, carrier, snapshot: snapshotPath(b.connection, b.ctx.baseDir) }, assembled);
}

/** Zips the bundle into the spool, the local file an SFTP delivery uploads. */
export async function zipInSpool(bundle: BundleInput, spool: string): Promise<HashedFile> {
  const local = await HashedFile.create(join(spool, '.bundle.zip'));
  try {
    await zipStream(bundle, (chunk) => local.write(chunk));
  } finally {
    await local.close(false).catch(() => undefined);
  }
  return local;
}

/** Uploads the zip under a temporary name beside `path` and renames it into place (sftp/upload.ts). */
async function uploadBundle(c: Settings, bundle: BundleInput, spool: string, ctx: RunContext): Promise<void> {
  const { SftpConnection, sftpSettings } = await import('../sftp/session.js');
  const { RemoteUpload } = await import('../sftp/upload.js');
  const local = await zipInSpool(bundle, spool);
  const conn = new SftpConnection(sftpSettings(c.sftp as Settings), ctx);
  const upload = new RemoteUpload(conn, ctx, String(c.path), local.path, local.size, 0);
  try {
    await upload.stage();
    await upload.commit();
  } catch (e) {
    await upload.abort();
    throw e;
  } finally {
    await conn.close();
  }
}

async function writeBundle(target: string, bundle: BundleInput): Promise<void> {
  if (target.endsWith('.zip')) return writeZip(target, bundle);
  // A folder: written beside the target, then swapped in.
  mkdirSync(dirname(target), { recursive: true });
  const fresh = `${target}.sisflow-new-${process.pid}`;
  await writeFolder(fresh, bundle);
  swapFolder(fresh, target);
}

/** The bundle's files in a new folder `dir` (anything there before is removed first). */
export async function writeFolder(dir: string, bundle: BundleInput): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const n of bundle.names) await pipeline(Readable.from(bundle.read(n)), createWriteStream(join(dir, n)));
}

/** Puts the folder `fresh` in the place of `target` (two renames; the old folder is removed after). */
export function swapFolder(fresh: string, target: string): void {
  const old = `${target}.sisflow-old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(fresh, target);
  rmSync(old, { recursive: true, force: true });
}
