// SFTP throughput on loopback: sisflow's upload (fastPut, temp name + rename) and download
// (fastGet) of one file against OpenSSH's own scp and sftp clients on the same file and the same
// sshd, each several times; prints medians and the ratio sisflow/OpenSSH.
// Run: node --conditions=sisflow-source --import tsx bench/sftp-throughput.ts [MB] [runs]
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '@sisflow/core';
import { download, RemoteUpload, SftpConnection, sftpSettings } from '../packages/connectors/src/sftp/index.js';
import { startSshd } from '../packages/connectors/test/sftp/sshd.js';

const MB = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 3);
const SIZE = MB * 1024 * 1024;

const ctx: RunContext = {
  signal: new AbortController().signal,
  baseDir: '.',
  log: () => undefined,
  warn: () => undefined,
  reject: () => undefined,
  count: () => undefined,
  afterSuccess: () => undefined,
  journaled: new Set(),
};

async function time(f: () => Promise<void> | void): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const sshd = await startSshd();
const dir = await mkdtemp(join(tmpdir(), 'sisflow-bench-sftp-'));
try {
  const local = join(dir, 'big.csv');
  const f = await open(local, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < MB; i++) await f.write(chunk.fill(`${i},row ${i}\r\n`));
  await f.close();
  const key = join(dir, 'key');
  await writeFile(key, sshd.privateKey, { mode: 0o600 });
  const ssh = ['-i', key, '-P', String(sshd.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-q'];
  const target = `${sshd.username}@127.0.0.1`;
  const conn = new SftpConnection(sftpSettings({ host: '127.0.0.1', port: sshd.port, username: sshd.username, private_key: sshd.privateKey, host_key: sshd.fingerprint, dir: sshd.root }), ctx);
  const results: Record<string, number[]> = { 'sisflow upload': [], 'scp upload': [], 'sftp put': [], 'sisflow download': [], 'scp download': [], 'sftp get': [] };
  for (let r = 0; r < RUNS; r++) {
    results['sisflow upload']!.push(await time(async () => {
      const u = new RemoteUpload(conn, ctx, 'up.csv', local, SIZE, 0);
      await u.stage();
      await u.commit();
    }));
    results['scp upload']!.push(await time(() => void execFileSync('scp', [...ssh, local, `${target}:${sshd.root}/scp.csv`])));
    const batch = join(dir, 'batch');
    await writeFile(batch, `put ${local} ${sshd.root}/sftp.csv\n`);
    results['sftp put']!.push(await time(() => void execFileSync('sftp', [...ssh, '-b', batch, target])));
    await rm(join(dir, 'down.csv'), { force: true });
    results['sisflow download']!.push(await time(() => download(conn, ctx, { path: 'up.csv', size: SIZE }, join(dir, 'down.csv'))));
    results['scp download']!.push(await time(() => void execFileSync('scp', [...ssh, `${target}:${sshd.root}/scp.csv`, join(dir, 'scp-down.csv')])));
    await writeFile(batch, `get ${sshd.root}/sftp.csv ${join(dir, 'sftp-down.csv')}\n`);
    results['sftp get']!.push(await time(() => void execFileSync('sftp', [...ssh, '-b', batch, target])));
  }
  await conn.close();
  console.log(`SFTP throughput, ${MB} MB file, loopback OpenSSH sshd, median of ${RUNS} (node ${process.version}, ${cpus().length} cores)`);
  const rate = (k: string) => MB / median(results[k]!);
  for (const k of Object.keys(results)) console.log(`  ${k.padEnd(18)} ${rate(k).toFixed(0).padStart(5)} MB/s   (${results[k]!.map((s) => s.toFixed(2)).join(' s, ')} s)`);
  console.log(`  sisflow/scp upload ${(rate('sisflow upload') / rate('scp upload')).toFixed(2)}, sisflow/sftp put ${(rate('sisflow upload') / rate('sftp put')).toFixed(2)}`);
  console.log(`  sisflow/scp download ${(rate('sisflow download') / rate('scp download')).toFixed(2)}, sisflow/sftp get ${(rate('sisflow download') / rate('sftp get')).toFixed(2)}`);
} finally {
  await sshd.stop();
  await rm(dir, { recursive: true, force: true });
}
