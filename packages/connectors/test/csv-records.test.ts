// The scanner of csv-records.ts against csv-parse itself: the same records, line numbers and
// skipped errors for any text (well-formed text cut into chunks anywhere), with and without trim.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { parse } from 'csv-parse';
import { csvRecords, physicalLines, type ParseError } from '../src/csv/csv-records.js';

interface Seen {
  /** Records and skipped errors in the order the reader handles them (an error before the first record counted after it). */
  records: unknown[];
  skipped: { at: number; what: string }[];
  error?: string;
}

/** Places each skipped error before the first record read after it, as readCsv does. */
function inOrder(seen: { records: { r: unknown; count: number }[]; skipped: { at: number; what: string }[]; error?: string }) {
  const out: unknown[] = [];
  const skipped = [...seen.skipped];
  for (const { r, count } of seen.records) {
    while (skipped.length > 0 && skipped[0]!.at < count) out.push(skipped.shift()!.what);
    out.push(r);
  }
  for (const s of skipped) out.push(s.what);
  return { events: out, error: seen.error };
}

async function withCsvParse(text: string, delimiter: string, trim: boolean) {
  const parser = parse({ delimiter, bom: true, info: true, raw: true, relax_column_count: true, skip_records_with_error: true, trim });
  const seen: { records: { r: unknown; count: number }[]; skipped: { at: number; what: string }[]; error?: string } = { records: [], skipped: [] };
  parser.on('skip', (e: ParseError) => void seen.skipped.push({ at: e.records ?? 0, what: `${e.code} ${e.message} @${e.lines}` }));
  parser.end(text);
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number; records: number }; raw: string }>) seen.records.push({ r: [record, info.lines, physicalLines(raw).length], count: info.records });
  } catch (e) {
    seen.error = (e as Error).message;
  }
  return inOrder(seen);
}

async function withScanner(chunks: string[], delimiter: string, trim: boolean) {
  const seen: { records: { r: [string[], number, number]; count: number }[]; skipped: { at: number; what: string }[]; error?: string; scanned: number } = { records: [], skipped: [], scanned: 0 };
  const text = (async function* () {
    for (const c of chunks) yield c;
  })();
  try {
    for await (const group of csvRecords(text, { delimiter, trim }, (e) => void seen.skipped.push({ at: e.records ?? 0, what: `${e.code} ${e.message} @${e.lines}` }))) {
      for (const r of group) {
        seen.records.push({ r: [r.record, r.end, r.span], count: r.records });
        if (r.raw === undefined || r.span > 1) seen.scanned++;
      }
    }
  } catch (e) {
    seen.error = (e as Error).message;
  }
  return { ...inOrder(seen), records: seen.records.map((x) => x.r), scanned: seen.scanned };
}

const cut = (text: string, at: number[]) => {
  const points = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out.filter((c) => c.length > 0);
};

test('reads every text as csv-parse does: records, lines, spans and skipped errors', async () => {
  const char = fc.constantFrom('a', 'b', ' ', ',', ';', '"', '"', '\n', '\n', '\t', '\f', 'é', '\u00a0', 'x');
  const rare = fc.constantFrom('\r', '\ufeff');
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof({ weight: 30, arbitrary: char }, { weight: 1, arbitrary: rare }), { maxLength: 80 }).map((cs) => cs.join('')),
      fc.array(fc.nat(), { maxLength: 5 }),
      fc.boolean(),
      fc.constantFrom(',', ';', '\t'),
      async (text, at, trim, delimiter) => {
        const expected = await withCsvParse(text, delimiter, trim);
        // How csv-parse recovers from an error depends on where its chunks end: text it cannot read
        // is compared in one chunk, well-formed text cut anywhere.
        const wellFormed = expected.error === undefined && expected.events.every((e) => typeof e !== 'string');
        const got = await withScanner(wellFormed ? cut(text, at) : [text], delimiter, trim);
        assert.equal({ events: got.events, error: got.error }, expected, JSON.stringify(text));
      },
    ),
    { numRuns: 1500 },
  );
});

test('well-formed text is read by the scanner, not csv-parse: quoted values, doubled quotes, line breaks inside quotes', async () => {
  const text = 'ID,Name,Note\n1,"Ng, Ava","said ""hi""\nthen left"\n2, Leo ,\n\n3,"",x';
  const got = await withScanner(cut(text, [7, 20, 33]), ',', true);
  assert.equal(got.records, [
    [['ID', 'Name', 'Note'], 1, 1],
    [['1', 'Ng, Ava', 'said "hi"\nthen left'], 3, 2],
    [['2', 'Leo', ''], 4, 1],
    [[''], 5, 1],
    [['3', '', 'x'], 6, 1],
  ]);
  assert.is(got.scanned, 5);
});

test.run();
