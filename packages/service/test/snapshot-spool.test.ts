// The guard's spool: chunks compressed on the thread pool are still written in their order, and a
// spool closed while chunks are being compressed writes nothing more (its file descriptor may
// already belong to another file by then).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SnapshotSpool } from '../src/guard/snapshot-spool.js';
import { CHUNK_ROWS, chunkKeys, chunkRows } from '../src/history/snapshot-chunks.js';

/** A text deflate cannot shrink much (its output needs several of the pool's output buffers). */
const noise = (i: number, n: number) => Array.from({ length: n }, (_, j) => String.fromCharCode(33 + ((Math.imul(i * 31 + j, 2654435761) >>> 13) % 90))).join('');

/**
 * Rows of different sizes, so the chunks compress at different speeds; chunks 1 and 7 are about
 * ten times larger than the others (the buffers their data is copied into are reused or replaced),
 * chunk 4 barely compresses.
 */
const rowAt = (i: number) => {
  const chunk = Math.floor(i / CHUNK_ROWS);
  const pad = chunk === 4 ? noise(i, 40) : 'x'.repeat(((i * 7919) % 300) * (chunk === 1 || chunk === 7 ? 10 : 1));
  return { ID: i, LN: `Ñ${i}`, pad };
};

test('many chunks compressed on the pool come back whole and in order', async () => {
  const spool = new SnapshotSpool();
  const n = 9 * CHUNK_ROWS + 17;
  for (let i = 0; i < n; i++) spool.add(i, rowAt(i));
  await spool.settle();
  let at = 0;
  for (const c of spool.chunks()) {
    const rows = chunkRows(c.data);
    assert.is(c.rows, rows.length);
    assert.equal(chunkKeys(c.keys), rows.map((r) => r.ID));
    for (const r of rows) assert.equal(r, rowAt(at++));
  }
  assert.is(at, n);
  const picks = [0, CHUNK_ROWS - 1, CHUNK_ROWS, 5 * CHUNK_ROWS + 3, n - 1];
  const found = spool.rowsAt(picks);
  for (const p of picks) assert.equal(found.get(p), rowAt(p));
  spool.close();
});

test('chunks queued behind a busy thread pool still come back whole (their data is not reused before it is compressed)', async () => {
  // Every thread of libuv's pool blocked opening a FIFO that no one writes yet: the spool's chunks
  // wait their turn while rows keep coming, then the pool is let go.
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-spool-test-'));
  try {
    const gate = join(dir, 'gate');
    execFileSync('mkfifo', [gate]);
    const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const blocked = Array.from({ length: threads }, () => open(gate, 'r'));
    const spool = new SnapshotSpool();
    const n = 6 * CHUNK_ROWS;
    // Chunks of about the same size: each could take the buffer the one before it was copied into.
    const row = (i: number) => ({ ID: i, LN: `N${i}`, pad: 'x'.repeat((i * 7919) % 300) });
    for (let i = 0; i < n; i++) spool.add(i, row(i));
    const writer = openSync(gate, 'w');
    for (const h of await Promise.all(blocked)) await h.close();
    closeSync(writer);
    await spool.settle();
    let at = 0;
    for (const c of spool.chunks()) for (const r of chunkRows(c.data)) assert.equal(r, row(at++));
    assert.is(at, n);
    spool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a spool closed while chunks are compressed writes nothing after, not even to a file that took its descriptor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-spool-test-'));
  try {
    const spool = new SnapshotSpool();
    for (let i = 0; i < 3 * CHUNK_ROWS; i++) spool.add(i, rowAt(i));
    spool.close();
    // The lowest free descriptor: the spool's own, just closed.
    const other = join(dir, 'other');
    const fd = openSync(other, 'w+');
    await spool.settle();
    closeSync(fd);
    assert.is(readFileSync(other).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
