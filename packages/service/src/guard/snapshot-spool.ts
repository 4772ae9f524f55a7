// The rows a guarded output streamed in this run, kept as snapshot chunks in a temporary file
// instead of in memory: read back chunk by chunk when the history keeps the snapshot, and row by
// row for the few sample rows of a guard report. The file is unlinked as soon as it is opened
// (where the system allows it), so a run killed at any point leaves nothing behind.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRaw, deflateRawSync } from 'node:zlib';
import type { Row } from '@sisflow/core';
import { ChunkBuilder, CHUNK_ROWS, chunkRows, DEFLATE, type KeyEntry, type SnapshotChunk } from '../history/snapshot-chunks.js';

/** rows, then the byte lengths of keys, digests and data. */
const HEADER = 16;
/** Chunks compressed on the thread pool at once. */
const IN_FLIGHT = 2;
/** Spool folders still on disk (where an open file cannot be unlinked): removed when the process exits. */
const linked = new Set<string>();
let exitHook = false;

export class SnapshotSpool {
  private readonly builder = new ChunkBuilder();
  private readonly fd: number;
  private readonly dir: string | undefined;
  /** Where each chunk starts in the file. */
  private readonly offsets: number[] = [];
  private end = 0;
  private closed = false;
  /** Chunks being compressed on the thread pool. */
  private inFlight = 0;
  /**
   * Buffers that held a chunk's data while the pool compressed it, for the next chunks: at most
   * IN_FLIGHT for a run, instead of a new 0.6 MB one a chunk (buffers that large, made and dropped
   * 250 times a million rows, raised the run's peak RSS by a few MB).
   */
  private readonly spare: Buffer[] = [];
  /** Every chunk taken so far written (or the first failure). */
  private written: Promise<void> = Promise.resolve();
  /** Rows added so far. */
  rows = 0;

  /** The digest of the row added last (low half, high half), until the next one. */
  readonly digest = this.builder.digest;

  constructor() {
    const dir = mkdtempSync(join(tmpdir(), 'sisflow-guard-'));
    const file = join(dir, 'rows.chunks');
    this.fd = openSync(file, 'w+', 0o600);
    try {
      unlinkSync(file);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      this.dir = dir;
      linked.add(dir);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => {
          for (const d of linked) rmSync(d, { recursive: true, force: true });
        });
      }
    }
  }

  /** Adds a row under its key; its content digest is in `digest` until the next row. */
  add(key: KeyEntry, row: Row): void {
    this.builder.add(key, row);
    this.rows++;
    if (this.builder.size === CHUNK_ROWS) this.compress();
  }

  /** Every chunk written, the rows added since the last one as a chunk too (every chunk but the last holds CHUNK_ROWS rows). */
  async settle(): Promise<void> {
    if (this.builder.size > 0) this.compress();
    await this.written;
  }

  /**
   * A full chunk's data is compressed on libuv's thread pool while the run goes on (a run's main
   * thread is its busiest: ~0.5 s of 1 M Destiny rows), at most IN_FLIGHT chunks at a time; past
   * that, in line. Unbounded, chunks waiting their turn on a loaded machine cost ~25 MB at 1 M rows.
   * Chunks are written to the file in their order, whichever compression ends first.
   */
  private compress(): void {
    const c = this.builder.takeUncompressed();
    let data: Promise<Buffer> | Buffer;
    if (this.inFlight < IN_FLIGHT) {
      this.inFlight++;
      const spare = this.spare.pop();
      const held = spare && spare.length >= c.data.length ? spare : Buffer.allocUnsafe(c.data.length + (c.data.length >> 3));
      c.data.copy(held);
      data = new Promise<Buffer>((resolve, reject) =>
        // Output buffers of an eighth of the data (deflate makes rows about a tenth of it): each 16 KB one of the default is a round trip to the pool.
        deflateRaw(held.subarray(0, c.data.length), { ...DEFLATE, chunkSize: Math.max(16384, c.data.length >> 3) }, (e, out) => {
          this.inFlight--;
          this.spare.push(held);
          if (e) reject(e);
          else resolve(out);
        }),
      );
    } else data = deflateRawSync(c.data, DEFLATE);
    const written = this.written.then(async () => this.write({ ...c, data: await data }));
    // Marked handled: a failure surfaces from settle(), and a run that fails first never settles.
    written.catch(() => {});
    this.written = written;
  }

  private write(c: SnapshotChunk): void {
    // A spool closed while a chunk was compressed: its descriptor may already be another file's.
    if (this.closed) return;
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(c.rows, 0);
    header.writeUInt32LE(c.keys.length, 4);
    header.writeUInt32LE(c.digests.length, 8);
    header.writeUInt32LE(c.data.length, 12);
    this.offsets.push(this.end);
    for (const part of [header, c.keys, c.digests, c.data]) {
      for (let at = 0; at < part.length; ) at += writeSync(this.fd, part, at, part.length - at, this.end + at);
      this.end += part.length;
    }
  }

  /**
   * The chunks, read from the file one at a time (once settled) into one buffer that each next
   * chunk reuses: a store copies a chunk before it asks for the next. (A buffer per chunk left
   * ~25 MB of garbage at 1 M rows, all at once at the end of a run, before the next collection.)
   */
  *chunks(): Iterable<SnapshotChunk> {
    this.ready();
    let scratch = Buffer.alloc(0);
    for (let i = 0; i < this.offsets.length; i++) {
      const at = this.offsets[i]!;
      const size = (this.offsets[i + 1] ?? this.end) - at;
      if (scratch.length < size) scratch = Buffer.alloc(Math.max(size, scratch.length * 2));
      this.readInto(scratch, at, size);
      yield parse(scratch.subarray(0, size));
    }
  }

  /** These rows (by their position in the run's stream), read back from their chunks. */
  rowsAt(positions: readonly number[]): Map<number, Row> {
    this.ready();
    const found = new Map<number, Row>();
    const bySeq = new Map<number, number[]>();
    for (const p of positions) bySeq.set(Math.floor(p / CHUNK_ROWS), [...(bySeq.get(Math.floor(p / CHUNK_ROWS)) ?? []), p]);
    for (const [seq, ps] of bySeq) {
      const rows = chunkRows(this.chunk(seq).data);
      for (const p of ps) found.set(p, rows[p - seq * CHUNK_ROWS]!);
    }
    return found;
  }

  private ready(): void {
    if (this.builder.size > 0 || this.offsets.length * CHUNK_ROWS < this.rows) throw new Error('the guard spool was read before it settled');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.dir) {
      rmSync(this.dir, { recursive: true, force: true });
      linked.delete(this.dir);
    }
  }

  private chunk(i: number): SnapshotChunk {
    const at = this.offsets[i]!;
    const b = Buffer.allocUnsafe((this.offsets[i + 1] ?? this.end) - at);
    this.readInto(b, at, b.length);
    return parse(b);
  }

  private readInto(b: Buffer, at: number, length: number): void {
    for (let got = 0; got < length; ) {
      const n = readSync(this.fd, b, got, length - got, at + got);
      if (n === 0) throw new Error('the guard spool file ended early');
      got += n;
    }
  }
}

/** A chunk as the spool file holds it: a header, then keys, digests and data (views into b). */
function parse(b: Buffer): SnapshotChunk {
  const [keys, digests] = [b.readUInt32LE(4), b.readUInt32LE(8)];
  const from = HEADER;
  return { rows: b.readUInt32LE(0), keys: b.subarray(from, from + keys), digests: b.subarray(from + keys, from + keys + digests), data: b.subarray(from + keys + digests, from + keys + digests + b.readUInt32LE(12)) };
}
