// The guard's row digest and chunk encoding: MurmurHash3 as the reference computes it; the digest
// tells rows apart exactly when the JSON of their values or their column names differ; chunks give
// back the rows and keys they were given; and a snapshot kept by the sisflow before this digest
// (xxHash64 digests) is judged against as it was: nothing reported changed when nothing changed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import xxhash from 'xxhash-wasm';
import type { JobPlan, Row } from '@sisflow/core';
import { GuardWatch, SqliteHistory, type HistoryStore } from '@sisflow/service';
import { murmur64 } from '../src/history/row-digest.js';
import { ChunkBuilder, CHUNK_ROWS, chunkKeys, chunkRows, currentDigests, digestRows, encodeKeys, keyEntry, type KeyEntry, type SnapshotChunk } from '../src/history/snapshot-chunks.js';

test('murmur64 is the first 64 bits of MurmurHash3_x86_128 (vectors from the mmh3 reference)', () => {
  const out = new Uint32Array(2);
  const cases: [Buffer, number, number, number][] = [
    [Buffer.from(''), 0, 0x0, 0x0],
    [Buffer.from('a'), 0, 0xa794933c, 0x5556b01b],
    [Buffer.from('abc'), 7, 0xa0911a14, 0xb469ab8c],
    [Buffer.from('["LINCOLN","100001"]'), 0x9747b28c, 0x4ecd2f99, 0xb23c2a40],
    [Buffer.from('ünïcödé ✓ 𝄞'), 1, 0xca725a56, 0x89b6d7be],
    [Buffer.from(Array.from({ length: 37 }, (_, i) => i)), 123456789, 0xd09c774d, 0xa11f45b7],
  ];
  for (const [bytes, seed, lo, hi] of cases) {
    // At an offset inside a larger buffer, as the chunk builder hashes a row where it wrote it.
    const b = Buffer.concat([Buffer.from('xyz'), bytes, Buffer.from('!')]);
    murmur64(b, 3, 3 + bytes.length, seed, out);
    assert.equal([out[0], out[1]], [lo, hi], `${bytes.toString('hex')} seed ${seed}`);
  }
});

const digestOf = (row: Row) => [...digestRows([row])].join(':');
const namesOf = (row: Row) => JSON.stringify(Object.keys(row).filter((k) => row[k] !== undefined));
const valuesOf = (row: Row) => JSON.stringify(Object.values(row).filter((v) => v !== undefined));

test('tells apart the look-alike rows', () => {
  const pairs: [Row, Row][] = [
    [{ a: 'a,b' }, { a: 'a', b: 'b' }],
    [{ a: 'a,b' }, { a: 'a', 'b': ',b' }],
    [{ a: '","' }, { a: '', b: '' }],
    [{ a: null }, { a: '' }],
    [{ a: 1 }, { a: '1' }],
    [{ a: true }, { a: 'true' }],
    [{ a: null }, { a: 'null' }],
    [{ a: 'x', b: 'y' }, { b: 'x', a: 'y' }],
    [{ a: 'x', b: 'y' }, { b: 'y', a: 'x' }],
    [{ a: 'x' }, { A: 'x' }],
    [{ a: 'x', b: undefined }, { a: 'x', b: null }],
    [{ a: [1, 2] }, { a: '[1,2]' }],
    // Values whose JSON is their names' JSON (found by the property below when both were hashed alike).
    [{ 'a,b': 'a,b' }, {}],
    [{ a: 'a' }, { b: 'b' }],
  ];
  for (const [x, y] of pairs) assert.is.not(digestOf(x), digestOf(y), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  assert.is(digestOf({ a: 'x', b: undefined }), digestOf({ a: 'x' }), 'an undefined column is no column');
  assert.is(digestOf({ d: new Date('2026-11-23T00:00:00Z') }), digestOf({ d: '2026-11-23T00:00:00.000Z' }), 'a date is its JSON text, as the snapshot keeps it');
});

/** Values as rows hold them, biased to the look-alikes: separators, quotes, empty texts, numbers as text. */
const value = fc.oneof(
  fc.constantFrom<unknown>(null, '', ',', '","', '"', '\\', 'null', '1', '1.0', 'true', 0, 1, -0, 1.5, true, false, 'a,b', '[]', '\u2028', '\ud800', '😀'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.date({ noInvalidDate: true }),
);
const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'A', 'a,b', '"', 'Last Name'), { maxLength: 4 });
const row = names.chain((ks) => fc.tuple(...ks.map(() => value)).map((vs) => Object.fromEntries(ks.map((k, i) => [k, vs[i]])) as Row));

test('same digest exactly when the values have the same JSON and the columns the same names (property)', () => {
  fc.assert(
    fc.property(row, row, (x, y) => {
      const same = valuesOf(x) === valuesOf(y) && namesOf(x) === namesOf(y);
      return (digestOf(x) === digestOf(y)) === same;
    }),
    { numRuns: 5000 },
  );
  // Pairs that share their columns, so that equal digests are reached too.
  fc.assert(
    fc.property(names, fc.array(value, { minLength: 8, maxLength: 8 }), fc.array(value, { minLength: 8, maxLength: 8 }), (ks, v1, v2) => {
      const x = Object.fromEntries(ks.map((k, i) => [k, v1[i]])) as Row;
      const y = Object.fromEntries(ks.map((k, i) => [k, i % 2 ? v1[i] : v2[i]])) as Row;
      return (digestOf(x) === digestOf(y)) === (valuesOf(x) === valuesOf(y));
    }),
    { numRuns: 5000 },
  );
});

const tricky: Row[] = [
  { ID: 1, LN: 'Ñúñez', FN: 'Zoë', n: 1.5, ok: true, gone: null, d: new Date('2026-11-23T08:30:00Z') },
  { ID: 2, LN: '😀 "quoted" \\ back\nline\u2028sep', FN: '', n: -0, ok: false, gone: null, d: new Date('1999-12-31T23:59:59.999Z') },
  { ID: 3, LN: 'lone \ud800 surrogate', FN: 'x', n: 1e21, ok: true, gone: null, d: new Date(0) },
  { ID: 'T5001', other: 'columns', differ: [1, { a: 2 }] },
  { LN: 'no ID at all', ID: undefined },
  { ID: 4, LN: 'back to the first columns', FN: 'y', n: 2, ok: false, gone: null, d: new Date('2026-01-01T00:00:00Z') },
];

test('a chunk gives back its rows and keys (unicode, nulls, numbers, booleans, dates, other columns), its digests made again from its rows', () => {
  const builder = new ChunkBuilder();
  const keys: KeyEntry[] = [];
  const digests: number[] = [];
  for (const r of tricky) {
    const k = keyEntry(['ID'], r);
    keys.push(k);
    builder.add(k, r);
    digests.push(builder.digest[0]!, builder.digest[1]!);
  }
  const c = builder.take();
  assert.ok(currentDigests(c));
  assert.equal(c.rows, tricky.length);
  assert.equal(chunkKeys(c.keys), keys);
  const back = chunkRows(c.data);
  assert.equal(back, JSON.parse(JSON.stringify(tricky)));
  assert.equal([...digestRows(back)], digests, 'the rows read back digest as they did when written');
  assert.equal([...digestRows(tricky)], digests);
  // The builder's buffer, reused by the next chunk, leaves nothing of this one in it.
  builder.add(9, { ID: 9 });
  assert.equal(chunkRows(builder.take().data), [{ ID: 9 }]);
  assert.equal(chunkRows(builder.take().data), []);
});

test('a chunk holds each row as JSON.stringify writes its values, byte for byte (property; digests of older snapshots depend on it)', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    // Any UTF-16 code units: lone surrogates, pairs, both ends of the 1-, 2- and 3-byte ranges.
    fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xffff, 0x2028)), { maxLength: 6 }).map((units) => String.fromCharCode(...units)),
    fc.constantFrom('', '"', '\\', '~', '\x7f', '\x1f', 'Smith, J.', '06/30/2027', 'Øvergård', 'x😀y', '\ud83d', '\ude00x', '\u2028'),
  );
  fc.assert(
    fc.property(fc.array(fc.array(fc.oneof(value, text), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }), (rows) => {
      const builder = new ChunkBuilder();
      const made = rows.map(([a, b, c]) => ({ a, b, c }) as Row);
      for (const r of made) builder.add(0, r);
      const inflated = inflateRawSync(builder.take().data).toString('utf8');
      const firstNames = namesOf(made[0]!);
      const expected = `[${firstNames}${made.map((r) => `,${namesOf(r) === firstNames ? valuesOf(r) : JSON.stringify(r)}`).join('')}]`;
      return inflated === expected;
    }),
    { numRuns: 3000 },
  );
});

test('rows far larger than the first buffer, and many chunks, round-trip', () => {
  const builder = new ChunkBuilder();
  const big = { ID: 1, text: 'é'.repeat(700_000) };
  builder.add(1, big);
  builder.add(2, { ID: 2, text: 'x' });
  assert.equal(chunkRows(builder.take().data), [big, { ID: 2, text: 'x' }]);
  const rows = Array.from({ length: CHUNK_ROWS + 10 }, (_, i) => ({ ID: i, LN: `N${i}` }));
  const d = digestRows(rows);
  assert.is(d.length, rows.length * 2);
  assert.equal([d[0], d[1]], [...digestRows([rows[0]!])]);
  assert.equal([d[2 * CHUNK_ROWS + 2], d[2 * CHUNK_ROWS + 3]], [...digestRows([rows[CHUNK_ROWS + 1]!])]);
});

test('a chunk\'s keys come back as they went in: as numbers when all are whole numbers or all their texts below 2^32 - 1, else as JSON (property)', () => {
  const entry = fc.oneof(
    fc.nat(),
    fc.nat().map(String),
    fc.constantFrom(0xfffffffe, 0xffffffff, 2 ** 40, String(0xfffffffe), String(0xffffffff), '0042', '', 'T5001', '٣'),
    fc.string({ maxLength: 4 }).map((t): KeyEntry => [JSON.stringify([t, 1])]),
  );
  const keys = fc.oneof(fc.array(fc.nat({ max: 0xfffffffe }), { maxLength: 300 }), fc.array(fc.nat({ max: 0xfffffffe }).map(String), { maxLength: 300 }), fc.array(entry, { maxLength: 300 }));
  fc.assert(
    fc.property(keys, (ks) => {
      const kept = encodeKeys(ks);
      assert.equal(chunkKeys(kept), ks);
      const numeric = (ks.every((k) => typeof k === 'number' && k < 0xffffffff) || ks.every((k) => typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k) && Number(k) < 0xffffffff));
      assert.is(kept[0] === 0xff, numeric, 'kept as numbers exactly when they all can be');
    }),
    { numRuns: 2000 },
  );
});

test('a snapshot whose keys were kept as JSON (sisflow before keys as numbers) is judged against as before', async () => {
  const store = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), 'sisflow-digest-')), 'history.db'));
  try {
    const n = CHUNK_ROWS + 77;
    const builder = new ChunkBuilder();
    const chunks: SnapshotChunk[] = [];
    for (const r of JSON.parse(JSON.stringify(patrons(n))) as Row[]) {
      builder.add(keyEntry(['ID'], r), r);
      if (builder.size === CHUNK_ROWS) chunks.push(builder.take());
    }
    chunks.push(builder.take());
    assert.ok(chunks.every((c) => c.keys[0] === 0xff), 'District IDs are kept as numbers now');
    const asJson = chunks.map((c) => ({ ...c, keys: deflateRawSync(JSON.stringify(chunkKeys(c.keys))) }));
    const run = (await store.begin({ spec: 'patrons', file: 'x', planHash: 'h', params: {}, trigger: 'manual', startedAt: new Date().toISOString() })).run!;
    await store.finish(run.id, { status: 'ok', durationMs: 1, snapshots: new Map([['out', { runId: run.id, key: ['ID'], chunks: () => asJson }]]) });
    const out = await guardRun(store, [...patrons(n, new Set([3])).slice(1), { ID: 'T1', LN: 'x', FN: 'y', GR: 1, since: new Date(0) }]);
    assert.equal([out.previous, out.removed, out.added, out.changed], [n, 1, 1, 1]);
    assert.equal([out.sample.removed[0]!.ID, out.sample.added[0]!.ID, out.sample.changed[0]!.after.LN], ['100000', 'T1', 'Moved3']);
  } finally {
    await store.close();
  }
});

/** Chunks exactly as sisflow wrote them before this digest: xxHash64 of the JSON of the values, seeded with xxHash64 of the JSON of the names; 8 bytes a row, no trailer. */
async function oldChunks(key: string[], rows: Row[]): Promise<SnapshotChunk[]> {
  const hash = await xxhash();
  const out: SnapshotChunk[] = [];
  for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
    const part = rows.slice(at, at + CHUNK_ROWS);
    const columns = Object.keys(part[0]!).filter((n) => part[0]![n] !== undefined);
    const digests = Buffer.alloc(part.length * 8);
    const texts = part.map((r, i) => {
      const names = Object.keys(r).filter((n) => r[n] !== undefined);
      const values = names.map((n) => r[n]);
      digests.writeBigUInt64LE(hash.h64(JSON.stringify(values), hash.h64(JSON.stringify(names))), i * 8);
      return JSON.stringify(names) === JSON.stringify(columns) ? JSON.stringify(values) : JSON.stringify(r);
    });
    out.push({
      rows: part.length,
      keys: deflateRawSync(JSON.stringify(part.map((r) => keyEntry(key, r)))),
      digests,
      data: deflateRawSync(`[${JSON.stringify(columns)},${texts.join(',')}]`),
    });
  }
  return out;
}

const plan = { name: 'patrons', outputs: [{ name: 'out', guard: { key: ['ID'], max_changed: 0 } }] } as unknown as JobPlan;
const patrons = (n: number, changed = new Set<number>()) =>
  Array.from({ length: n }, (_, i): Row => ({ ID: String(100000 + i), LN: changed.has(i) ? `Moved${i}` : `Last${i}`, FN: i % 7 ? 'Ava' : 'Zoë', GR: i % 13, since: new Date(Date.UTC(2020, 0, 1 + (i % 300))) }));

async function guardRun(store: HistoryStore, rows: Row[]) {
  const run = (await store.begin({ spec: 'patrons', file: 'x', planHash: 'h', params: {}, trigger: 'manual', startedAt: new Date().toISOString() })).run!;
  const watch = await GuardWatch.open(plan, (o) => store.snapshot('patrons', o));
  try {
    for (let at = 0; at < rows.length; at += 500) watch.observe('out', rows.slice(at, at + 500));
    const report = await watch.judge();
    await store.finish(run.id, { status: 'ok', durationMs: 1, snapshots: watch.snapshots(run.id) });
    return report.outputs[0]!;
  } finally {
    watch.close();
  }
}

test('a snapshot kept by the sisflow before (xxHash64 digests) is judged against without a row reported changed', async () => {
  const store = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), 'sisflow-digest-')), 'history.db'));
  try {
    const n = CHUNK_ROWS * 2 + 123;
    const old = await oldChunks(['ID'], JSON.parse(JSON.stringify(patrons(n))) as Row[]);
    assert.not.ok(currentDigests(old[0]!));
    const run = (await store.begin({ spec: 'patrons', file: 'x', planHash: 'h', params: {}, trigger: 'manual', startedAt: new Date().toISOString() })).run!;
    await store.finish(run.id, { status: 'ok', durationMs: 1, snapshots: new Map([['out', { runId: run.id, key: ['ID'], chunks: () => old }]]) });

    const same = await guardRun(store, patrons(n));
    assert.equal([same.previous, same.removed, same.added, same.changed, same.breaches], [n, 0, 0, 0, []]);
    const next = await store.snapshot('patrons', 'out');
    for await (const c of next!.index()) assert.ok(currentDigests(c), 'the publish after the upgrade keeps the new digests');

    const changed = await guardRun(store, patrons(n, new Set([5, CHUNK_ROWS + 1])));
    assert.is(changed.changed, 2);
    assert.equal(changed.sample.changed.map((c) => [c.before.LN, c.after.LN]), [['Last5', 'Moved5'], [`Last${CHUNK_ROWS + 1}`, `Moved${CHUNK_ROWS + 1}`]]);
  } finally {
    await store.close();
  }
});

test('an old snapshot with one row changed since reports that row, with its columns before and after', async () => {
  const store = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), 'sisflow-digest-')), 'history.db'));
  try {
    const old = await oldChunks(['ID'], JSON.parse(JSON.stringify(patrons(300))) as Row[]);
    const run = (await store.begin({ spec: 'patrons', file: 'x', planHash: 'h', params: {}, trigger: 'manual', startedAt: new Date().toISOString() })).run!;
    await store.finish(run.id, { status: 'ok', durationMs: 1, snapshots: new Map([['out', { runId: run.id, key: ['ID'], chunks: () => old }]]) });
    const out = await guardRun(store, patrons(300, new Set([42])));
    assert.equal([out.removed, out.added, out.changed, out.breaches], [0, 0, 1, ['1 row(s) changed, more than max_changed 0']]);
    assert.equal(out.sample.changed[0]!.before, { ...JSON.parse(JSON.stringify(patrons(300)[42])), LN: 'Last42' });
    assert.is(out.sample.changed[0]!.after.LN, 'Moved42');
  } finally {
    await store.close();
  }
});

test.run();
