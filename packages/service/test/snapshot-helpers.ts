// Snapshots for the history tests: written through the guard's real spool, read back through a
// store's chunks, and packed the way sisflow kept them before chunks (one gzipped JSON), to test
// that a history written by an older sisflow is still read.
import { gzipSync } from 'node:zlib';
import type { Row } from '@sisflow/core';
import type { OutputSnapshot, SnapshotRows } from '@sisflow/service';
import { SnapshotSpool } from '../src/guard/snapshot-spool.js';
import { chunkKeys, chunkRows, keyEntry, type KeyEntry } from '../src/history/snapshot-chunks.js';

/** Students {ID, LN} with these IDs, spooled as a guard keyed by ID spools them; close() removes the spool. */
export async function spooled(runId: string, ids: number[]): Promise<SnapshotRows & { close(): void }> {
  const spool = new SnapshotSpool();
  for (const i of ids) {
    const row = { ID: i, LN: `N${i}` };
    spool.add(keyEntry(['ID'], row), row);
  }
  await spool.settle();
  return { runId, key: ['ID'], chunks: () => spool.chunks(), close: () => spool.close() };
}

export async function snapshotKeys(s: OutputSnapshot | undefined): Promise<KeyEntry[]> {
  const keys: KeyEntry[] = [];
  if (s) for await (const c of s.index()) keys.push(...chunkKeys(c.keys));
  return keys;
}

export async function snapshotRows(s: OutputSnapshot): Promise<Row[]> {
  let n = 0;
  for await (const _ of s.index()) n++;
  const rows: Row[] = [];
  for await (const { chunk } of s.chunks(Array.from({ length: n }, (_, i) => i))) rows.push(...chunkRows(chunk.data));
  return rows;
}

/** A snapshot as sisflow kept it before chunks (history schema SQLite 4 / PostgreSQL 3). */
export function legacyBlob(runId: string, key: string[], rows: Row[]): Buffer {
  return gzipSync(JSON.stringify({ runId, key, rows: rows.map((r) => [JSON.stringify(key.map((k) => r[k] ?? null)), r]) }));
}
