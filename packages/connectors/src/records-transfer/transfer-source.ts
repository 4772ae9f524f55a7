// Reading a received records package (receive.yaml): the file holds the envelope exactly as it
// arrived; it is decrypted in memory with this district's key and its signature verified against
// the registry on every read, so a package altered at rest is refused like one altered in transit.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Row, RunContext, Settings, SourceBatch, SourceReadRequest } from '@sisflow/core';
import { open } from './envelope.js';
import { loadRegistry } from './registry.js';
import type { PackageBody } from './transfer-sink.js';
import { KEY_WRAP_ALG, privateKey } from './transfer-keys.js';

/** Opens a package file: the verified message (sender, request, tables). */
export async function openPackageFile(connection: Settings, baseDir: string, signal?: AbortSignal) {
  const path = resolve(baseDir, String(connection.package));
  const envelope = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read the records package ${path}: ${e.code ?? e.message}`);
  });
  const ca = typeof connection.ca === 'string' ? connection.ca : undefined;
  const registry = await loadRegistry(String(connection.registry), String(connection.operator_key), { baseDir, ...(signal ? { signal } : {}), ...(ca ? { ca } : {}) });
  const key = await privateKey(String(connection.encryption_key), 'the encryption key', KEY_WRAP_ALG);
  const me = { code: String(connection.district), encryptionKey: key.key, encryptionKid: key.thumbprint };
  return open<PackageBody>(envelope, 'package', me, registry);
}

export async function* readPackageTable(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const { message } = await openPackageFile(req.connection, ctx.baseDir, ctx.signal);
  const table = String(req.settings.table).toUpperCase();
  const rows = message.tables?.[table];
  if (rows === undefined) {
    ctx.warn(`the package from district ${message.iss} has no ${table} rows`);
    return;
  }
  const names = req.schema.map((c) => c.name);
  const limit = req.limit ?? Infinity;
  let batch: Row[] = [];
  let n = 0;
  for (const r of rows) {
    if (n++ >= limit) break;
    batch.push(Object.fromEntries(names.map((k) => [k, r[k] ?? null])));
    if (batch.length >= req.batchSize) {
      yield { rows: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { rows: batch };
}
