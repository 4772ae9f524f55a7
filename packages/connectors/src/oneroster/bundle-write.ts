// Spooling the files of a OneRoster bundle and publishing it once, checked, when the run commits;
// in delta mode only what changed since the last published run (delta.ts).
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, renameSync, existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { checkRelativePath } from '../files/paths.js';
import { Zip, ZipDeflate } from 'fflate';
import type { RunContext, Settings, SinkWriteRequest, StagedWrite, WrittenFile } from '@sisflow/core';
import { writeCsvRows } from '../csv/csv-writer.js';
import { AtomicFile } from '../files/atomic-file.js';
import { CommitGroups } from '../files/commit-group.js';
import { HashedFile } from '../files/hashed-file.js';
import { sftpUrl } from '../sftp/sftp-connector.js';
import { checkBundleStream, type BundleInput } from './check.js';
import { problemLine, problemSummary } from './problem-groups.js';
import { deltaFile } from './delta.js';
import { readBundle } from './read-bundle.js';
import { BUNDLE_CSV, MANIFEST_FILES } from './standard.js';

/** The bundle being written: its spool, and what publishing it needs. */
interface Bundle {
  spool: string;
  target: string;
  connection: Settings;
  ctx: RunContext;
}
const bundles = new CommitGroups<Bundle>(async (b, commit) => {
  try {
    if (commit) await publish(b.target, b.spool, b.connection, b.ctx);
  } finally {
    rmSync(b.spool, { recursive: true, force: true });
  }
}, 'another file of the same bundle failed; the bundle was not published');

export async function writeBundleFile(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const target = bundleTarget(req.connection, ctx.baseDir);
  // The last file of the bundle to commit publishes all of it.
  const member = bundles.join(target, () => ({ spool: mkdtempSync(join(tmpdir(), 'sisflow-oneroster-')), target, connection: req.connection, ctx }));
  const name = `${String(req.settings.file)}.csv`;
  const file = await HashedFile.create(join(member.resource.spool, name));
  try {
    const rows = await writeCsvRows({ ...req, settings: BUNDLE_CSV }, ctx, (chunk) => file.write(chunk));
    const content = await file.close(false);
    const written: WrittenFile = { path: `${target}#${name}`, ...content };
    return { result: { rows, files: [written] }, commit: member.commit, abort: member.abort };
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

async function publish(target: string, spool: string, connection: Settings, ctx: RunContext): Promise<void> {
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
  const problems = await checkBundleStream(bundle);
  if (problems.some((p) => p.severity === 'error')) throw new Error(`the bundle does not conform to OneRoster 1.1; nothing was published: ${problemSummary(problems)}`);
  for (const p of problems) ctx.warn(problemLine(p));
  if (connection.sftp) await uploadBundle(connection, bundle, spool, ctx);
  else await writeBundle(target, bundle);
  ctx.log(`published ${target} (${bundle.names.length} files)`);
  // The snapshot moves on only once the bundle is out.
  if (delta) await writeZip(snapshotPath(connection, ctx.baseDir), spoolInput(spool, full));
}

/** Files in a folder (and an optional manifest held in memory) as a bundle to check and zip. */
function spoolInput(dir: string, names: readonly string[], manifest?: Uint8Array): BundleInput {
  return {
    names: [...names, ...(manifest ? ['manifest.csv'] : [])].sort(),
    read: (name) => (name === 'manifest.csv' && manifest ? oneChunk(manifest) : createReadStream(join(dir, name), { highWaterMark: 256 * 1024 })),
  };
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

const ZIP_TIME = new Date('2000-01-01T00:00:00Z');

/**
 * A deterministic zip (sorted names, a fixed timestamp: the same data gives the same bytes),
 * streamed: each file is read and deflated a chunk at a time into `write`.
 */
async function zipStream(bundle: BundleInput, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const zip = new Zip();
  let written: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  zip.ondata = (err, chunk) => {
    if (err) failure = err;
    else written = written.then(() => write(chunk));
  };
  const settle = async () => {
    await written;
    if (failure) throw failure;
  };
  for (const name of [...bundle.names].sort()) {
    const entry = new ZipDeflate(name, { level: 6 });
    entry.mtime = ZIP_TIME;
    zip.add(entry);
    for await (const chunk of bundle.read(name)) {
      entry.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      await settle();
    }
    entry.push(new Uint8Array(0), true);
    await settle();
  }
  zip.end();
  await settle();
}

/** Uploads the zip under a temporary name beside `path` and renames it into place (sftp/upload.ts). */
async function uploadBundle(c: Settings, bundle: BundleInput, spool: string, ctx: RunContext): Promise<void> {
  const { SftpConnection, sftpSettings } = await import('../sftp/session.js');
  const { RemoteUpload } = await import('../sftp/upload.js');
  const local = await HashedFile.create(join(spool, '.bundle.zip'));
  try {
    await zipStream(bundle, (chunk) => local.write(chunk));
  } finally {
    await local.close(false).catch(() => undefined);
  }
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

/** A deterministic zip, written atomically. */
async function writeZip(path: string, bundle: BundleInput): Promise<void> {
  const f = await AtomicFile.create(path);
  try {
    await zipStream(bundle, (chunk) => f.write(chunk));
    await f.finish();
    await f.commit();
  } catch (e) {
    await f.abort();
    throw e;
  }
}

async function writeBundle(target: string, bundle: BundleInput): Promise<void> {
  if (target.endsWith('.zip')) return writeZip(target, bundle);
  // A folder: written beside the target, then swapped in.
  mkdirSync(dirname(target), { recursive: true });
  const fresh = `${target}.sisflow-new-${process.pid}`;
  const old = `${target}.sisflow-old-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh);
  for (const n of bundle.names) await pipeline(Readable.from(bundle.read(n)), createWriteStream(join(fresh, n)));
  if (existsSync(target)) renameSync(target, old);
  renameSync(fresh, target);
  rmSync(old, { recursive: true, force: true });
}
