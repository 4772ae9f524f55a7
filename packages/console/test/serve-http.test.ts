// `sisflow serve --http` as a real process: the console listens beside the scheduler and stops
// with it; an address off loopback without TLS or the explicit flag is a usage error.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_TOKEN, seededDistrict } from './seeded-district.js';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'packages/cli/dist/bin.js');

test('serve --http 127.0.0.1:0 serves the console and /metrics until SIGTERM, then exits 0', async () => {
  const s = await seededDistrict();
  await s.store.close();
  const child = spawn(process.execPath, [BIN, 'serve', s.dir, '--http', '127.0.0.1:0'], { env: s.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`serve ended before the console listened:\n${stdout}\n${stderr}`)));
  });
  assert.is(await (await fetch(`${url}/healthz`)).text(), 'ok\n');
  const page = await (await fetch(`${url}/`)).text();
  assert.match(page, 'destiny-patrons');
  assert.match(page, '<span class="status status-held">held</span>');
  assert.match(await (await fetch(`${url}/metrics`)).text(), 'sisflow_runs_total{district="Test <script>alert(\\"x\\")</script> Unified",spec="destiny-patrons",status="held"} 1');
  const login = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ by: 'Dana', token: ADMIN_TOKEN }), redirect: 'manual' });
  assert.is(login.status, 303, 'the admin token comes from the secrets folder');
  child.kill('SIGTERM');
  assert.is(await exited, 0, stderr);
  assert.match(stdout, '"msg":"console: login by Dana"');
  assert.not.ok(stdout.includes(ADMIN_TOKEN));
  assert.is(await fetch(`${url}/healthz`).then(() => 'answered', (e: Error) => (e.cause as NodeJS.ErrnoException).code), 'ECONNREFUSED', 'the console stopped with the service');
});

test('--http on a public address without TLS, a host name, or half a TLS pair is a usage error (exit 2)', async () => {
  const s = await seededDistrict();
  await s.store.close();
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'serve', s.dir, ...args], { encoding: 'utf8', env: s.env });
  const pub = run('--http', '0.0.0.0:8080');
  assert.is(pub.status, 2);
  assert.match(pub.stderr, 'is not a loopback address');
  assert.match(pub.stderr, '--http-insecure-public');
  assert.is(run('--http', 'console.example.org:8080').status, 2);
  const half = run('--http', '0.0.0.0:8080', '--http-tls-cert', 'cert.pem');
  assert.is(half.status, 2);
  assert.match(half.stderr, 'give both --http-tls-cert and --http-tls-key');
  const missing = run('--http', '0.0.0.0:8080', '--http-tls-cert', '/nonexistent/c.pem', '--http-tls-key', '/nonexistent/k.pem');
  assert.is(missing.status, 2);
  assert.match(missing.stderr, '--http-tls-cert /nonexistent/c.pem cannot be read (ENOENT)');
});

test.run();
