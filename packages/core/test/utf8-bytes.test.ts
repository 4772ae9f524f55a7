// encodeUtf8 writes what Buffer.from(text, 'utf8') writes for any text without a lone surrogate,
// from any position, and stops (-1) at a marked ASCII code or a lone surrogate.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asciiStops, encodeUtf8 } from '../src/runtime/utf8-bytes.js';

const units = fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xffff)), { maxLength: 12 }).map((u) => String.fromCharCode(...u));
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

test('the bytes of Buffer.from for a text without a lone surrogate, from any position; -1 with one', () => {
  const none = asciiStops([]);
  fc.assert(
    fc.property(fc.oneof(units, fc.string({ unit: 'binary' })), fc.nat(), (text, k) => {
      const from = text.length === 0 ? 0 : k % text.length;
      // Never start inside a surrogate pair: writers hand over at a code unit of their own loop.
      if (from > 0 && /[\udc00-\udfff]/.test(text[from]!) && /[\ud800-\udbff]/.test(text[from - 1]!)) return;
      const out = new Uint8Array(3 * text.length + 4);
      out[0] = 0x41;
      const end = encodeUtf8(text, from, out, 1, none);
      const rest = text.slice(from);
      if (loneSurrogate.test(rest)) assert.is(end, -1, JSON.stringify(rest));
      else assert.equal(Buffer.from(out.subarray(1, end)).toString('hex'), Buffer.from(rest, 'utf8').toString('hex'), JSON.stringify(rest));
    }),
    { numRuns: 3000 },
  );
});

test('stops at a marked ASCII code, and only there', () => {
  const stops = asciiStops([0x2c, 0x22]);
  const out = new Uint8Array(64);
  assert.is(encodeUtf8('Øvergård, Ana', 0, out, 0, stops), -1);
  assert.is(encodeUtf8('say "hi"', 0, out, 0, stops), -1);
  assert.is(encodeUtf8('Øvergård; Ana', 0, out, 0, stops), Buffer.byteLength('Øvergård; Ana'));
});

test.run();
