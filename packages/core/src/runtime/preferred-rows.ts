// `dedupe: prefer`: the most preferred row of each key, in the order keys first appeared, without
// holding every row until the end. A key's row that nothing can beat (the first preferred value of
// every `prefer` column, with `keep: first`) is final as soon as it is seen; final rows leave as
// soon as every key that appeared before theirs is final too. Only keys whose row may still be
// replaced keep that row; every other key costs a slot in a KeyIndex.
import type { Row } from '../connector/connector.js';
import { KeyIndex } from './key-index.js';

interface Candidate {
  row: Row;
  line: number;
  source: string;
  rank: number[];
  final: boolean;
}

export class PreferredRows {
  /** Every key seen, as a set (each holds 0: 4 bytes a key of whole numbers). */
  private keys = new KeyIndex();
  /** Candidates that may still be replaced, by key (usually few: a row nothing can beat is final at once). */
  private readonly open = new Map<unknown, Candidate>();
  /** Candidates not yet released, in the order their keys first appeared. */
  private queue: Candidate[] = [];
  private head = 0;

  constructor(private readonly keep: 'first' | 'last' | 'reject') {}

  /** Offers a row; returns whether it was a duplicate of a key already seen. */
  offer(key: unknown, row: Row, line: number, source: string, rank: number[]): boolean {
    if (this.keys.get(key) === undefined) {
      const c: Candidate = { row, line, source, rank, final: this.unbeatable(rank) };
      this.queue.push(c);
      this.keys.set(key, 0);
      if (!c.final) this.open.set(key, c);
      return false;
    }
    const best = this.open.get(key);
    if (!best) return true;
    const c = compareRanks(rank, best.rank);
    if (c < 0 || (c === 0 && this.keep === 'last')) {
      best.row = row;
      best.line = line;
      best.source = source;
      best.rank = rank;
      if (this.unbeatable(rank)) {
        best.final = true;
        this.open.delete(key);
      }
    }
    return true;
  }

  /** The final rows at the head of the queue that came from `source`, in order; they leave the queue. */
  *release(source: string): Iterable<Candidate> {
    while (this.head < this.queue.length) {
      const c = this.queue[this.head]!;
      if (!c.final || c.source !== source) break;
      this.queue[this.head++] = undefined as unknown as Candidate;
      yield c;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Lets go of the keys seen, once no row can be offered any more (the rows still held stay for `rest`). */
  inputsEnded(): void {
    if (this.keys.size > 0) this.keys = new KeyIndex();
    this.open.clear();
  }

  /** Every row still held, in the order their keys first appeared (once all rows were offered). */
  *rest(): Iterable<Candidate> {
    for (let i = this.head; i < this.queue.length; i++) yield this.queue[i]!;
    this.queue = [];
    this.head = 0;
    this.open.clear();
  }

  get held(): number {
    return this.queue.length - this.head;
  }

  /** Whether a rank is the best there is (0 in every column) and a tie keeps the row already held. */
  private unbeatable(rank: number[]): boolean {
    if (this.keep === 'last') return false;
    for (const r of rank) if (r !== 0) return false;
    return true;
  }
}

export function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
