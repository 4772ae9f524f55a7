// The keys a dedupe or a `unique` rule has seen, with the line each was first seen on, in little
// memory: a step over millions of rows remembers every key. Whole numbers and the texts that spell
// them canonically (District IDs, SSIDs: the usual keys) live in open-addressing tables of typed
// arrays (12 bytes a slot, at most 3/4 full) instead of a Map of strings (~180 bytes a key
// measured); other keys in a Map. Line numbers are kept up to 2^32 - 1.

/** Whole numbers up to 2^53 without sign, leading zeros or spaces: the text `"0042"` is not `42`. */
const CANONICAL = /^(?:0|[1-9]\d{0,14})$/;
const EMPTY = -1;

/** An open-addressing hash table from non-negative safe integers to line numbers. */
class IntTable {
  private keys = new Float64Array(1024).fill(EMPTY);
  private lines = new Uint32Array(1024);
  size = 0;

  get(k: number): number | undefined {
    const mask = this.keys.length - 1;
    for (let i = hash(k) & mask; ; i = (i + 1) & mask) {
      const here = this.keys[i]!;
      if (here === k) return this.lines[i];
      if (here === EMPTY) return undefined;
    }
  }

  set(k: number, line: number): void {
    if ((this.size + 1) * 4 > this.keys.length * 3) this.grow();
    const mask = this.keys.length - 1;
    for (let i = hash(k) & mask; ; i = (i + 1) & mask) {
      const here = this.keys[i]!;
      if (here === k) {
        this.lines[i] = line;
        return;
      }
      if (here === EMPTY) {
        this.keys[i] = k;
        this.lines[i] = line;
        this.size++;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, lines } = this;
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.lines = new Uint32Array(keys.length * 2);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i]!, lines[i]!);
  }
}

function hash(k: number): number {
  const lo = k >>> 0;
  const hi = (k / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}

/** Keys (numbers, texts, or the JSON of several columns) → the line each was first seen on. */
export class KeyIndex {
  /** Numbers and canonical number texts are kept apart: 5 and '5' are different keys. */
  private readonly numbers = new IntTable();
  private readonly numberTexts = new IntTable();
  private readonly others = new Map<unknown, number>();

  get size(): number {
    return this.numbers.size + this.numberTexts.size + this.others.size;
  }

  get(key: unknown): number | undefined {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) return this.numbers.get(key);
    if (typeof key === 'string' && CANONICAL.test(key)) return this.numberTexts.get(Number(key));
    return this.others.get(key);
  }

  set(key: unknown, line: number): void {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) this.numbers.set(key, line);
    else if (typeof key === 'string' && CANONICAL.test(key)) this.numberTexts.set(Number(key), line);
    else this.others.set(key, line);
  }
}
