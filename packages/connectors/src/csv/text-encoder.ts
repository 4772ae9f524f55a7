// Text into the bytes of an output's encoding (iconv-lite for the single-byte ones). A value with a
// character the encoding lacks is found before it is written, so the row can be rejected with the
// column named, instead of the codec's silent `?`.
import iconv from 'iconv-lite';
import type { OutputEncoding } from './csv-settings.js';

export interface TextEncoder {
  encode(text: string): Buffer;
  /** The first character of `text` the encoding cannot hold, or undefined when it holds them all. */
  unencodable(text: string): string | undefined;
}

const ASCII = /^[\x00-\x7f]*$/;

export function textEncoder(encoding: OutputEncoding): TextEncoder {
  if (encoding === 'utf-8') return { encode: (t) => Buffer.from(t, 'utf8'), unencodable: () => undefined };
  // Characters are few; each is tried once (does it survive the way there and back?).
  const fits = new Map<string, boolean>();
  const fit = (ch: string): boolean => {
    let ok = fits.get(ch);
    if (ok === undefined) {
      ok = iconv.decode(iconv.encode(ch, encoding), encoding) === ch;
      fits.set(ch, ok);
    }
    return ok;
  };
  return {
    encode: (t) => iconv.encode(t, encoding),
    unencodable: (t) => {
      if (ASCII.test(t)) return undefined;
      for (const ch of t) if (ch.charCodeAt(0) > 0x7f && !fit(ch)) return ch;
      return undefined;
    },
  };
}

/** `'Ł' (U+0141)`: a character as a reader can find it in the data. */
export function describeCharacter(ch: string): string {
  return `'${ch}' (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}
