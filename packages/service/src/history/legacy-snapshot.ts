// Snapshots kept before chunked snapshots (history schema 4 and older): one gzipped JSON of
// `{ runId, key, rows: [[key JSON, row]…] }` per output. Read as chunks, so a history written by an
// older sisflow is judged against as before; the next publish replaces it with a chunked one.
import { gunzipSync } from 'node:zlib';
import type { Row } from '@sisflow/core';
import type { OutputSnapshot } from './history-store.js';
import { ChunkBuilder, CHUNK_ROWS, compressChunk, keyFromText, rowHasher, type SnapshotChunk } from './snapshot-chunks.js';

export function legacySnapshot(data: Buffer): OutputSnapshot {
  const v = JSON.parse(gunzipSync(data).toString('utf8')) as { runId: string; key: string[]; rows: [string, Row][] };
  let built: Promise<SnapshotChunk[]> | undefined;
  const chunks = () =>
    (built ??= rowHasher().then((hash) => {
      const builder = new ChunkBuilder(hash);
      const out: SnapshotChunk[] = [];
      for (const [key, row] of v.rows) {
        builder.add(keyFromText(key), row);
        if (builder.size === CHUNK_ROWS) out.push(compressChunk(builder.take()));
      }
      if (builder.size > 0) out.push(compressChunk(builder.take()));
      return out;
    }));
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
