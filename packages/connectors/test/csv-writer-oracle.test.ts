// Our CSV writer against csv-stringify as the oracle: random schemas, rows (quotes, delimiters,
// CR/LF, formula starts, unicode, numbers, booleans, nulls) and every writer setting give the
// same bytes. The writer is hand-built for speed; this keeps it honest.
import fc from 'fast-check';
import { stringify, type Options } from 'csv-stringify/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Row, RowSchema, Type } from '@sisflow/core';
import { csvFormatter, csvWriteOptions } from '@sisflow/connectors';

/** The writer as it was first built on csv-stringify (its cast options per column), with its CR/LF bug fixed. */
function oracle(schema: RowSchema, settings: Record<string, unknown>, rows: Row[]): string {
  const o = csvWriteOptions(settings);
  const names = schema.map((c) => c.name);
  const textColumns = schema.map((c) => c.type.kind === 'string');
  const base: Options = {
    delimiter: o.delimiter,
    record_delimiter: o.lineEnding === 'crlf' ? 'windows' : 'unix',
    // Without this csv-stringify leaves a field holding a lone CR or LF unquoted once a record
    // delimiter is set (the first writer had that bug: such a row split in two on import).
    quote_record_delimiter: true,
    escape_formulas: o.spreadsheetSafe,
    quoted: o.quote === 'all',
    cast: {
      boolean: (v) => (v ? 'true' : 'false'),
      number: (v) => String(v),
      ...(o.quote === 'text' ? { string: (v: string, ctx: { index: number }) => (textColumns[ctx.index] ? { value: v, quoted: true } : v) } : {}),
    },
  };
  const start = (o.bom ? '\uFEFF' : '') + (o.header ? stringify([names], { ...base, quoted: o.quote !== 'needed', escape_formulas: false, cast: {} }) : '');
  return start + (rows.length ? stringify(rows.map((r) => names.map((n) => r[n])), base) : '');
}

const KINDS: Type['kind'][] = ['string', 'int', 'decimal', 'bool', 'date'];
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', ';', '\t', '|', '"', "'", '\r', '\n', '=', '+', '-', '@', 'é', '\u{1F600}', '\uFF1D', '0') }),
  // Past ASCII: each UTF-8 length and its ends, full-width formula starts, lone surrogates (Buffer writes U+FFFD).
  fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\u007f', '\u0080', 'ß', '\u07ff', '\u0800', '中', '\uffff', '\u{10000}', '\u{10FFFF}', '\uFF0B', '\uFF0D', '\uFF20', '\uFF1D', '\uD800', '\uDBFF', '\uDC00', '\uDFFF') }),
  fc.string(),
);
const value = (kind: Type['kind']) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 5,
      arbitrary:
        kind === 'string' ? text
        : kind === 'int' ? fc.integer({ min: -1e6, max: 1e6 })
        : kind === 'decimal' ? fc.double({ noNaN: true, noDefaultInfinity: true })
        : kind === 'bool' ? fc.boolean()
        : fc.constantFrom('2026-11-23', '1999-01-01'),
    },
  );

const scenario = fc
  .array(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom(...KINDS)), { minLength: 1, maxLength: 6 })
  .map((cols) => cols.map(([name, kind], i) => ({ name: `${name}${i}`, type: { kind, nullable: true } as Type })))
  .chain((schema) =>
    fc.record({
      schema: fc.constant(schema as RowSchema),
      rows: fc.array(fc.tuple(...schema.map((c) => value(c.type.kind))).map((vals) => Object.fromEntries(schema.map((c, i) => [c.name, vals[i]])) as Row), { maxLength: 8 }),
      settings: fc.record({
        header: fc.boolean(),
        delimiter: fc.constantFrom(',', ';', '\t', '|'),
        line_ending: fc.constantFrom('crlf', 'lf'),
        bom: fc.boolean(),
        quote: fc.constantFrom('needed', 'all', 'text'),
        spreadsheet_safe: fc.boolean(),
      }),
    }),
  );

test('the writer writes what csv-stringify writes, for any rows and settings', () => {
  fc.assert(
    fc.property(scenario, ({ schema, rows, settings }) => {
      const f = csvFormatter(schema, csvWriteOptions(settings));
      const expected = oracle(schema, settings, rows);
      assert.is(f.start() + f.rows(rows), expected);
      assert.is(Buffer.concat([Buffer.from(f.start()), f.utf8(rows)]).toString('hex'), Buffer.from(expected).toString('hex'), 'the UTF-8 bytes');
    }),
    { numRuns: 3000, seed: 20261123 },
  );
});

test('a value holding a line break is quoted, so the row stays one row (CRLF and LF files)', () => {
  const schema: RowSchema = [{ name: 'Note', type: { kind: 'string', nullable: false } }, { name: 'N', type: { kind: 'int', nullable: false } }];
  for (const line_ending of ['crlf', 'lf']) {
    const f = csvFormatter(schema, csvWriteOptions({ line_ending, header: false }));
    const eol = line_ending === 'crlf' ? '\r\n' : '\n';
    assert.is(f.rows([{ Note: 'a\nb', N: 1 }, { Note: '\r', N: 2 }]), `"a\nb",1${eol}"\r",2${eol}`);
  }
});

test('UTF-8 bytes of batches far larger and smaller than the last, and cells longer than the buffer', () => {
  const schema: RowSchema = [
    { name: 'ID', type: { kind: 'int', nullable: false } },
    { name: 'LN', type: { kind: 'string', nullable: true } },
    { name: 'Note', type: { kind: 'string', nullable: true } },
  ];
  const f = csvFormatter(schema, csvWriteOptions({ quote: 'text', line_ending: 'crlf', spreadsheet_safe: true }));
  const batch = (n: number, note: (i: number) => string | null) => Array.from({ length: n }, (_, i) => ({ ID: i, LN: i % 7 ? `Name${i}` : `Ñúñez, "${i}"`, Note: note(i) }) as Row);
  const batches = [
    batch(3, () => 'x'),
    batch(5000, (i) => (i % 3 ? 'plain text '.repeat(i % 20) : '=SUM(A1)')),
    batch(1, () => null),
    batch(2, () => 'y'.repeat(300_000)),
    batch(4000, (i) => `😀 ${i}\n`),
    batch(0, () => ''),
  ];
  for (const b of batches) assert.is(f.utf8(b).toString('hex'), Buffer.from(f.rows(b)).toString('hex'));
});

test.run();
