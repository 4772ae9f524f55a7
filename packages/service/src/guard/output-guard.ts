// One guarded output of a run, compared with the output's last published snapshot as its rows
// stream: each key gets an ordinal (the previous snapshot's keys first, in their order, then the
// keys new in this run) in a KeyIndex of typed arrays; each previous ordinal keeps its row's 64-bit
// digest (two 32-bit halves), each ordinal a state byte. About 30 bytes a key in all: no row is kept; the run's rows go
// to a spool file, and the few sample rows are read back at judge time.
import { KeyIndex, type PlanGuard, type Row } from '@sisflow/core';
import type { GuardOutcome, OutputSnapshot, SnapshotRows } from '../history/history-store.js';
import { chunkKeys, chunkRows, currentDigests, decodeKeys, digestRows, keyEntry, type ChunkKeys, type KeyEntry } from '../history/snapshot-chunks.js';
import { SnapshotSpool } from './snapshot-spool.js';

const SAMPLE = 5;
/** State bits of an ordinal. */
const SEEN = 1;
const CHANGED = 2;

export class OutputGuard {
  /** Keys that are a text or a whole number, and the JSON of any other key: apart, so `"[1]"` and `[1]` never meet. */
  private raw = new KeyIndex();
  private json = new KeyIndex();
  /** Distinct keys of the previous snapshot: ordinals 0 … previousKeys - 1. */
  private previousKeys = 0;
  private ordinals = 0;
  /** Two halves (low, high) a previous ordinal. */
  private previousDigests = new Uint32Array(2048);
  /** The row of each previous ordinal in the snapshot, once a key came twice there (before that, the ordinal is the row). */
  private previousRows: Uint32Array | undefined;
  /** The first row of each chunk of the previous snapshot. */
  private chunkStarts: number[] = [];
  private state = new Uint8Array(1024);
  /** Where in this run's stream the first added keys last came (the added sample). */
  private readonly addedAt = new Map<number, number>();
  /** The smallest changed ordinals seen so far and where they last came (the changed sample, in the snapshot's order). */
  private readonly changedAt = new Map<number, number>();
  private distinct = 0;
  private seenPrevious = 0;
  private changed = 0;
  readonly spool: SnapshotSpool;

  constructor(
    readonly output: string,
    readonly guard: PlanGuard,
    private readonly previous: OutputSnapshot | undefined,
  ) {
    this.spool = new SnapshotSpool();
  }

  /** Reads the previous snapshot's keys and digests (never its rows). */
  async load(): Promise<void> {
    const p = this.previous;
    if (!p) return;
    // A snapshot made with other key columns is keyed again from its rows.
    const rekey = p.key.length !== this.guard.key.length || p.key.some((k, i) => k !== this.guard.key[i]);
    let row = 0;
    let seq = 0;
    // Sized for the snapshot's keys at once: no table grows while they are read.
    this.raw = new KeyIndex(p.rows);
    this.previousDigests = new Uint32Array(2 * Math.max(1024, p.rows));
    for await (const c of p.index()) {
      this.chunkStarts.push(row);
      // Digests made by an older sisflow (another hash) are made again from the chunk's rows.
      const current = currentDigests(c);
      const rows = rekey || !current ? await this.rowsOf(p, seq) : undefined;
      const keys: ChunkKeys = rekey ? { kind: 'entries', entries: rows!.map((r) => keyEntry(this.guard.key, r)) } : decodeKeys(c.keys);
      const digests = current ? undefined : digestRows(rows!);
      for (let i = 0; i < c.rows; i++, row++) {
        const fresh = this.previousKeys;
        const ord = this.addKey(keys, i, fresh) ?? fresh;
        if (ord === fresh) {
          this.previousKeys++;
          if (2 * ord + 1 >= this.previousDigests.length) this.previousDigests = grow(this.previousDigests, 2 * ord + 1);
          if (this.previousRows) this.previousRows = at(this.previousRows, ord, row);
        } else {
          if (!this.previousRows) this.previousRows = Uint32Array.from({ length: Math.max(1024, this.previousKeys * 2) }, (_, o) => o);
          this.previousRows[ord] = row;
        }
        this.previousDigests[2 * ord] = digests ? digests[2 * i]! : c.digests.readUInt32LE(i * 8);
        this.previousDigests[2 * ord + 1] = digests ? digests[2 * i + 1]! : c.digests.readUInt32LE(i * 8 + 4);
      }
      seq++;
    }
    this.ordinals = this.previousKeys;
    this.state = new Uint8Array(Math.max(1024, this.ordinals + (this.ordinals >> 4)));
  }

  observe(rows: Row[]): void {
    const key = this.guard.key;
    const prev = this.previousKeys;
    const digest = this.spool.digest;
    for (const row of rows) {
      const k = keyEntry(key, row);
      const at = this.spool.rows;
      this.spool.add(k, row);
      let ord = this.add(k, this.ordinals);
      if (ord === undefined) {
        ord = this.ordinals++;
        if (ord >= this.state.length) this.state = grow(this.state, ord);
        this.state[ord] = SEEN;
        if (ord < prev + SAMPLE) this.addedAt.set(ord, at);
        this.distinct++;
        continue;
      }
      const s = this.state[ord]!;
      if (!(s & SEEN)) {
        this.distinct++;
        if (ord < prev) this.seenPrevious++;
      }
      if (ord >= prev) {
        if (this.addedAt.has(ord)) this.addedAt.set(ord, at);
        continue;
      }
      // A key that comes twice is judged by its last row, as it is published.
      const changed = digest[0] !== this.previousDigests[2 * ord] || digest[1] !== this.previousDigests[2 * ord + 1];
      this.state[ord] = SEEN | (changed ? CHANGED : 0);
      if (changed) {
        if (!(s & CHANGED)) this.changed++;
        this.noteChanged(ord, at);
      } else if (s & CHANGED) {
        this.changed--;
        this.changedAt.delete(ord);
      }
    }
  }

  /** Keeps the SAMPLE smallest changed ordinals with where they came. */
  private noteChanged(ord: number, at: number): void {
    const c = this.changedAt;
    if (c.has(ord) || c.size < SAMPLE) {
      c.set(ord, at);
      return;
    }
    let largest = -1;
    for (const o of c.keys()) if (o > largest) largest = o;
    if (ord < largest) {
      c.delete(largest);
      c.set(ord, at);
    }
  }

  async judge(): Promise<GuardOutcome> {
    await this.spool.settle();
    const p = this.previous;
    const prev = this.previousKeys;
    const sample: GuardOutcome['sample'] = { removed: [], added: [], changed: [] };
    const removed = p ? prev - this.seenPrevious : 0;
    const added = p ? this.ordinals - prev : 0;
    const changed = p ? this.changed : 0;
    if (p) {
      const gone: number[] = [];
      const differ: number[] = [];
      for (let o = 0; o < prev && (gone.length < SAMPLE || differ.length < SAMPLE); o++) {
        const s = this.state[o]!;
        if (!(s & SEEN) && gone.length < SAMPLE) gone.push(o);
        if (s & CHANGED && differ.length < SAMPLE) differ.push(o);
      }
      const fresh = Array.from({ length: Math.min(SAMPLE, added) }, (_, i) => prev + i);
      const before = await this.previousRowsOf([...gone, ...differ]);
      const where = this.positionsOf(differ, fresh);
      const after = this.spool.rowsAt([...differ, ...fresh].map((o) => where.get(o)!));
      sample.removed = gone.map((o) => before.get(o)!);
      sample.changed = differ.map((o) => ({ before: before.get(o)!, after: after.get(where.get(o)!)! }));
      sample.added = fresh.map((o) => after.get(where.get(o)!)!);
    }
    const g = this.guard;
    const breaches: string[] = [];
    const over = (count: number, limit: number | string | undefined, what: string) => {
      if (limit === undefined || !p) return;
      const allowed = typeof limit === 'number' ? limit : (Number(limit.slice(0, -1)) / 100) * prev;
      if (count > allowed) breaches.push(`${count} row(s) ${what}, more than max_${what} ${limit}${typeof limit === 'string' ? ` of the ${prev} published last time` : ''}`);
    };
    over(removed, g.max_removed, 'removed');
    over(added, g.max_added, 'added');
    over(changed, g.max_changed, 'changed');
    const rows = this.distinct;
    if (g.min_rows !== undefined && rows < g.min_rows) breaches.push(`${rows} row(s), fewer than min_rows ${g.min_rows}`);
    return { output: this.output, rows, ...(p ? { previous: prev } : {}), removed, added, changed, breaches, sample };
  }

  /** The snapshot this run leaves, once published: the spooled rows. */
  snapshot(runId: string): SnapshotRows {
    return { runId, key: this.guard.key, chunks: () => this.spool.chunks() };
  }

  /** Lets the key tables go (the spool stays until closed). */
  release(): void {
    this.raw = new KeyIndex();
    this.json = new KeyIndex();
    this.previousDigests = new Uint32Array(0);
    this.previousRows = undefined;
    this.state = new Uint8Array(0);
  }

  /**
   * Where in this run's stream these changed and added ordinals last came: noted as they passed,
   * except for a changed key that fell out of the noted ones because a later row of a key noted
   * before it turned back unchanged; those are found again from the spool's keys.
   */
  private positionsOf(changed: number[], added: number[]): Map<number, number> {
    const where = new Map<number, number>();
    const missing = new Set<number>();
    for (const o of changed) (this.changedAt.has(o) ? where.set(o, this.changedAt.get(o)!) : missing.add(o));
    for (const o of added) where.set(o, this.addedAt.get(o)!);
    if (missing.size === 0) return where;
    let at = 0;
    for (const chunk of this.spool.chunks()) {
      for (const k of chunkKeys(chunk.keys)) {
        const o = this.get(k)!;
        if (missing.has(o)) where.set(o, at);
        at++;
      }
    }
    return where;
  }

  close(): void {
    this.spool.close();
  }

  private get(k: KeyEntry): number | undefined {
    return typeof k === 'object' ? this.json.get(k[0]) : this.raw.get(k);
  }

  /** The ordinal of a key; when it has none, it gets `ord` (and undefined is returned): one lookup for both. */
  private add(k: KeyEntry, ord: number): number | undefined {
    return typeof k === 'object' ? this.json.add(k[0], ord) : this.raw.add(k, ord);
  }

  /** `add` for a chunk's i-th key. */
  private addKey(keys: ChunkKeys, i: number, ord: number): number | undefined {
    if (keys.kind === 'entries') return this.add(keys.entries[i]!, ord);
    const n = keys.numbers.readUInt32LE(i * 4);
    return keys.kind === 'text' ? this.raw.addNumberText(n, ord) : this.raw.add(n, ord);
  }

  /** The rows of one chunk of a snapshot. */
  private async rowsOf(p: OutputSnapshot, seq: number): Promise<Row[]> {
    for await (const { chunk } of p.chunks([seq])) return chunkRows(chunk.data);
    return [];
  }

  /** The previous snapshot's rows of these ordinals, read from just the chunks that hold them. */
  private async previousRowsOf(ords: number[]): Promise<Map<number, Row>> {
    const found = new Map<number, Row>();
    if (ords.length === 0 || !this.previous) return found;
    const bySeq = new Map<number, [number, number][]>();
    for (const o of ords) {
      const row = this.previousRows ? this.previousRows[o]! : o;
      const seq = chunkOf(this.chunkStarts, row);
      bySeq.set(seq, [...(bySeq.get(seq) ?? []), [o, row - this.chunkStarts[seq]!]]);
    }
    for await (const { seq, chunk } of this.previous.chunks([...bySeq.keys()].sort((a, b) => a - b))) {
      const rows = chunkRows(chunk.data);
      for (const [o, i] of bySeq.get(seq)!) found.set(o, rows[i]!);
    }
    return found;
  }
}

/** The chunk that holds a row: the last chunk starting at or before it. */
function chunkOf(starts: number[], row: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A typed array with room for index i (doubled). */
function grow<T extends Uint8Array | Uint32Array>(a: T, i: number): T {
  let n = a.length || 1024;
  while (n <= i) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}

function at(a: Uint32Array, i: number, v: number): Uint32Array {
  const b = i >= a.length ? grow(a, i) : a;
  b[i] = v;
  return b;
}
