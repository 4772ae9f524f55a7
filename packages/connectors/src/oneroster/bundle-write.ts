// Spooling the files of a OneRoster bundle and publishing it once, checked, when the run commits;
// in delta mode only what changed since the last published run (delta.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, renameSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { checkRelativePath } from '../files/paths.js';
import { zipSync } from 'fflate';
import type { RunContext, Settings, SinkWriteRequest, StagedWrite, WrittenFile } from '@sisflow/core';
import { writeCsvRows } from '../csv/csv-writer.js';
import { AtomicFile } from '../files/atomic-file.js';
import { CommitGroups } from '../files/commit-group.js';
import { HashedFile } from '../files/hashed-file.js';
import { sftpUrl } from '../sftp/sftp-connector.js';
import { checkBundle } from './check.js';
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
  // The whole files the outputs wrote; in delta mode they are also the next snapshot.
  const full = new Map<string, Uint8Array>(readdirSync(spool).sort().map((n) => [n, readFileSync(join(spool, n))]));
  const files = new Map(full);
  const manifest = ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.1', ...MANIFEST_FILES.map((f) => `file.${f},${full.has(`${f}.csv`) ? (delta ? 'delta' : 'bulk') : 'absent'}`), `source.systemName,${String(connection.system_name ?? 'sisflow')}`];
  const snapshot = snapshotPath(connection, ctx.baseDir);
  if (delta) {
    const previous = existsSync(snapshot) ? readBundle(snapshot) : undefined;
    for (const [n, bytes] of full) {
      const { bytes: changes, counts } = deltaFile(n.replace(/\.csv$/, ''), bytes, previous?.get(n), ctx.startedAt);
      files.set(n, changes);
      ctx.log(`${n}: ${counts.active} new or changed, ${counts.tobedeleted} to be deleted${previous ? '' : ' (no snapshot yet: everything is new)'}`);
    }
  }
  files.set('manifest.csv', Buffer.from(manifest.join('\r\n') + '\r\n'));
  const problems = checkBundle(files);
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map((p) => `${p.file}:${p.line}:${p.column} ${p.code} ${p.message}`);
    throw new Error(`the bundle does not conform to OneRoster 1.1 (${problems.length} problem(s)); nothing was published: ${shown.join('; ')}${problems.length > 5 ? '; …' : ''}`);
  }
  if (connection.sftp) await uploadBundle(connection, zipBytes(files), spool, ctx);
  else await writeBundle(target, files);
  ctx.log(`published ${target} (${files.size} files)`);
  // The snapshot moves on only once the bundle is out.
  if (delta) await writeZip(snapshot, full);
}

/** A deterministic zip: sorted names, a fixed timestamp, so the same data gives the same bytes. */
function zipBytes(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, bytes]) => [n, [bytes, { mtime: new Date('2000-01-01T00:00:00Z') }]])));
}

/** Uploads the zip under a temporary name beside `path` and renames it into place (sftp/upload.ts). */
async function uploadBundle(c: Settings, zipped: Uint8Array, spool: string, ctx: RunContext): Promise<void> {
  const { SftpConnection, sftpSettings } = await import('../sftp/session.js');
  const { RemoteUpload } = await import('../sftp/upload.js');
  const local = join(spool, '.bundle.zip');
  writeFileSync(local, zipped);
  const conn = new SftpConnection(sftpSettings(c.sftp as Settings), ctx);
  const upload = new RemoteUpload(conn, ctx, String(c.path), local, zipped.length, 0);
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
async function writeZip(path: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const zipped = zipBytes(files);
  const f = await AtomicFile.create(path);
  try {
    await f.write(zipped);
    await f.finish();
    await f.commit();
  } catch (e) {
    await f.abort();
    throw e;
  }
}

async function writeBundle(target: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  if (target.endsWith('.zip')) return writeZip(target, files);
  // A folder: written beside the target, then swapped in.
  mkdirSync(dirname(target), { recursive: true });
  const fresh = `${target}.sisflow-new-${process.pid}`;
  const old = `${target}.sisflow-old-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh);
  for (const [n, bytes] of files) writeFileSync(join(fresh, n), bytes);
  if (existsSync(target)) renameSync(target, old);
  renameSync(fresh, target);
  rmSync(old, { recursive: true, force: true });
}
