// A text's UTF-8 bytes written straight into a byte array, for writers that lay rows out as bytes
// themselves (the CSV writer's cells, a guard's row JSON): no string and no native call per value.
// Each writer copies plain ASCII in its own small loop and hands over at the first other code unit.

/**
 * Encodes `text` from code unit `from` into `out` at `at`, as UTF-8 (`out` has room for 3 bytes a
 * code unit); where it ended, or -1 at a character the writer must write another way: an ASCII
 * code marked in `stop` (see asciiStops), or a lone surrogate (JSON escapes it, Buffer writes
 * U+FFFD).
 */
export function encodeUtf8(text: string, from: number, out: Uint8Array, at: number, stop: Uint8Array): number {
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 0x80) {
      if (stop[c] === 1) return -1;
      out[at++] = c;
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      // A surrogate pair is one character of 4 bytes.
      const lo = c < 0xdc00 && j + 1 < text.length ? text.charCodeAt(j + 1) : 0;
      if (lo < 0xdc00 || lo > 0xdfff) return -1;
      const cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
      out[at++] = 0xf0 | (cp >> 18);
      out[at++] = 0x80 | ((cp >> 12) & 0x3f);
      out[at++] = 0x80 | ((cp >> 6) & 0x3f);
      out[at++] = 0x80 | (cp & 0x3f);
      j++;
    }
  }
  return at;
}

/** The `stop` table of encodeUtf8 marking these ASCII codes. */
export function asciiStops(codes: Iterable<number>): Uint8Array {
  const stop = new Uint8Array(128);
  for (const c of codes) stop[c] = 1;
  return stop;
}
