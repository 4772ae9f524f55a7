// Reading a source in a worker thread (source-worker/) gives what reading it in the main thread
// gives: the same batches, rows (keys in order, types), lines, rejects, warnings and errors; and
// no worker outlives its read, whether it ends, fails, is cancelled or its consumer stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T, type Row, type RowSchema, type RunContext, type SourceBatch, type SourceReadRequest, type Type } from '@sisflow/core';
import { CsvFileError, filesConnector, sqliteConnector } from '@sisflow/connectors';
import { BatchEncoder, batchDecoder } from '../src/source-worker/row-batch.js';

const dir = mkdtempSync(join(tmpdir(), 'sisflow-source-worker-'));

/** Threads of this process: a worker that ended has left it. */
const threads = () => readdirSync('/proc/self/task').length;

interface Read {
  batches: { rows: Row[]; keys: string[][]; lines?: number[] }[];
  calls: unknown[];
  error?: { name: string; message: string; code?: unknown; csvFile: boolean };
}

function context(calls: unknown[], signal = new AbortController().signal): RunContext {
  return {
    signal,
    baseDir: dir,
    log: (m) => void calls.push(['log', m]),
    warn: (m) => void calls.push(['warn', m]),
    reject: (r) => void calls.push(['reject', r]),
    absent: (c) => void calls.push(['absent', c]),
    count: (e, n) => void calls.push(['count', e, n]),
    startedAt: '2026-11-23T05:30:00.000Z',
    afterSuccess: () => undefined,
  };
}

async function read(mode: 'on' | 'off', source: (ctx: RunContext) => AsyncIterable<SourceBatch>): Promise<Read> {
  process.env.SISFLOW_READ_WORKER = mode;
  const out: Read = { batches: [], calls: [] };
  try {
    for await (const b of source(context(out.calls))) {
      out.batches.push({ rows: b.rows, keys: b.rows.map((r) => Object.keys(r)), ...(b.lines ? { lines: b.lines } : {}) });
      // A call made before a batch is replayed before it, as in the main thread.
      out.calls.push(['batch', b.rows.length]);
    }
  } catch (e) {
    const err = e as Error & { code?: unknown };
    out.error = { name: err.name, message: err.message, ...(err.code !== undefined ? { code: err.code } : {}), csvFile: e instanceof CsvFileError };
  } finally {
    delete process.env.SISFLOW_READ_WORKER;
  }
  return out;
}

/** Reads with the worker and without: the same everything. */
async function same(source: (ctx: RunContext) => AsyncIterable<SourceBatch>): Promise<Read> {
  const before = threads();
  const inThread = await read('off', source);
  const inWorker = await read('on', source);
  assert.equal(inWorker, inThread);
  assert.is(threads(), before, 'the worker has ended');
  return inWorker;
}

test('a batch decodes to the values encoded, of every kind, in long runs of text', () => {
  const values: unknown[][] = [
    [1, -0, NaN, Infinity, 2 ** 53 + 2, 0.1],
    ['', 'García 😀', 'a\u001fb', 'x'.repeat(20000), '\u0000', 'y'],
    [null, true, false, Buffer.from([1, 2, 3]), 12n, new Date(0)],
  ];
  const encoder = new BatchEncoder(4);
  for (let i = 0; i < 50; i++) for (const v of values) encoder.add(v);
  const batch = encoder.take();
  assert.ok(batch.texts.length > 10, 'long text is cut into runs');
  const rows = batchDecoder(['a', 'b', 'c', 'd', 'e', 'f'])(batch);
  assert.is(rows.length, 150);
  rows.forEach((row, i) => assert.equal(Object.values(row), values[i % 3]));
  assert.ok(Object.is(rows[0]!.b, -0));
  assert.ok(Buffer.isBuffer(rows[2]!.d));
  assert.is(encoder.take().count, 0);
});

const schema = (cols: Record<string, Type>): RowSchema => Object.entries(cols).map(([name, type]) => ({ name, type }));

// A LOC table whose cells are of every kind SQLite returns: integers, reals, text
// with non-ASCII and control characters, empty text, NULL, blobs, and 0/1 booleans.
const db = join(dir, 'aeries.db');
{
  const d = new Database(db);
  d.exec('CREATE TABLE LOC (CD INTEGER, NM TEXT, SNM, LO REAL, DEL INTEGER)');
  const insert = d.prepare('INSERT INTO LOC VALUES (?, ?, ?, ?, ?)');
  const odd = ['García', 'a\u001fb', '', 'line\nbreak', '😀 emoji', 'x'.repeat(40000), 'tab\there'];
  d.transaction(() => {
    for (let i = 0; i < 2500; i++) {
      const snm = i % 11 === 0 ? null : i % 13 === 0 ? Buffer.from([i % 256, 0, 255]) : i % 17 === 0 ? i * 1.25 : odd[i % odd.length]!;
      insert.run(i, `School ${i}`, snm, i % 5 === 0 ? -0 : i / 3, i % 3 === 0 ? null : i % 2);
    }
  })();
  d.close();
}
const nullable = (t: Type): Type => ({ ...t, nullable: true });
const locSchema = schema({ CD: T.int, NM: T.string, SNM: nullable(T.string), LO: nullable(T.decimal), DEL: nullable(T.bool) });
const sqliteRead = (extra: Partial<SourceReadRequest> = {}, connection: Record<string, unknown> = { path: 'aeries.db' }) => (ctx: RunContext) =>
  sqliteConnector.source!.read({ connection, settings: { table: 'LOC' }, schema: locSchema, batchSize: 100, ...extra }, ctx);

test('reads the same SQLite rows, keys and types in a worker as in the main thread', async () => {
  const r = await same(sqliteRead());
  assert.is(r.batches.length, 25);
  const rows = r.batches.flatMap((b) => b.rows);
  assert.ok(Buffer.isBuffer(rows[13]!.SNM), 'a blob is a Buffer');
  assert.is(rows[1]!.SNM, 'a\u001fb');
  assert.is(rows[1]!.DEL, true);
  assert.is(rows[2]!.DEL, false);
  assert.is(rows[0]!.DEL, null);
  assert.is((rows[5]!.SNM as string).length, 40000);
});

test('a pushed-down filter and a limit read the same rows in a worker', async () => {
  const r = await same(sqliteRead({ filter: { sql: '"CD" >= :p1 AND "NM" <> :p2', parameters: [1000, 'School 1001'] }, limit: 777 }));
  const rows = r.batches.flatMap((b) => b.rows);
  assert.is(rows.length, 777);
  assert.is(rows[0]!.CD, 1000);
  assert.is(rows[1]!.CD, 1002);
});

test('a database that cannot be read fails with the same error in a worker', async () => {
  writeFileSync(join(dir, 'not-a-db.db'), Buffer.alloc(8192, 7));
  const r = await same(sqliteRead({}, { path: 'not-a-db.db' }));
  assert.equal(r.error && { name: r.error.name, code: r.error.code }, { name: 'SqliteError', code: 'SQLITE_NOTADB' });
  const missing = await same(sqliteRead({}, { path: 'missing.db' }));
  assert.ok(missing.error, 'a missing database fails');
});

test('a cancelled read stops its worker, which ends', async () => {
  const before = threads();
  process.env.SISFLOW_READ_WORKER = 'on';
  const abort = new AbortController();
  let batches = 0;
  try {
    for await (const _ of sqliteRead()(context([], abort.signal))) {
      batches++;
      abort.abort();
    }
  } finally {
    delete process.env.SISFLOW_READ_WORKER;
  }
  assert.is(batches, 1);
  assert.is(threads(), before);
});

test('a consumer that stops iterating stops the worker', async () => {
  const before = threads();
  process.env.SISFLOW_READ_WORKER = 'on';
  try {
    for await (const b of sqliteRead()(context([]))) {
      assert.is(b.rows.length, 100);
      break;
    }
  } finally {
    delete process.env.SISFLOW_READ_WORKER;
  }
  assert.is(threads(), before);
});

test('a process whose consumer never comes back for the next batch still exits', async () => {
  // The child reads one batch in a worker and then simply stops; it must exit on its own.
  const script = `
    import { sqliteConnector } from '@sisflow/connectors';
    process.env.SISFLOW_READ_WORKER = 'on';
    const ctx = { signal: new AbortController().signal, baseDir: ${JSON.stringify(dir)}, log() {}, warn() {}, reject() {}, count() {}, startedAt: '', afterSuccess() {} };
    const it = sqliteConnector.source.read({ connection: { path: 'aeries.db' }, settings: { table: 'LOC' }, schema: [{ name: 'CD', type: { kind: 'int' } }], batchSize: 10 }, ctx)[Symbol.asyncIterator]();
    const first = await it.next();
    console.log('read', first.value.rows.length);
  `;
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.is(out.trim(), 'read 10');
  assert.is(code, 0);
});

// A CSV with everything readCsv handles: typed cells, a bad cell, a short row, blank lines, a
// quoted value over lines, an absent column, an undeclared one, and a stray quote.
const csvColumns = { ID: 'int', Name: 'string', Active: 'bool', Born: 'date?', Score: 'decimal?', Room: { type: 'string?', absent: 'keep' } };
function csvText(rows: number): string {
  const lines = ['ID,Name,Active,Born,Score,Extra'];
  for (let i = 1; i <= rows; i++) {
    if (i % 97 === 0) lines.push(`${i},"Multi\nline ""quoted""",Y,2010-01-0${(i % 9) + 1},,x`);
    else if (i % 89 === 0) lines.push(`${i},Bad,maybe,2010-01-01,1.5,x`);
    else if (i % 83 === 0) lines.push(`${i},Short`);
    else if (i % 79 === 0) lines.push('');
    else if (i === 1234) lines.push(`${i},Stray "quote,N,,2,x`);
    else lines.push(`${i},Nom ${i} García,${i % 2 ? 'true' : 'F'},${i % 7 ? '2011-02-03' : ''},${i % 5 ? i / 4 : ''},x`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
writeFileSync(join(dir, 'students.csv'), csvText(3000));
const csvRead = (path: string, extra: Record<string, unknown> = {}) => (ctx: RunContext) =>
  filesConnector.source!.read({ connection: { dir: '.' }, settings: { path, columns: csvColumns, ...extra }, schema: [], batchSize: 64 }, ctx);

test('reads the same CSV rows, lines, rejects and warnings in a worker as in the main thread', async () => {
  const r = await same(csvRead('students.csv'));
  const rejects = r.calls.filter((c) => (c as unknown[])[0] === 'reject');
  assert.ok(rejects.length > 60, `rejects: ${rejects.length}`);
  assert.ok(r.calls.some((c) => (c as unknown[])[0] === 'absent'), 'the absent column is reported');
  assert.ok(r.batches.length > 40);
  const rows = r.batches.flatMap((b) => b.rows);
  assert.equal(Object.keys(rows[0]!), ['ID', 'Name', 'Active', 'Born', 'Score', 'Room']);
  assert.is(rows[0]!.Active, true);
});

test('a line column is set in a worker as in the main thread', async () => {
  await same(csvRead('students.csv', { line_column: 'Line' }));
});

test('a file that stops being valid UTF-8 deep inside fails with the same error after the same rows', async () => {
  // Past the reader's first 256 KB chunk: rows were read before the bad bytes are met.
  const text = Buffer.from(csvText(20000));
  const bad = Buffer.concat([text, Buffer.from([0xc3, 0x28]), Buffer.from('\r\n9999,x,Y,,,x\r\n')]);
  writeFileSync(join(dir, 'bad-utf8.csv'), bad);
  const r = await same(csvRead('bad-utf8.csv'));
  assert.ok(r.error?.csvFile, 'a CsvFileError');
  assert.match(r.error!.message, /is not valid utf-8/);
  assert.ok(r.batches.length > 10);
});

test('a header the spec cannot read fails with the same error in a worker', async () => {
  writeFileSync(join(dir, 'no-id.csv'), 'Name,Active\nx,Y\n');
  const r = await same(csvRead('no-id.csv'));
  assert.ok(r.error?.csvFile);
  assert.match(r.error!.message, /has no column "ID"/);
});

test.run();
