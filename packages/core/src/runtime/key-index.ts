// The keys a dedupe or a `unique` rule has seen, each with a number (the line it was first seen
// on, or what the step keeps for it), in little memory: a step over millions of rows remembers
// every key. Whole numbers and the texts that spell them canonically (District IDs, SSIDs: the
// usual keys) live in an open-addressing table of typed arrays (8 bytes a slot while keys fit in
// 32 bits, 12 once one does not; 1/2 to 3/4 full, grown a 64th at a time); other texts (`T5001`, the JSON of several
// key columns) in a table of 64-bit fingerprints whose characters are kept in one shared typed
// array, so two different texts with the same fingerprint are told apart, never merged; other
// values (fractions, negative numbers) in a Map.
// Values are kept up to 2^32 - 1.

const EMPTY = -1;
/** The empty slot of a table of 4-byte keys (so its keys are below it). */
const NARROW_EMPTY = 0xffffffff;

/** A table is split by its keys' hashes into this many segments, each grown on its own. */
const SEGMENT_BITS = 6;
const SEGMENTS = 1 << SEGMENT_BITS;
/** The hash bits below the segment's, which place a key in its segment. */
const SLOT_BITS = 32 - SEGMENT_BITS;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** A segment's slots at first (the 64 of a table: 1,024). */
const MIN_SLOTS = 16;

/**
 * An open-addressing hash table from non-negative safe integers to numbers, in SEGMENTS segments
 * chosen by the hash's top bits. A segment more than 3/4 full grows by half, alone: growing copies
 * one 64th of the keys, and only that segment's old and new arrays live together (a table grown
 * whole by doubling held three times its size while it did: 24 MB at a million keys), and a table
 * stays between 1/2 and 3/4 full. Keys are kept in 4 bytes while all of a segment's are below
 * 2^32 - 1 (IDs usually are), in 8 once one is not.
 */
class IntTable {
  private readonly segments: IntSegment[] = [];
  size = 0;

  /** `expected`: the keys it is sized for at once (more still fit: a segment grows when full). */
  constructor(expected = 0) {
    // A segment gets expected / SEGMENTS keys, give or take a few times its square root.
    const each = expected / SEGMENTS;
    const slots = Math.max(MIN_SLOTS, Math.ceil(((each + 4 * Math.sqrt(each)) * 4) / 3) + 1);
    for (let i = 0; i < SEGMENTS; i++) this.segments.push(new IntSegment(slots));
  }

  get(k: number): number | undefined {
    const h = hash(k);
    return this.segments[h >>> SLOT_BITS]!.get(k, h & SLOT_MASK);
  }

  /** Keeps `line` for `k` (in place of what was kept, when `replace`); what was kept before, undefined when `k` is new. */
  put(k: number, line: number, replace: boolean): number | undefined {
    const h = hash(k);
    const before = this.segments[h >>> SLOT_BITS]!.put(k, h & SLOT_MASK, line, replace);
    if (before === undefined) this.size++;
    return before;
  }
}

/**
 * One segment of an IntTable: linear probing from the slot its hash bits scale to. Its numbers are
 * kept once one is not 0: a KeyIndex used as a set of keys (a dedupe's) costs 4 bytes a slot.
 */
class IntSegment {
  private keys: Uint32Array | Float64Array;
  private empty = NARROW_EMPTY;
  private lines: Uint32Array | undefined;
  private size = 0;

  constructor(slots: number) {
    this.keys = new Uint32Array(slots).fill(NARROW_EMPTY);
  }

  get(k: number, h: number): number | undefined {
    if (k >= NARROW_EMPTY && this.empty === NARROW_EMPTY) return undefined;
    const i = this.slot(k, h);
    return this.keys[i] === k ? (this.lines ? this.lines[i] : 0) : undefined;
  }

  /**
   * Keeps `line` for `k`; what was kept for it before, undefined when `k` is new. `replace`: false
   * keeps the number already there.
   */
  put(k: number, h: number, line: number, replace: boolean): number | undefined {
    if (k >= NARROW_EMPTY && this.empty === NARROW_EMPTY) this.rehash(this.keys.length, true);
    if ((this.size + 1) * 4 > this.keys.length * 3) this.rehash(this.keys.length + (this.keys.length >> 1), this.empty === EMPTY);
    if (line !== 0) this.lines ??= new Uint32Array(this.keys.length);
    const { keys, lines } = this;
    const i = this.slot(k, h);
    if (keys[i] === k) {
      const before = lines ? lines[i]! : 0;
      if (lines && replace) lines[i] = line;
      return before;
    }
    keys[i] = k;
    if (lines) lines[i] = line;
    this.size++;
    return undefined;
  }

  /** The slot that holds `k`, else the empty slot where it would go. */
  private slot(k: number, h: number): number {
    const { keys, empty } = this;
    const n = keys.length;
    let i = slotOf(h, n) + (k % RUN);
    if (i >= n) i -= n;
    for (;;) {
      const here = keys[i]!;
      if (here === k || here === empty) return i;
      if (++i === n) i = 0;
    }
  }

  private rehash(slots: number, wide: boolean): void {
    const { keys, lines, empty } = this;
    this.empty = wide ? EMPTY : NARROW_EMPTY;
    this.keys = wide ? new Float64Array(slots).fill(EMPTY) : new Uint32Array(slots).fill(NARROW_EMPTY);
    this.lines = lines && new Uint32Array(slots);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k !== empty) this.put(k, hash(k) & SLOT_MASK, lines ? lines[i]! : 0, true);
    }
  }
}

/** The slot of a segment of `n` slots that SLOT_BITS hash bits scale to. */
function slotOf(h: number, n: number): number {
  return Math.floor((h * n) / (SLOT_MASK + 1));
}

/**
 * Whole numbers that differ only in their last 4 bits hash alike and start their probes side by
 * side (slot + k mod RUN): keys that come in order (IDs read in the order they were given) touch
 * the same cache lines, as a Python set of ints does, instead of a line each. Keys of any other
 * pattern still spread over the table by the hash of the rest of their bits.
 */
const RUN = 16;

function hash(k: number): number {
  k = Math.floor(k / RUN);
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
  /** Numbers and canonical number texts are kept apart: 5 and '5' are different keys. Made at their first key. */
  private numbers: IntTable | undefined;
  private numberTexts: IntTable | undefined;
  private readonly texts = new TextTable();
  private readonly others = new Map<unknown, number>();

  /**
   * `expected`: how many keys it will hold, when the caller knows (a guard: its last snapshot's
   * keys). When the first key is a whole number or a number text, its table is sized for them at
   * once: no growing while they come (keys of another kind first: nothing is sized). More still fit.
   */
  constructor(private expected = 0) {}

  get size(): number {
    return (this.numbers?.size ?? 0) + (this.numberTexts?.size ?? 0) + this.texts.size + this.others.size;
  }

  get(key: unknown): number | undefined {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) return this.numbers?.get(key);
    if (typeof key !== 'string') return this.others.get(key);
    const n = canonicalNumber(key);
    return n < 0 ? this.texts.get(key) : this.numberTexts?.get(n);
  }

  set(key: unknown, value: number): void {
    this.put(key, value, true);
  }

  /** The number kept for `key`; when there is none, `value` is kept for it (and undefined returned): one lookup for both. */
  add(key: unknown, value: number): number | undefined {
    return this.put(key, value, false);
  }

  /** `add` for the key that is the text spelling the whole number `n` canonically (`canonicalNumber`), without the text. */
  addNumberText(n: number, value: number): number | undefined {
    return (this.numberTexts ??= this.intTable()).put(n, value, false);
  }

  /** Keeps `value` for `key` (in place of what was kept, when `replace`); for `add`, what was kept before. */
  private put(key: unknown, value: number, replace: boolean): number | undefined {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) return (this.numbers ??= this.intTable()).put(key, value, replace);
    const n = typeof key === 'string' ? canonicalNumber(key) : -1;
    if (n >= 0) return (this.numberTexts ??= this.intTable()).put(n, value, replace);
    this.expected = 0; // sized for whole numbers only when one comes first
    const table = typeof key === 'string' ? this.texts : this.others;
    if (replace) {
      table.set(key as string, value);
      return undefined;
    }
    const before = table.get(key as string);
    if (before === undefined) table.set(key as string, value);
    return before;
  }

  private intTable(): IntTable {
    const table = new IntTable(this.expected);
    this.expected = 0;
    return table;
  }
}

/**
 * The whole number a text spells canonically: up to 15 digits (below 2^53), without sign, spaces
 * or leading zeros (`"0042"` is not 42); -1 for any other text. Such texts are kept as numbers.
 */
export function canonicalNumber(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15) return -1;
  let v = text.charCodeAt(0) - 48;
  if (v < 0 || v > 9 || (v === 0 && n > 1)) return -1;
  for (let i = 1; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
