// The keys a dedupe or a `unique` rule has seen, each with a number (the line it was first seen
// on, or what the step keeps for it), in little memory: a step over millions of rows remembers
// every key. Whole numbers and the texts that spell them canonically (District IDs, SSIDs: the
// usual keys) live in an open-addressing table of typed arrays (8 bytes a slot while keys fit in
// 32 bits, 12 once one does not; at most 3/4 full); other texts (`T5001`, the JSON of several
// key columns) in a table of 64-bit fingerprints whose characters are kept in one shared typed
// array, so two different texts with the same fingerprint are told apart, never merged; other
// values (fractions, negative numbers) in a Map.
// Values are kept up to 2^32 - 1.

/** Whole numbers up to 2^53 without sign, leading zeros or spaces: the text `"0042"` is not `42`. */
const CANONICAL = /^(?:0|[1-9]\d{0,14})$/;
const EMPTY = -1;
/** The empty slot of a table of 4-byte keys (so its keys are below it). */
const NARROW_EMPTY = 0xffffffff;

/**
 * An open-addressing hash table from non-negative safe integers to numbers. Keys are kept in 4
 * bytes while all of them are below 2^32 - 1 (IDs usually are), in 8 once one is not.
 */
class IntTable {
  private keys: Uint32Array | Float64Array = new Uint32Array(1024).fill(NARROW_EMPTY);
  private empty = NARROW_EMPTY;
  private lines = new Uint32Array(1024);
  size = 0;

  get(k: number): number | undefined {
    if (k >= NARROW_EMPTY && this.empty === NARROW_EMPTY) return undefined;
    const { keys, empty } = this;
    const mask = keys.length - 1;
    for (let i = hash(k) & mask; ; i = (i + 1) & mask) {
      const here = keys[i]!;
      if (here === k) return this.lines[i];
      if (here === empty) return undefined;
    }
  }

  set(k: number, line: number): void {
    if (k >= NARROW_EMPTY && this.empty === NARROW_EMPTY) this.rehash(this.keys.length, true);
    if ((this.size + 1) * 4 > this.keys.length * 3) this.rehash(this.keys.length * 2, this.empty === EMPTY);
    const { keys, empty } = this;
    const mask = keys.length - 1;
    for (let i = hash(k) & mask; ; i = (i + 1) & mask) {
      const here = keys[i]!;
      if (here === k) {
        this.lines[i] = line;
        return;
      }
      if (here === empty) {
        keys[i] = k;
        this.lines[i] = line;
        this.size++;
        return;
      }
    }
  }

  private rehash(slots: number, wide: boolean): void {
    const { keys, lines, empty } = this;
    this.empty = wide ? EMPTY : NARROW_EMPTY;
    this.keys = wide ? new Float64Array(slots).fill(EMPTY) : new Uint32Array(slots).fill(NARROW_EMPTY);
    this.lines = new Uint32Array(slots);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== empty) this.set(keys[i]!, lines[i]!);
  }
}

function hash(k: number): number {
  const lo = k >>> 0;
  const hi = (k / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}

/**
 * An open-addressing hash table from texts to numbers: each slot holds the text's 64-bit
 * fingerprint (two 32-bit hashes), where its UTF-16 code units start in `chars` and its length.
 * A fingerprint that matches is confirmed character by character, so a collision costs a compare,
 * never a wrong answer. About 24 bytes a key plus 2 a character, against ~180 in a Map.
 */
export class TextTable {
  /** The two fingerprint functions can be given (a test makes every text collide). */
  constructor(
    private readonly f1: (s: string) => number = fingerprint1,
    private readonly f2: (s: string) => number = fingerprint2,
  ) {}

  private fp1 = new Uint32Array(1024);
  private fp2 = new Uint32Array(1024);
  /** Where the text starts in `chars`, plus one (0 marks an empty slot). */
  private starts = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private values = new Uint32Array(1024);
  private chars = new Uint16Array(4096);
  private used = 0;
  size = 0;

  get(k: string): number | undefined {
    const slot = this.find(k, this.f1(k), this.f2(k));
    return this.starts[slot] === 0 ? undefined : this.values[slot];
  }

  set(k: string, value: number): void {
    if ((this.size + 1) * 4 > this.starts.length * 3) this.grow();
    const h1 = this.f1(k);
    const h2 = this.f2(k);
    const slot = this.find(k, h1, h2);
    if (this.starts[slot] === 0) {
      if (this.used + k.length > this.chars.length) {
        const more = new Uint16Array(Math.max(this.chars.length * 2, this.used + k.length));
        more.set(this.chars.subarray(0, this.used));
        this.chars = more;
      }
      for (let i = 0; i < k.length; i++) this.chars[this.used + i] = k.charCodeAt(i);
      this.fp1[slot] = h1;
      this.fp2[slot] = h2;
      this.starts[slot] = this.used + 1;
      this.lengths[slot] = k.length;
      this.used += k.length;
      this.size++;
    }
    this.values[slot] = value;
  }

  /** The slot holding `k`, or the empty slot where it would go. */
  private find(k: string, h1: number, h2: number): number {
    const mask = this.starts.length - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      if (this.starts[i] === 0) return i;
      if (this.fp1[i] === h1 && this.fp2[i] === h2 && this.holds(i, k)) return i;
    }
  }

  private holds(slot: number, k: string): boolean {
    if (this.lengths[slot] !== k.length) return false;
    const at = this.starts[slot]! - 1;
    for (let i = 0; i < k.length; i++) if (this.chars[at + i] !== k.charCodeAt(i)) return false;
    return true;
  }

  private grow(): void {
    const { fp1, fp2, starts, lengths, values } = this;
    const n = starts.length * 2;
    this.fp1 = new Uint32Array(n);
    this.fp2 = new Uint32Array(n);
    this.starts = new Float64Array(n);
    this.lengths = new Uint32Array(n);
    this.values = new Uint32Array(n);
    const mask = n - 1;
    for (let s = 0; s < starts.length; s++) {
      if (starts[s] === 0) continue;
      let i = fp1[s]! & mask;
      while (this.starts[i] !== 0) i = (i + 1) & mask;
      this.fp1[i] = fp1[s]!;
      this.fp2[i] = fp2[s]!;
      this.starts[i] = starts[s]!;
      this.lengths[i] = lengths[s]!;
      this.values[i] = values[s]!;
    }
  }
}

/** FNV-1a over the UTF-16 code units, with a final mix. */
function fingerprint1(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** A second, independent hash (murmur-style mixing, another seed): with the first, 64 bits. */
function fingerprint2(s: string): number {
  let h = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Keys (numbers, texts, or the JSON of several columns) → a number each (the line it was first seen on). */
export class KeyIndex {
  /** Numbers and canonical number texts are kept apart: 5 and '5' are different keys. */
  private readonly numbers = new IntTable();
  private readonly numberTexts = new IntTable();
  private readonly texts = new TextTable();
  private readonly others = new Map<unknown, number>();

  get size(): number {
    return this.numbers.size + this.numberTexts.size + this.texts.size + this.others.size;
  }

  get(key: unknown): number | undefined {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) return this.numbers.get(key);
    if (typeof key === 'string') return CANONICAL.test(key) ? this.numberTexts.get(Number(key)) : this.texts.get(key);
    return this.others.get(key);
  }

  set(key: unknown, value: number): void {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) this.numbers.set(key, value);
    else if (typeof key === 'string') {
      if (CANONICAL.test(key)) this.numberTexts.set(Number(key), value);
      else this.texts.set(key, value);
    } else this.others.set(key, value);
  }
}
