// Snapshots kept before chunked snapshots (history schema 4 and older): one gzipped JSON of
// `{ runId, key, rows: [[key JSON, row]…] }` per output. Read as chunks, so a history written by an
// older sisflow is judged against as before; the next publish replaces it with a chunked one.
import { gunzipSync } from 'node:zlib';
import type { Row } from '@sisflow/core';
import type { OutputSnapshot } from './history-store.js';
import { ChunkBuilder, CHUNK_ROWS, keyFromText, type SnapshotChunk } from './snapshot-chunks.js';

export function legacySnapshot(data: Buffer): OutputSnapshot {
  const v = JSON.parse(gunzipSync(data).toString('utf8')) as { runId: string; key: string[]; rows: [string, Row][] };
  let built: SnapshotChunk[] | undefined;
  const chunks = async () => {
    if (built) return built;
    const builder = new ChunkBuilder();
    built = [];
    for (const [key, row] of v.rows) {
      builder.add(keyFromText(key), row);
      if (builder.size === CHUNK_ROWS) built.push(builder.take());
    }
    if (builder.size > 0) built.push(builder.take());
    return built;
  };
  return {
    runId: v.runId,
    key: v.key,
    rows: v.rows.length,
    async *index() {
      yield* await chunks();
    },
    async *chunks(seqs) {
      const all = await chunks();
      for (const seq of seqs) if (all[seq]) yield { seq, chunk: all[seq]! };
    },
  };
}
