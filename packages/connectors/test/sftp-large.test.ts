// A 200 MB file up to and back from the real OpenSSH sshd with constant client memory: the upload
// streams from the local spool and the download streams to one, so the heap and RSS stay flat.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RemoteUpload, SftpConnection, download, sftpSettings } from '../src/sftp/index.js';
import { context, tempDir } from './sftp-helpers.js';
import { SSHD, sshdRequired, startSshd } from './sftp/sshd.js';

const SIZE = 200 * 1024 * 1024;

async function writeBigFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const f = await open(path, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < SIZE / chunk.length; i++) {
    chunk.fill(`${i},row ${i} of the big file\r\n`);
    hash.update(chunk);
    await f.write(chunk);
  }
  await f.close();
  return hash.digest('hex');
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Peak RSS growth over a baseline while `work` runs, sampled every 20 ms. */
async function peakGrowth(work: () => Promise<void>): Promise<number> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - base;
}

test('200 MB up and down with flat memory; the bytes survive the round trip', async () => {
  const sshd = await startSshd();
  const dir = await tempDir('sisflow-sftp-big-');
  try {
    const local = join(dir, 'big.csv');
    const digest = await writeBigFile(local);
    const { ctx } = context();
    const conn = new SftpConnection(sftpSettings({ host: '127.0.0.1', port: sshd.port, username: sshd.username, private_key: sshd.privateKey, host_key: sshd.fingerprint, dir: sshd.root }), ctx);
    // The session is opened (and the SSH library loaded, on first use) before the baseline: what is
    // measured is what moving the file costs, not what connecting costs.
    await conn.use('open the session', async () => undefined);
    const upload = new RemoteUpload(conn, ctx, 'big/big.csv', local, SIZE, 0);
    const up = await peakGrowth(async () => {
      await upload.stage();
      await upload.commit();
    });
    assert.is((await stat(join(sshd.root, 'big/big.csv'))).size, SIZE);
    const back = join(dir, 'back.csv');
    const down = await peakGrowth(() => download(conn, ctx, { path: 'big/big.csv', size: SIZE }, back));
    await conn.close();
    assert.is(await sha256(back), digest);
    const MB = 1024 * 1024;
    assert.ok(up < 64 * MB, `upload grew RSS by ${(up / MB).toFixed(0)} MB`);
    assert.ok(down < 64 * MB, `download grew RSS by ${(down / MB).toFixed(0)} MB`);
  } finally {
    await sshd.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

if (SSHD) test.run();
else if (sshdRequired()) throw new Error('OpenSSH sshd is not installed; .ci/run installs openssh-server');
else console.warn('SKIPPED sftp-large.test.ts: no OpenSSH sshd here (apt-get install openssh-server)');
