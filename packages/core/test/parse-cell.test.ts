// Reading dates and whole numbers from text cells (parse-cell.ts, dates.ts): read character by
// character for speed (issue 24), they must answer exactly as the regular expressions they
// replaced, on every kind of text a file can hold.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkIsoDate } from '../src/expr/dates.js';
import { cellParser, isIntText } from '../src/runtime/parse-cell.js';

/** The checks as they were written before (a regular expression, then the calendar). */
function isoDateBefore(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || y < 1 || y > 9999) return false;
  const dim = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= dim[mo - 1]!;
}
const intBefore = (s: string) => /^[+-]?\d+$/.test(s);

/** A small deterministic generator, so a failure prints a case that reproduces. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

// Digits and what only looks like them: Arabic-Indic and full-width digits, the characters next to
// '0' and '9', signs, separators, spaces, a line break.
const ALPHABET = ['0', '1', '2', '3', '9', '/', ':', '-', '+', ' ', 'T', '\n', '٣', '０', '９', '.', 'e', 'x'];

test('checkIsoDate answers as the regular expression and calendar it replaced', () => {
  const next = random(24);
  const cases: string[] = ['', '2026-02-29', '2024-02-29', '2000-02-29', '1900-02-29', '0000-01-01', '0001-01-01', '9999-12-31', '2026-13-01', '2026-00-10', '2026-04-31', '2026-04-30', '2026-1-01', '2026-01-01 ', ' 2026-01-01', '2026-01-01\n', '2026/01/01', '２０２６-01-01', '2026-٠1-01', '+026-01-01', '-026-01-01', '2026--1-01'];
  // Every day of a few years (leap and not), and a day past each month's end.
  for (const y of [1, 4, 100, 400, 1900, 2000, 2024, 2026, 9999]) {
    for (let m = 0; m <= 13; m++) for (let d = 0; d <= 32; d++) cases.push(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  // Each character of real dates replaced by each of the alphabet.
  for (const real of ['2024-02-29', '2026-12-31', '0001-01-01']) {
    for (let at = 0; at < real.length; at++) for (const c of ALPHABET) cases.push(real.slice(0, at) + c + real.slice(at + 1));
  }
  // Texts of ten characters from the alphabet, shaped like a date more often than not.
  for (let i = 0; i < 20_000; i++) {
    const chars = Array.from({ length: next() < 0.8 ? 10 : Math.floor(next() * 13) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]!);
    if (next() < 0.6 && chars.length === 10) [chars[4], chars[7]] = ['-', '-'];
    cases.push(chars.join(''));
  }
  for (const s of cases) assert.is(checkIsoDate(s), isoDateBefore(s), JSON.stringify(s));
});

test('isIntText answers as /^[+-]?\\d+$/', () => {
  const next = random(7);
  const cases = ['', '+', '-', '+-1', '--1', '0', '-0', '+0', '007', '12a', ' 1', '1 ', '٣', '０', '9'.repeat(40), '1e3', '1.0', '/', ':'];
  for (let i = 0; i < 20_000; i++) cases.push(Array.from({ length: Math.floor(next() * 6) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]!).join(''));
  for (const s of cases) assert.is(isIntText(s), intBefore(s), JSON.stringify(s));
});

test('an int or date cell: spaces around are trimmed; what is not one is a row error naming the text', () => {
  const int = cellParser({ kind: 'int', nullable: false } as never);
  assert.is(int(' 42 '), 42);
  assert.is(int('-7'), -7);
  assert.is(int('+7'), 7);
  for (const bad of ['4 2', '1.5', '٣', '9007199254740993', '+', 'x']) assert.throws(() => int(bad), (e: Error) => e.message === `'${bad}' is not a whole number`, bad);
  assert.throws(() => int('  '), /is empty but must have a value/);
  const date = cellParser({ kind: 'date', nullable: true } as never);
  assert.is(date(' 2024-02-29'), '2024-02-29');
  assert.is(date(''), null);
  for (const bad of ['2026-02-29', '2026-2-01', '01/02/2026']) assert.throws(() => date(bad), (e: Error) => e.message === `'${bad}' is not a date (YYYY-MM-DD)`, bad);
});

test.run();
