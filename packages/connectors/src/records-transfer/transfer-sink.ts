// Sending a records package: each output of send.yaml stages one table's rows in memory; when the
// last one commits, the package is sealed (signed, encrypted to the receiver's registered key)
// and POSTed to the receiver's registered service address. Nothing is written anywhere; an abort
// (a failed or dry run) drops the rows.
import type { Row, RunContext, Settings, SinkWriteRequest, StagedWrite } from '@sisflow/core';
import { CommitGroups } from '../files/commit-group.js';
import { httpsRequest } from '../http/https-request.js';
import { tlsOptions } from '../http/https-settings.js';
import { seal, envelopeHash } from './envelope.js';
import { loadRegistry } from './registry.js';
import { privateKey, SIGNING_ALG, thumbprintOf } from './transfer-keys.js';

export interface PackageBody {
  request_id: string;
  /** The sender's permanent ID of the student (every row's ID). */
  student: { id: number | null };
  tables: Record<string, Row[]>;
}

interface Pending {
  connection: Settings;
  baseDir: string;
  signal: AbortSignal;
  log(message: string): void;
  tables: Map<string, Row[]>;
}

const packages = new CommitGroups<Pending>(async (p, commit) => {
  if (commit) await deliver(p);
  p.tables.clear();
}, 'another table of the package failed; nothing was sent');

export async function stagePackageTable(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const c = req.connection;
  const key = [c.district, c.to, c.request].map(String).join('|');
  const member = packages.join(key, () => ({ connection: c, baseDir: ctx.baseDir, signal: ctx.signal, log: ctx.log, tables: new Map() }));
  try {
    const table = String(req.settings.table).toUpperCase();
    if (member.resource.tables.has(table)) throw new Error(`two outputs send ${table}: a package carries each table once`);
    const rows: Row[] = [];
    for await (const batch of req.rows) for (const r of batch) rows.push(r);
    const ids = new Set(rows.map((r) => r.ID));
    if (ids.size > 1) throw new Error(`${table} has rows of ${ids.size} students; a package carries one student's records (filter the source by the student's ID)`);
    member.resource.tables.set(table, rows);
    return { result: { rows: rows.length, files: [] }, commit: member.commit, abort: member.abort };
  } catch (e) {
    await member.abort();
    throw e;
  }
}

async function deliver(p: Pending): Promise<void> {
  const c = p.connection;
  const ca = typeof c.ca === 'string' ? c.ca : undefined;
  const registry = await loadRegistry(String(c.registry), String(c.operator_key), { baseDir: p.baseDir, signal: p.signal, ...(ca ? { ca } : {}) });
  const me = registry.district(String(c.district), 'this (sending)');
  const receiver = registry.district(String(c.to), 'the receiving');
  const signing = await privateKey(String(c.signing_key), 'the signing key', SIGNING_ALG);
  if (signing.thumbprint !== (await thumbprintOf(me.signing_key))) {
    throw new Error(`the signing key is not the one the registry lists for district ${me.code}: register it (sisflow transfer keys prints the entry) before sending`);
  }
  const ids = new Set([...p.tables.values()].flatMap((rows) => rows.map((r) => r.ID)));
  if (ids.size > 1) throw new Error(`the package's tables hold ${ids.size} different students; a package carries one student's records`);
  const tables = Object.fromEntries([...p.tables.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  const body: PackageBody = { request_id: String(c.request), student: { id: (ids.values().next().value as number | undefined) ?? null }, tables };
  const envelope = await seal('package', body, { code: me.code, signingKey: signing.key, signingKid: signing.thumbprint }, receiver);
  const url = `${receiver.url.replace(/\/+$/, '')}/v1/packages`;
  const res = await httpsRequest(url, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: envelope, signal: p.signal, ...tlsOptions(ca ? c : { ...c, ca: undefined }) });
  if (res.status !== 202) throw new Error(`district ${receiver.code} refused the package (${res.status}): ${answer(res.body)}`);
  const rows = [...p.tables.values()].reduce((n, r) => n + r.length, 0);
  p.log(`records package for request ${String(c.request)} delivered to district ${receiver.code} at ${url}: ${rows} row(s), sha256 ${envelopeHash(envelope)}`);
}

/** The error a service answered, without echoing anything long. */
export function answer(body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: unknown }).error;
    if (typeof e === 'string') return e.slice(0, 300);
  } catch {
    // not JSON
  }
  return body.slice(0, 120) || 'no reason given';
}
