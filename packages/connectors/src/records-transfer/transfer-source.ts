// Reading a received records package (receive.yaml): the file holds the envelope exactly as it
// arrived; it is decrypted in memory with this district's key and its signature verified against
// the registry on every read, so a package altered at rest is refused like one altered in transit.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Row, RowSchema, RunContext, Settings, SourceBatch, SourceReadRequest } from '@sisflow/core';
import { open } from './envelope.js';
import { loadRegistry } from './registry.js';
import type { PackageBody } from './transfer-sink.js';
import { KEY_WRAP_ALG, privateKey } from './transfer-keys.js';

/** Opens the package received for the connection's request: the verified message (sender, request, tables). */
export async function openPackageFile(connection: Settings, baseDir: string, signal?: AbortSignal) {
  const request = String(connection.request);
  // The schema's pattern holds at compile time; checked again here because a plan can be edited.
  if (!/^[A-Za-z0-9-]{8,64}$/.test(request)) throw new Error('the request ID must be 8–64 letters, digits or dashes');
  const path = join(resolve(baseDir, String(connection.packages_dir)), `${request}.jwe`);
  const envelope = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read the records package ${path}: ${e.code ?? e.message}`);
  });
  const ca = typeof connection.ca === 'string' ? connection.ca : undefined;
  const registry = await loadRegistry(String(connection.registry), String(connection.operator_key), { baseDir, ...(signal ? { signal } : {}), ...(ca ? { ca } : {}) });
  const key = await privateKey(String(connection.encryption_key), 'the encryption key', KEY_WRAP_ALG);
  const me = { code: String(connection.district), encryptionKey: key.key, encryptionKid: key.thumbprint };
  const opened = await open<PackageBody>(envelope, 'package', me, registry);
  // A package is bound to its request: one filed under another request's name is not read.
  if (opened.message.request_id !== request) throw new Error(`the package filed for request ${request} answers request ${String(opened.message.request_id)}`);
  return opened;
}

export async function* readPackageTable(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const { message } = await openPackageFile(req.connection, ctx.baseDir, ctx.signal);
  const table = String(req.settings.table).toUpperCase();
  const rows = message.tables?.[table];
  if (rows === undefined) {
    ctx.warn(`the package from district ${message.iss} has no ${table} rows`);
    return;
  }
  if (!Array.isArray(rows)) throw new Error(`the package from district ${message.iss} holds ${table} as something other than a list of records`);
  const limit = req.limit ?? Infinity;
  let batch: Row[] = [];
  let n = 0;
  for (const r of rows as unknown[]) {
    if (n++ >= limit) break;
    // Signed by a registered district is not the same as well-formed: each value must have its
    // catalog column's type before it goes near a table sink.
    const problem = badValue(r, req.schema);
    if (problem) {
      ctx.reject({ line: n, reason: `${table} record ${n}: ${problem}` });
      continue;
    }
    const rec = r as Row;
    batch.push(Object.fromEntries(req.schema.map((c) => [c.name, rec[c.name] ?? null])));
    if (batch.length >= req.batchSize) {
      yield { rows: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { rows: batch };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Why a received record does not fit the table's columns, or undefined when it does. */
function badValue(r: unknown, schema: RowSchema): string | undefined {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return 'not a record';
  const rec = r as Row;
  for (const c of schema) {
    const v = rec[c.name];
    if (v === null || v === undefined) {
      if (!c.type.nullable) return `${c.name} is missing`;
      continue;
    }
    const ok =
      c.type.kind === 'int' ? Number.isSafeInteger(v)
      : c.type.kind === 'decimal' ? typeof v === 'number' && Number.isFinite(v)
      : c.type.kind === 'bool' ? typeof v === 'boolean'
      : c.type.kind === 'date' ? typeof v === 'string' && DATE.test(v)
      : c.type.kind === 'datetime' ? typeof v === 'string' && DATETIME.test(v)
      : typeof v === 'string';
    if (!ok) return `${c.name} is not ${c.type.kind === 'int' ? 'an integer' : `a ${c.type.kind}`}`;
  }
  return undefined;
}
