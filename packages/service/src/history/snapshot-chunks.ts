// A guard's snapshot as the history keeps it: the rows of a guarded output in chunks of a few
// thousand, each chunk holding the rows' keys and content digests apart from the rows themselves.
// A run compares with the last published output by reading keys and digests only (a few bytes a
// row); it opens a chunk's rows only for the handful of sample rows a guard report shows.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import xxhash from 'xxhash-wasm';
import type { Row } from '@sisflow/core';

/** Rows a chunk holds (the last chunk of a snapshot holds the rest). */
export const CHUNK_ROWS = 4096;

/** One chunk, as both stores keep it. */
export interface SnapshotChunk {
  rows: number;
  /** The rows' keys: deflate of a JSON array of key entries (see KeyEntry). */
  keys: Buffer;
  /** 8 bytes a row, little-endian: the 64-bit xxHash of each row's content. */
  digests: Buffer;
  /** The rows: deflate of the JSON array `[columns, row…]`, a row being its values in the columns' order, or the row object itself when its columns differ. */
  data: Buffer;
}

/**
 * A row's key as kept: the key column's value when it is a text or a whole number (the usual
 * District ID), else `[JSON of the key values]` (several columns, nulls, other values). Two rows
 * have the same key exactly when the JSON of their key values is the same, as it always was.
 */
export type KeyEntry = string | number | [string];

/** The key of a row under the key columns. */
export function keyEntry(key: readonly string[], row: Row): KeyEntry {
  if (key.length === 1) {
    const v = row[key[0]!];
    if (typeof v === 'string' || isWholeNumber(v)) return v as string | number;
  }
  return keyFromText(JSON.stringify(key.map((k) => row[k] ?? null)));
}

/** The key entry of the JSON of a row's key values (how the old snapshots kept keys). */
export function keyFromText(text: string): KeyEntry {
  const values = JSON.parse(text) as unknown[];
  if (values.length === 1 && (typeof values[0] === 'string' || isWholeNumber(values[0]))) return values[0] as string | number;
  return [text];
}

function isWholeNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export type RowHasher = Awaited<ReturnType<typeof xxhash>>;
let hasher: Promise<RowHasher> | undefined;

/** xxHash (WebAssembly), loaded once. */
export function rowHasher(): Promise<RowHasher> {
  return (hasher ??= xxhash());
}

/**
 * Builds chunks row by row. A row's digest is the 64-bit xxHash of the JSON of its values, seeded
 * with the hash of its column names: two rows have the same digest when their JSON was the same
 * (same columns in the same order, same values), as the guard compared them before.
 */
export class ChunkBuilder {
  private keys: KeyEntry[] = [];
  private texts: string[] = [];
  private digests = Buffer.alloc(CHUNK_ROWS * 8);
  private columns: string[] | undefined;
  private columnsSeed = 0n;

  constructor(private readonly hash: RowHasher) {}

  get size(): number {
    return this.keys.length;
  }

  /** Adds a row; its digest. */
  add(key: KeyEntry, row: Row): bigint {
    // The usual row has the chunk's columns: checked while its values are taken, without a list of its names.
    const columns = this.columns;
    const values: unknown[] = [];
    let same = columns !== undefined;
    for (const n in row) {
      const v = row[n];
      if (v === undefined) continue;
      if (same && columns![values.length] !== n) same = false;
      values.push(v);
    }
    if (same && values.length !== columns!.length) same = false;
    const valuesText = JSON.stringify(values);
    let seed = this.columnsSeed;
    if (!same) {
      const names = Object.keys(row).filter((n) => row[n] !== undefined);
      seed = this.hash.h64(JSON.stringify(names));
      if (!columns) {
        this.columns = names;
        this.columnsSeed = seed;
        same = true;
      }
    }
    const digest = this.hash.h64(valuesText, seed);
    this.digests.writeBigUInt64LE(digest, this.keys.length * 8);
    this.keys.push(key);
    this.texts.push(same ? valuesText : JSON.stringify(row));
    return digest;
  }

  /** The rows added since the last chunk, as the texts a chunk compresses (`compressChunk`). */
  take(): ChunkTexts {
    const rows = this.keys.length;
    const texts: ChunkTexts = {
      rows,
      keys: JSON.stringify(this.keys),
      digests: Buffer.from(this.digests.subarray(0, rows * 8)),
      data: `[${JSON.stringify(this.columns ?? [])}${rows ? ',' : ''}${this.texts.join(',')}]`,
    };
    this.keys = [];
    this.texts = [];
    this.columns = undefined;
    return texts;
  }
}

/** A chunk before compression. */
export interface ChunkTexts {
  rows: number;
  keys: string;
  digests: Buffer;
  data: string;
}

/** Fast deflate: a chunk is written once a run and read for a handful of rows. */
const DEFLATE = { level: 1 };

export function compressChunk(t: ChunkTexts): SnapshotChunk {
  return { rows: t.rows, keys: deflateRawSync(t.keys, DEFLATE), digests: t.digests, data: deflateRawSync(t.data, DEFLATE) };
}


export function chunkKeys(keys: Buffer): KeyEntry[] {
  return JSON.parse(inflateRawSync(keys).toString('utf8')) as KeyEntry[];
}

export function chunkRows(data: Buffer): Row[] {
  const [columns, ...entries] = JSON.parse(inflateRawSync(data).toString('utf8')) as [string[], ...(unknown[] | Row)[]];
  return entries.map((e) => {
    if (!Array.isArray(e)) return e;
    const row: Row = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = e[i];
    return row;
  });
}
