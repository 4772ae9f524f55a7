// CSV in and out: typed columns by header name, bad rows to rejects with line numbers, encodings,
// quoting, CRLF, spreadsheet-safe cells.
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T, type Row, type RunContext } from '@sisflow/core';
import { CsvFileError, csvFormatter, csvReadOptions, csvWriteOptions, readCsv } from '@sisflow/connectors';

function context() {
  const rejects: { line: number; reason: string }[] = [];
  const rejectData: unknown[] = [];
  const warnings: string[] = [];
  const absent: string[] = [];
  const ctx: RunContext = {
    signal: new AbortController().signal,
    baseDir: '.',
    log: () => undefined,
    warn: (m) => warnings.push(m),
    reject: (r) => {
      rejects.push({ line: r.line, reason: r.reason });
      rejectData.push(r.data);
    },
    count: () => undefined,
    startedAt: '2026-11-23T05:30:00.000Z',
    absent: (c) => void absent.push(c),
    afterSuccess: () => undefined,
  };
  return { ctx, rejects, rejectData, warnings, absent };
}

async function read(bytes: Buffer | string, columns: Record<string, string>, extra: Record<string, unknown> = {}) {
  const c = context();
  const rows: Row[] = [];
  const lines: number[] = [];
  let error: Error | undefined;
  try {
    for await (const b of readCsv(Readable.from([Buffer.from(bytes)]), csvReadOptions({ columns, ...extra }), c.ctx, 2, 'f.csv')) {
      rows.push(...b.rows);
      lines.push(...(b.lines ?? []));
    }
  } catch (e) {
    error = e as Error;
  }
  return { rows, lines, error, ...c };
}

test('columns are matched by header name, typed, and extra columns ignored with a warning', async () => {
  const r = await read('Extra,SSID,Birth,Grade\nx,123,2015-04-02,3\ny,456,2016-01-31,\n', { SSID: 'string', Birth: 'date', Grade: 'int?' });
  assert.equal(r.rows, [{ SSID: '123', Birth: '2015-04-02', Grade: 3 }, { SSID: '456', Birth: '2016-01-31', Grade: null }]);
  assert.equal(r.lines, [2, 3]);
  assert.match(r.warnings.join(), 'Extra');
});

test('bad cells and short rows go to rejects with their line numbers; the rest stream on', async () => {
  const r = await read('ID,Born\n1,2015-04-02\nx,2015-04-02\n3,2015-02-30\n4\n5,"2015-\n06-01"\n6,2016-01-01\n', { ID: 'int', Born: 'date' });
  assert.equal(r.rows.map((x) => x.ID), [1, 6]);
  // The record over lines 6–7 is lost with both of its lines.
  assert.equal(r.rejects.map((x) => x.line), [3, 4, 5, 6, 7]);
  assert.match(r.rejects[0]!.reason, "column ID 'x' is not a whole number");
  assert.match(r.rejects[1]!.reason, 'not a date');
  assert.match(r.rejects[2]!.reason, '1 fields, the header has 2');
});

test('a declared column missing from the header fails the file, nullable or not, naming the header and the closest name', async () => {
  const r = await read('A\n1\n', { A: 'int', B: 'string' });
  assert.match(r.error!.message, 'no column "B"');
  const header = 'SSID,Special Education Meeting Date,Student Birth Date,Special Education Meeting Type Code\n1,20261105,20170216,10\n';
  const calpads = await read(header, { SSID: 'string', 'SPED Meeting Date': 'date?' }, { date_format: 'yyyyMMdd' });
  assert.equal(calpads.rows, []);
  assert.ok(calpads.error instanceof CsvFileError);
  assert.is(
    calpads.error!.message,
    'f.csv has no column "SPED Meeting Date", the closest is "Special Education Meeting Date". Its header: SSID, Special Education Meeting Date, Student Birth Date, Special Education Meeting Type Code. ' +
      "Nothing was read or written; name the header in the column's `headers:`, or say `absent: keep` if the destination should keep its value when the file has no such column",
  );
});

test('a column accepts several header names, the first it finds; two of them in one file is an error', async () => {
  const columns = { 'Meeting Date': { type: 'date?', headers: ['Special Education Meeting Date', 'SPED Meeting Date'] } } as unknown as Record<string, string>;
  const full = await read('Special Education Meeting Date\n2026-11-05\n', columns);
  assert.equal(full.rows, [{ 'Meeting Date': '2026-11-05' }]);
  const short = await read('Extra,SPED Meeting Date\nx,2026-11-06\n', columns);
  assert.equal(short.rows, [{ 'Meeting Date': '2026-11-06' }]);
  assert.match(short.warnings.join(), 'Extra');
  const both = await read('SPED Meeting Date,Special Education Meeting Date\n2026-11-06,2026-11-05\n', columns);
  assert.is(both.error?.message, 'f.csv: column Meeting Date is in the header twice, as "Special Education Meeting Date" (column 2 (B)) and "SPED Meeting Date" (column 1 (A)); nothing was read');
  const none = await read('Meeting Date\n2026-11-06\n', columns);
  assert.match(none.error!.message, 'no column "Meeting Date" (as "Special Education Meeting Date" or "SPED Meeting Date"), the closest is "Meeting Date"');
});

test('absent: keep reads a missing column as empty, says so, and tells the run which column was absent', async () => {
  const columns = { A: 'int', B: { type: 'date?', absent: 'keep' } } as unknown as Record<string, string>;
  const r = await read('A\n1\n2\n', columns);
  assert.is(r.error, undefined);
  assert.equal(r.rows, [{ A: 1, B: null }, { A: 2, B: null }]);
  assert.equal(r.absent, ['B']);
  assert.match(r.warnings.join(), 'has no column "B": read as empty, and table outputs computed from it keep the destination\'s value');
  const present = await read('A,B\n1,2026-01-02\n', columns);
  assert.equal(present.rows, [{ A: 1, B: '2026-01-02' }]);
  assert.equal(present.absent, []);
});

test('a header with the same name twice fails the file, naming both positions', async () => {
  const r = await read('SSID,Name,SSID\n1,a,2\n', { SSID: 'string', Name: 'string' });
  assert.equal(r.rows, []);
  assert.is(r.error?.message, 'f.csv: the header has "SSID" twice, as column 1 (A) and column 3 (C); which one holds the data is unknown, so nothing was read');
  const undeclared = await read('A,X,X\n1,2,3\n', { A: 'int' });
  assert.match(undeclared.error!.message, '"X" twice, as column 2 (B) and column 3 (C)');
});

test('a stray quote that swallows records rejects every line it swallowed, each with its line and text', async () => {
  const r = await read('ID,N\n1,a\n2,"b\n3,c\n4,d\n5,"e"\n6,f\n', { ID: 'int', N: 'string' });
  assert.is(r.error, undefined);
  assert.equal(r.rows.map((x) => x.ID), [1, 6]);
  assert.equal(r.rejects.map((x) => x.line), [3, 4, 5, 6]);
  assert.equal(r.rejectData, ['2,"b', '3,c', '4,d', '5,"']);
  assert.match(r.rejects[0]!.reason, 'lines 3–6 were read as one record; each is rejected');
  // A quote that closes later but leaves a record of the wrong width: the same, line by line.
  const wide = await read('ID,N\n1,a\n2,"b\n3,c\n4,d",x\n5,e\n', { ID: 'int', N: 'string' });
  assert.equal(wide.rows.map((x) => x.ID), [1, 5]);
  assert.equal(wide.rejects.map((x) => x.line), [3, 4, 5]);
  assert.match(wide.rejects[0]!.reason, 'the row has 3 fields, the header has 2 (lines 3–5 were read as one record; each is rejected)');
  // A well-formed value over two lines is one record, not two.
  const multi = await read('ID,N\n1,"a\nb"\n2,c\n', { ID: 'int', N: 'string' });
  assert.equal(multi.rows, [{ ID: 1, N: 'a\nb' }, { ID: 2, N: 'c' }]);
});

test('a header the parser cannot read fails the file instead of taking the next line for it', async () => {
  const r = await read('SS"ID,N\n1,a\n2,b\n', { SSID: 'int', N: 'string' });
  assert.ok(r.error instanceof CsvFileError);
  assert.match(r.error!.message, 'f.csv: its header (line 1) cannot be read (Invalid Opening Quote');
  assert.equal(r.rows, []);
});

test('a quote left open to the end of the file fails the file', async () => {
  const r = await read('ID,N\n1,a\n2,"b\n3,c\n4,d\n', { ID: 'int', N: 'string' });
  assert.ok(r.error instanceof CsvFileError);
  assert.is(r.error!.message, 'f.csv: a quote opened on line 3 is never closed, so the 3 line(s) from there to the end of the file cannot be read; nothing was imported');
  const big = await read('ID,N\n' + Array.from({ length: 3000 }, (_, i) => `${i},x`).join('\n') + '\n3000,"open\n3001,y\n', { ID: 'int', N: 'string' });
  assert.ok(big.error instanceof CsvFileError, 'fails even after batches were read');
});

test('UTF-8 BOM, UTF-16 with BOM, and windows-1252 by setting', async () => {
  const text = 'Name\nJosé Müller\n';
  assert.equal((await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), { Name: 'string' })).rows, [{ Name: 'José Müller' }]);
  assert.equal((await read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), { Name: 'string' })).rows, [{ Name: 'José Müller' }]);
  assert.equal((await read(Buffer.from(text, 'latin1'), { Name: 'string' }, { encoding: 'windows-1252' })).rows, [{ Name: 'José Müller' }]);
  const bad = await read(Buffer.from(text, 'latin1'), { Name: 'string' });
  assert.match(bad.error?.message ?? '', 'not valid utf-8');
});

test('an empty file reads as no rows with a warning; custom date formats', async () => {
  const empty = await read('', { A: 'int' });
  assert.equal(empty.rows, []);
  assert.match(empty.warnings.join(), 'empty');
  const us = await read('D\n04/02/2015\n', { D: 'date' }, { date_format: 'MM/dd/yyyy' });
  assert.equal(us.rows, [{ D: '2015-04-02' }]);
});

test('writer: header, CRLF, quoting of text columns, spreadsheet-safe cells, nulls empty', () => {
  const schema = [
    { name: 'Name', type: T.string },
    { name: 'Grade', type: T.int },
    { name: 'Born', type: { kind: 'date' as const, nullable: true } },
    { name: 'Active', type: T.bool },
  ];
  const f = csvFormatter(schema, csvWriteOptions({ quote: 'text', spreadsheet_safe: true }));
  const out = f.start() + f.rows([{ Name: '=HYPERLINK("x")', Grade: -1, Born: null, Active: true }, { Name: 'O\'Brien, "Jo"', Grade: 3, Born: '2015-04-02', Active: false }]);
  assert.is(out, '"Name","Grade","Born","Active"\r\n"\'=HYPERLINK(""x"")",-1,,true\r\n"O\'Brien, ""Jo""",3,2015-04-02,false\r\n');
  const lf = csvFormatter(schema, csvWriteOptions({ line_ending: 'lf', delimiter: ';', bom: true }));
  assert.is(lf.start() + lf.rows([{ Name: 'a;b', Grade: 1, Born: null, Active: true }]), '\uFEFFName;Grade;Born;Active\n"a;b";1;;true\n');
});

test.run();
