// A guard's snapshot as the history keeps it: the rows of a guarded output in chunks of a few
// thousand, each chunk holding the rows' keys and content digests apart from the rows themselves.
// A run compares with the last published output by reading keys and digests only (a few bytes a
// row); it opens a chunk's rows only for the handful of sample rows a guard report shows.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { asciiStops, canonicalNumber, encodeUtf8, type Row } from '@sisflow/core';
import { murmur64 } from './row-digest.js';

/** Rows a chunk holds (the last chunk of a snapshot holds the rest). */
export const CHUNK_ROWS = 4096;

/** One chunk, as both stores keep it. */
export interface SnapshotChunk {
  rows: number;
  /** The rows' keys (see KeyEntry): see `encodeKeys`. */
  keys: Buffer;
  /** 8 bytes a row, little-endian (low half, then high half), the digest of each row's content (see ChunkBuilder), then a trailer marking the digest's kind (`currentDigests`). */
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

/** Marks a chunk's digests as the ones ChunkBuilder makes (DIGEST_VERSION); a chunk without it was digested with xxHash by sisflow before. */
const DIGESTS_TRAILER = Buffer.from('sfd2', 'latin1');

/**
 * Whether a chunk's digests are the ones this sisflow makes: when they are not (a snapshot kept
 * by an older sisflow, whose digests were xxHash64 of the same JSON), its rows are digested again
 * (see `digestRows`), so an upgrade never reports every row as changed.
 */
export function currentDigests(c: SnapshotChunk): boolean {
  const n = c.rows * 8;
  return c.digests.length === n + DIGESTS_TRAILER.length && c.digests.subarray(n).equals(DIGESTS_TRAILER);
}

/** The digests of these rows (under these keys), as ChunkBuilder makes them: 8 bytes a row, low half first. */
export function digestRows(rows: readonly Row[]): Uint32Array {
  const builder = new ChunkBuilder();
  const out = new Uint32Array(rows.length * 2);
  rows.forEach((row, i) => {
    builder.add(0, row);
    out[2 * i] = builder.digest[0]!;
    out[2 * i + 1] = builder.digest[1]!;
    if (builder.size === CHUNK_ROWS) builder.take();
  });
  return out;
}

/** Node's Buffer#utf8Write: what Buffer#write calls after checking its arguments (a third of a run's guard time went to those checks). */
interface Utf8Writable {
  utf8Write(text: string, offset: number): number;
}

/**
 * The names are hashed under another seed than the values: under the same one, a row whose values
 * have the JSON of its names (`{"a": "a"}`, or `{}`) would digest to 0, as would every such row.
 */
const NAMES_SEED = 0x5bd1e995;

/** The ASCII characters JSON.stringify escapes in a text: control characters, `"` and `\`. */
const JSON_ESCAPED = asciiStops([...Array.from({ length: 0x20 }, (_, c) => c), 0x22, 0x5c]);

/** Room for the first rows of a chunk (grown by doubling, kept from one chunk to the next). */
const DATA_BYTES = 1 << 20;

/**
 * Builds chunks row by row. Each row's JSON (`[values…]`) is written straight into one byte buffer
 * the builder keeps from chunk to chunk (no text is held: the strings of a row die young), and its
 * digest is MurmurHash3 (x86, 128 bits, the first 64 kept) of those bytes, combined (xor) with the
 * same hash (another seed) of the JSON of its column names: two rows have the same digest when
 * their values have the same JSON and their columns the same names in the same order
 * (docs/operations.md, "What a guard costs", gives the odds that two different rows do).
 */
export class ChunkBuilder {
  private keys: KeyEntry[] = [];
  /** `[columns,row,row…`: the chunk's data so far, uncompressed. */
  private data = Buffer.allocUnsafe(DATA_BYTES) as Buffer & Utf8Writable;
  private at = 0;
  private digests = new Uint32Array(CHUNK_ROWS * 2);
  private columns: string[] | undefined;
  /** A row's values, reused row after row (the first `count` of them are the row's: see add). */
  private readonly values: unknown[] = [];
  private readonly columnsDigest = new Uint32Array(2);
  private readonly namesDigest = new Uint32Array(2);
  /** The digest of the row added last: low half, high half. */
  readonly digest = new Uint32Array(2);

  get size(): number {
    return this.keys.length;
  }

  /** Adds a row; its digest is in `digest` until the next row. */
  add(key: KeyEntry, row: Row): void {
    // The usual row has the chunk's columns: checked while its values are taken, without a list of its names.
    const columns = this.columns;
    const values = this.values;
    let count = 0;
    let same = columns !== undefined;
    for (const n in row) {
      const v = row[n];
      if (v === undefined) continue;
      if (same && columns![count] !== n) same = false;
      values[count++] = v;
    }
    if (same && count !== columns!.length) same = false;
    let names = this.columnsDigest;
    if (!same) {
      const list = Object.keys(row).filter((n) => row[n] !== undefined);
      const text = JSON.stringify(list);
      if (!columns) {
        this.columns = list;
        const start = this.write('[');
        const end = this.write(text);
        murmur64(this.data, start, end, NAMES_SEED, this.columnsDigest);
        same = true;
      } else {
        const b = Buffer.from(text);
        murmur64(b, 0, b.length, NAMES_SEED, this.namesDigest);
        names = this.namesDigest;
      }
    }
    const start = this.byte(0x2c);
    const end = this.writeValues(values, count);
    murmur64(this.data, start, end, 0, this.digest);
    this.digest[0] = this.digest[0]! ^ names[0]!;
    this.digest[1] = this.digest[1]! ^ names[1]!;
    // A row of other columns is kept whole, in place of its values.
    if (!same) {
      this.at = start;
      this.write(JSON.stringify(row));
    }
    const i = this.keys.length;
    this.digests[2 * i] = this.digest[0]!;
    this.digests[2 * i + 1] = this.digest[1]!;
    this.keys.push(key);
  }

  /** Writes text at the end of the data; where it ended. */
  private write(text: string): number {
    this.reserve(text.length * 3 + 1);
    this.at += this.data.utf8Write(text, this.at);
    return this.at;
  }

  /** Writes one byte (ASCII) at the end of the data; where it ended. */
  private byte(b: number): number {
    this.reserve(1);
    this.data[this.at++] = b;
    return this.at;
  }

  /**
   * Writes `JSON.stringify(values.slice(0, count))`, byte for byte, at the end of the data; where
   * it ended. A text that needs no escape (nearly every value of a school export, accented names
   * included) is encoded code unit by code unit; any other value goes through JSON.stringify. Half
   * the cost of stringifying the array and writing the text (Node 20), and no text made per row.
   */
  private writeValues(values: readonly unknown[], count: number): number {
    this.byte(0x5b);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (typeof v !== 'string' || !this.writePlain(v, i > 0)) {
        if (i > 0) this.byte(0x2c);
        this.write(JSON.stringify(v) ?? 'null');
      }
    }
    return this.byte(0x5d);
  }

  /**
   * Writes a text as its JSON, in UTF-8, when it needs no escape (after a comma if asked); whether
   * it did. JSON.stringify escapes `"`, `\`, control characters and lone surrogates, nothing else.
   */
  private writePlain(v: string, comma: boolean): boolean {
    this.reserve(3 * v.length + 3);
    const d = this.data;
    let at = this.at;
    if (comma) d[at++] = 0x2c;
    d[at++] = 0x22;
    let j = 0;
    for (; j < v.length; j++) {
      const c = v.charCodeAt(j);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
      d[at++] = c;
    }
    if (j < v.length) {
      at = encodeUtf8(v, j, d, at, JSON_ESCAPED);
      if (at < 0) return false;
    }
    d[at++] = 0x22;
    this.at = at;
    return true;
  }

  /** Room for `bytes` more bytes at the end of the data (the buffer doubles, keeping what it holds). */
  private reserve(bytes: number): void {
    if (this.data.length - this.at >= bytes) return;
    const more = <Buffer & Utf8Writable>Buffer.allocUnsafe(Math.max(this.data.length * 2, this.at + bytes));
    this.data.copy(more, 0, 0, this.at);
    this.data = more;
  }

  /** The rows added since the last chunk, compressed (the data's buffer is reused by the next chunk). */
  take(): SnapshotChunk {
    const chunk = this.takeUncompressed();
    return { ...chunk, data: deflateRawSync(chunk.data, DEFLATE) };
  }

  /**
   * The rows added since the last chunk, their data not compressed yet (`deflateRaw` with DEFLATE
   * makes it the chunk's): a view into the builder's buffer, which the next row overwrites.
   */
  takeUncompressed(): SnapshotChunk {
    const rows = this.keys.length;
    if (rows === 0) this.write('[[]');
    this.write(']');
    const digests = Buffer.allocUnsafe(rows * 8 + DIGESTS_TRAILER.length);
    for (let i = 0; i < rows * 2; i++) digests.writeUInt32LE(this.digests[i]!, i * 4);
    DIGESTS_TRAILER.copy(digests, rows * 8);
    const chunk = { rows, keys: encodeKeys(this.keys), digests, data: this.data.subarray(0, this.at) };
    this.keys = [];
    this.at = 0;
    this.columns = undefined;
    return chunk;
  }
}

/** Fast deflate: a chunk is written once a run and read for a handful of rows. */
export const DEFLATE = { level: 1 };

/**
 * The first byte of a chunk's keys kept as numbers. A raw deflate stream never starts with it (its
 * block type, 3, is invalid), so a chunk of keys kept as JSON, as every sisflow did before, is told apart.
 */
const NUMBER_KEYS = 0xff;
/** The second byte: what the numbers are. */
const KIND = { number: 0x6e, text: 0x74 } as const;
/** Keys kept as numbers are below this (KeyIndex's 4-byte keys). */
const NUMBER_LIMIT = 0xffffffff;

/**
 * A chunk's keys as kept. When all are whole numbers below 2^32 - 1, or all texts that spell such
 * numbers (`canonicalNumber`: a District ID), `[0xff, kind, deflate of 4 bytes a key, little-endian]`:
 * a run reads a million of them without making a million texts. Else the deflate of the JSON array
 * of the entries.
 */
export function encodeKeys(keys: readonly KeyEntry[]): Buffer {
  const kind = typeof keys[0] === 'number' ? 'number' : 'text';
  const numbers = Buffer.allocUnsafe(keys.length * 4);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const n = kind === 'number' ? (typeof k === 'number' ? k : -1) : typeof k === 'string' ? canonicalNumber(k) : -1;
    if (n < 0 || n >= NUMBER_LIMIT) return deflateRawSync(JSON.stringify(keys), DEFLATE);
    numbers.writeUInt32LE(n, i * 4);
  }
  return Buffer.concat([Buffer.of(NUMBER_KEYS, KIND[kind]), deflateRawSync(numbers, DEFLATE)]);
}

/** A chunk's keys as read: whole numbers (or the texts that spell them), 4 bytes each little-endian, else their entries. */
export type ChunkKeys = { kind: 'number' | 'text'; numbers: Buffer } | { kind: 'entries'; entries: KeyEntry[] };

export function decodeKeys(keys: Buffer): ChunkKeys {
  if (keys[0] !== NUMBER_KEYS) return { kind: 'entries', entries: JSON.parse(inflateRawSync(keys).toString('utf8')) as KeyEntry[] };
  return { kind: keys[1] === KIND.number ? 'number' : 'text', numbers: inflateRawSync(keys.subarray(2)) };
}

/** A chunk's keys as entries. */
export function chunkKeys(keys: Buffer): KeyEntry[] {
  const k = decodeKeys(keys);
  if (k.kind === 'entries') return k.entries;
  const n = k.numbers;
  return Array.from({ length: n.length >> 2 }, (_, i) => (k.kind === 'number' ? n.readUInt32LE(i * 4) : String(n.readUInt32LE(i * 4))));
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
