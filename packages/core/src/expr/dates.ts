// Dates travel as ISO strings (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS`): they sort, compare and print
// the same in JavaScript, SQLite and CSV. Patterns use yyyy yy MM M dd d HH mm ss.
import { RowError } from './row-error.js';

const TOKEN = /yyyy|yy|MM|M|dd|d|HH|mm|ss/g;

/** Days in each month of a year that is not a leap year. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1 || y > 9999) return false;
  return d <= DAYS_IN_MONTH[m - 1]! || (m === 2 && d === 29 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

export function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/;

/**
 * Checks a date literal or value: `YYYY-MM-DD` naming a real day. Read character by character: a
 * CSV column of dates calls it once a row (with a regular expression it was 7 % of a reading
 * worker's profile, issue 24); the same answers as
 * `/^(\d{4})-(\d{2})-(\d{2})$/` and a real day (a test compares them).
 */
export function checkIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  return isValidDate(digitsAt(s, 0, 4), digitsAt(s, 5, 7), digitsAt(s, 8, 10));
}

/** The number the ASCII digits of `s` from `from` to `to` spell, or -1 when one is not a digit. */
function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

export function checkIsoDatetime(s: string): boolean {
  const m = ISO_DATETIME.exec(s);
  return !!m && isValidDate(Number(m[1]), Number(m[2]), Number(m[3])) && Number(m[4]) < 24 && Number(m[5]) < 60;
}

export function formatDate(value: string, pattern: string): string {
  let format = formatCache.get(pattern);
  if (!format) {
    format = compileFormat(pattern);
    formatCache.set(pattern, format);
  }
  return format(value);
}

type Format = (value: string) => string;
const formatCache = new Map<string, Format>();

/** A pattern turned once into a list of pieces, each a literal or a slice of the ISO value. */
function compileFormat(pattern: string): Format {
  const pieces: (string | Format)[] = [];
  let last = 0;
  const part = (from: number, to: number, fallback: string): Format => (v) => (v.length >= to ? v.slice(from, to) : fallback);
  for (const m of pattern.matchAll(TOKEN)) {
    if (m.index! > last) pieces.push(pattern.slice(last, m.index));
    last = m.index! + m[0].length;
    switch (m[0]) {
      case 'yyyy': pieces.push((v) => v.slice(0, 4)); break;
      case 'yy': pieces.push((v) => v.slice(2, 4)); break;
      case 'MM': pieces.push((v) => v.slice(5, 7)); break;
      case 'M': pieces.push((v) => String(Number(v.slice(5, 7)))); break;
      case 'dd': pieces.push((v) => v.slice(8, 10)); break;
      case 'd': pieces.push((v) => String(Number(v.slice(8, 10)))); break;
      case 'HH': pieces.push(part(11, 13, '00')); break;
      case 'mm': pieces.push(part(14, 16, '00')); break;
      default: pieces.push(part(17, 19, '00'));
    }
  }
  if (last < pattern.length) pieces.push(pattern.slice(last));
  return (v) => {
    let out = '';
    for (const p of pieces) out += typeof p === 'string' ? p : p(v);
    return out;
  };
}

const parserCache = new Map<string, { re: RegExp; fields: string[] }>();

function compilePattern(pattern: string): { re: RegExp; fields: string[] } {
  let cached = parserCache.get(pattern);
  if (cached) return cached;
  const fields: string[] = [];
  let src = '';
  let last = 0;
  for (const m of pattern.matchAll(TOKEN)) {
    src += pattern.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    fields.push(m[0]);
    src += m[0] === 'yyyy' ? '(\\d{4})' : m[0].length === 1 ? '(\\d{1,2})' : '(\\d{2})';
    last = m.index! + m[0].length;
  }
  src += pattern.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  cached = { re: new RegExp(`^${src}$`), fields };
  parserCache.set(pattern, cached);
  return cached;
}

/** Parses text with a pattern into an ISO date (or datetime when the pattern has a time). */
export function parseDate(text: string, pattern: string): string {
  const { re, fields } = compilePattern(pattern);
  const m = re.exec(text.trim());
  if (!m) throw new RowError(`'${text}' does not match the date pattern '${pattern}'`);
  let y = 0;
  let mo = 1;
  let d = 1;
  let h = -1;
  let mi = 0;
  let s = 0;
  fields.forEach((f, i) => {
    const v = Number(m[i + 1]);
    if (f === 'yyyy') y = v;
    else if (f === 'yy') y = v < 70 ? 2000 + v : 1900 + v;
    else if (f === 'MM' || f === 'M') mo = v;
    else if (f === 'dd' || f === 'd') d = v;
    else if (f === 'HH') h = v;
    else if (f === 'mm') mi = v;
    else s = v;
  });
  if (!isValidDate(y, mo, d)) throw new RowError(`'${text}' is not a real date`);
  const date = isoDate(y, mo, d);
  if (h < 0) return date;
  if (h > 23 || mi > 59 || s > 59) throw new RowError(`'${text}' is not a real time`);
  return `${date}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

let canonicalZones: Set<string> | undefined;

/** Whether `name` is in ICU's list of canonical IANA zones (cheap to read, unlike a formatter). */
function isCanonicalZone(name: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return canonicalZones.has(name);
}

/**
 * Whether Node knows `name` as an IANA time zone. Most names are in ICU's list of canonical
 * zones; any other (an alias such as US/Pacific or UTC, or a wrong name) is asked of a
 * formatter, whose first construction loads ICU's locale data: a tenth of a cold
 * `sisflow validate`.
 */
export function isTimeZone(name: string): boolean {
  if (isCanonicalZone(name)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Today's date in an IANA time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // Node takes the zone of a Date's local fields from TZ and reads it again whenever TZ is
  // assigned: the date is read without a formatter, whose first construction loads ICU's locale
  // data (a tenth of a cold `sisflow validate`), and TZ is put back before anything else runs.
  // Windows reads TZ its own way, and a name not in ICU's list goes the long way.
  if (typeof process !== 'undefined' && process.platform !== 'win32' && isCanonicalZone(timeZone)) {
    const was = process.env.TZ;
    process.env.TZ = timeZone;
    try {
      return localDate(now);
    } finally {
      if (was === undefined) delete process.env.TZ;
      else process.env.TZ = was;
    }
  }
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Today's date in the machine's time zone. */
export function localToday(now: Date = new Date()): string {
  return localDate(now);
}

function localDate(d: Date): string {
  return isoDate(d.getFullYear(), d.getMonth() + 1, d.getDate());
}

export function daysFromCivil(iso: string): number {
  return Math.floor(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86400000);
}

export function civilFromDays(days: number): string {
  const dt = new Date(days * 86400000);
  return isoDate(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

/** Whole years from birth to on. */
export function ageOn(birth: string, on: string): number {
  let years = Number(on.slice(0, 4)) - Number(birth.slice(0, 4));
  if (on.slice(5, 10) < birth.slice(5, 10)) years--;
  return years;
}

/** The school year a date falls in, named by its ending calendar year (2024-09-01 → 2025). */
export function schoolYearOf(date: string, startMonth: number): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return m >= startMonth ? y + 1 : y;
}
