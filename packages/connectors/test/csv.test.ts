// CSV in and out: typed columns by header name, bad rows to rejects with line numbers, encodings,
// quoting, CRLF, spreadsheet-safe cells.
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T, type Row, type RunContext } from '@sisflow/core';
import { csvFormatter, csvReadOptions, csvWriteOptions, readCsv } from '@sisflow/connectors';

function context() {
  const rejects: { line: number; reason: string }[] = [];
  const warnings: string[] = [];
  const ctx: RunContext = {
    signal: new AbortController().signal,
    baseDir: '.',
    log: () => undefined,
    warn: (m) => warnings.push(m),
    reject: (r) => rejects.push({ line: r.line, reason: r.reason }),
    count: () => undefined,
    startedAt: '2026-11-23T05:30:00.000Z',
    afterSuccess: () => undefined,
    journaled: new Set(),
  };
  return { ctx, rejects, warnings };
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
  assert.equal(r.rejects.map((x) => x.line), [3, 4, 5, 7]);
  assert.match(r.rejects[0]!.reason, "column ID 'x' is not a whole number");
  assert.match(r.rejects[1]!.reason, 'not a date');
  assert.match(r.rejects[2]!.reason, '1 fields, the header has 2');
});

test('a missing required column fails the file; a missing optional one reads as empty', async () => {
  const r = await read('A\n1\n', { A: 'int', B: 'string' });
  assert.ok(r.error);
  assert.match(r.error!.message, 'no column "B"');
  const ok = await read('A\n1\n', { A: 'int', B: 'string?' });
  assert.equal(ok.rows, [{ A: 1, B: null }]);
  assert.match(ok.warnings.join(), '"B"');
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
