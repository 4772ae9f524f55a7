// The guard's spool: chunks compressed on the thread pool are still written in their order, and a
// spool closed while chunks are being compressed writes nothing more (its file descriptor may
// already belong to another file by then).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SnapshotSpool } from '../src/guard/snapshot-spool.js';
import { CHUNK_ROWS, chunkKeys, chunkRows } from '../src/history/snapshot-chunks.js';

/** Rows of different sizes, so the chunks compress at different speeds. */
const rowAt = (i: number) => ({ ID: i, LN: `Ñ${i}`, pad: 'x'.repeat((i * 7919) % 300) });

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
