// The form a batch of rows crosses from the reading worker to the main thread in: every cell
// tagged in one byte, the numbers in one Float64Array, and the strings concatenated into a few
// texts with their lengths in a Uint32Array. Receiving it is a few string copies, three buffer
// transfers and a slice per string; a structured clone of row objects would cost the main thread
// about as much as reading the rows itself.
import type { Row } from '@sisflow/core';

export interface EncodedBatch {
  count: number;
  /** The string cells, concatenated: a text per run of rows (`textRows` of them each). */
  texts: string[];
  textRows: number[];
  lengths: Uint32Array;
  nums: Float64Array;
  tags: Uint8Array;
  /** Cells of no other tag (a blob, a bigint), structured-cloned. */
  others: unknown[];
}

/**
 * A text ends after the row that takes it past this many characters: well under V8's 128 KB
 * regular object limit even as UTF-16, so each is an ordinary young object that dies young (one
 * text per batch lands in the large-object space, which only a full collection frees: measured,
 * it raised the run's peak RSS by 20 MB).
 */
const TEXT_CHARS = 16 * 1024;

const NULL = 0;
const STRING = 1;
const NUMBER = 2;
const TRUE = 3;
const FALSE = 4;
const OTHER = 5;
const BUFFER = 6;

/** Collects rows (their values in a fixed column order) into one EncodedBatch at a time. */
export class BatchEncoder {
  private strings: string[] = [];
  private chars = 0;
  private texts: string[] = [];
  private textRows: number[] = [];
  private rowsInText = 0;
  private lengths: Uint32Array;
  private nums: Float64Array;
  private tags: Uint8Array;
  private others: unknown[] = [];
  private cells = 0;
  private s = 0;
  private n = 0;
  private count = 0;

  constructor(capacity: number) {
    this.lengths = new Uint32Array(capacity);
    this.nums = new Float64Array(capacity);
    this.tags = new Uint8Array(capacity);
  }

  get rows(): number {
    return this.count;
  }

  add(values: ArrayLike<unknown>): void {
    const width = values.length;
    if (this.cells + width > this.tags.length) this.grow(this.cells + width);
    for (let i = 0; i < width; i++) {
      const v = values[i];
      if (typeof v === 'string') {
        this.tags[this.cells++] = STRING;
        this.lengths[this.s++] = v.length;
        this.chars += v.length;
        this.strings.push(v);
      } else if (typeof v === 'number') {
        this.tags[this.cells++] = NUMBER;
        this.nums[this.n++] = v;
      } else if (v === null) this.tags[this.cells++] = NULL;
      else if (v === true) this.tags[this.cells++] = TRUE;
      else if (v === false) this.tags[this.cells++] = FALSE;
      else {
        this.tags[this.cells++] = Buffer.isBuffer(v) ? BUFFER : OTHER;
        this.others.push(v);
      }
    }
    this.count++;
    this.rowsInText++;
    if (this.chars >= TEXT_CHARS) this.endText();
  }

  private endText(): void {
    this.texts.push(this.strings.join(''));
    this.textRows.push(this.rowsInText);
    this.strings = [];
    this.chars = 0;
    this.rowsInText = 0;
  }

  /** The batch so far (its buffers to be transferred), and a fresh one begun. */
  take(): EncodedBatch {
    if (this.rowsInText > 0) this.endText();
    const batch: EncodedBatch = {
      count: this.count,
      texts: this.texts,
      textRows: this.textRows,
      lengths: this.lengths.slice(0, this.s),
      nums: this.nums.slice(0, this.n),
      tags: this.tags.slice(0, this.cells),
      others: this.others,
    };
    this.texts = [];
    this.textRows = [];
    this.others = [];
    this.cells = 0;
    this.s = 0;
    this.n = 0;
    this.count = 0;
    return batch;
  }

  private grow(needed: number): void {
    const size = Math.max(needed, this.tags.length * 2);
    const grown = <T extends Uint8Array | Uint32Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(size);
      b.set(a);
      return b;
    };
    this.tags = grown(this.tags, Uint8Array);
    this.lengths = grown(this.lengths, Uint32Array);
    this.nums = grown(this.nums, Float64Array);
  }
}

export type BatchDecoder = (batch: EncodedBatch) => Row[];

/**
 * A function making the rows of a batch, each an object with `keys` in that order (a fixed shape,
 * built by one object literal, as the in-thread readers build them).
 */
export function batchDecoder(keys: readonly string[]): BatchDecoder {
  const cell = `((g = tags[t++]) === ${STRING} ? text.slice(p, (p += lengths[s++])) : g === ${NUMBER} ? nums[n++] : g === ${NULL} ? null : g === ${TRUE} ? true : g === ${FALSE} ? false : g === ${BUFFER} ? Buffer.from(others[o++]) : others[o++])`;
  const fields = keys.map((k) => `${JSON.stringify(k)}: ${cell}`).join(', ');
  const body = `
    const { count, texts, textRows, lengths, nums, tags, others } = batch;
    const rows = new Array(count);
    let g = 0, t = 0, s = 0, n = 0, o = 0, p = 0, c = 0, text = texts[0] ?? '', until = textRows[0] ?? count;
    for (let r = 0; r < count; r++) {
      if (r === until) {
        text = texts[++c];
        p = 0;
        until += textRows[c];
      }
      rows[r] = { ${fields} };
    }
    return rows;`;
  return new Function('Buffer', `return (batch) => {${body}};`)(Buffer) as BatchDecoder;
}

/** The buffers of a batch, for postMessage's transfer list. */
export function transferList(batch: EncodedBatch): ArrayBuffer[] {
  return [batch.lengths.buffer as ArrayBuffer, batch.nums.buffer as ArrayBuffer, batch.tags.buffer as ArrayBuffer];
}
