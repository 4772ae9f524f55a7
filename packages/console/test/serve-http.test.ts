// `sisflow serve --http` as a real process: the console listens beside the scheduler and stops
// with it; an address off loopback without TLS or the explicit flag is a usage error.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_TOKEN, seededDistrict } from './seeded-district.js';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'packages/cli/dist/bin.js');

/** Starts `sisflow serve` and resolves with the console's URL from its log. */
function serveHttp(dir: string, env: NodeJS.ProcessEnv, args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', dir, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const o = { child, exited, stdout: '', stderr: '', url: undefined as unknown as Promise<string> };
  child.stderr.on('data', (d: Buffer) => void (o.stderr += d.toString('utf8')));
  o.url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      o.stdout += d.toString('utf8');
      const m = /"url":"(https?:\/\/127\.0\.0\.1:\d+)"/.exec(o.stdout);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`serve ended before the console listened:\n${o.stdout}\n${o.stderr}`)));
  });
  return o as { child: ChildProcess; exited: Promise<number | null>; stdout: string; stderr: string; url: Promise<string> };
}

test('serve --http 127.0.0.1:0 serves the console and /metrics until SIGTERM, then exits 0', async () => {
  const s = await seededDistrict();
  await s.store.close();
  const p = serveHttp(s.dir, s.env, ['--http', '127.0.0.1:0']);
  const url = await p.url;
  assert.is(await (await fetch(`${url}/healthz`)).text(), 'ok\n');
  const page = await (await fetch(`${url}/`)).text();
  assert.match(page, 'destiny-patrons');
  assert.match(page, '<span class="status status-held">held</span>');
  assert.match(await (await fetch(`${url}/metrics`)).text(), 'sisflow_runs_total{district="Test <script>alert(\\"x\\")</script> Unified",spec="destiny-patrons",status="held"} 1');
  const login = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ by: 'Dana', token: ADMIN_TOKEN }), redirect: 'manual' });
  assert.is(login.status, 303, 'the admin token comes from the secrets folder');
  p.child.kill('SIGTERM');
  assert.is(await p.exited, 0, p.stderr);
  assert.match(p.stdout, '"msg":"console: login by Dana"');
  assert.not.ok(p.stdout.includes(ADMIN_TOKEN));
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


test('with --http-tls-cert and --http-tls-key the console is HTTPS and its session cookie is Secure', async () => {
  const s = await seededDistrict();
  await s.store.close();
  const tls = mkdtempSync(join(tmpdir(), 'sisflow-console-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(tls, 'key.pem'), '-out', join(tls, 'cert.pem')], { stdio: 'ignore' });
  const p = serveHttp(s.dir, s.env, ['--http', '127.0.0.1:0', '--http-tls-cert', join(tls, 'cert.pem'), '--http-tls-key', join(tls, 'key.pem')]);
  const url = await p.url;
  assert.match(url, /^https:/);
  const ask = (path: string, body?: string) =>
    new Promise<{ status: number; cookie: string[]; text: string }>((resolve, reject) => {
      const r = request(`${url}${path}`, { method: body ? 'POST' : 'GET', ca: readFileSync(join(tls, 'cert.pem')), headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode!, cookie: res.headers['set-cookie'] ?? [], text }));
      });
      r.on('error', reject);
      r.end(body);
    });
  assert.is((await ask('/healthz')).text, 'ok\n');
  const login = await ask('/login', new URLSearchParams({ by: 'Dana', token: ADMIN_TOKEN }).toString());
  assert.is(login.status, 303);
  assert.match(login.cookie[0]!, /;\s*Secure/i);
  p.child.kill('SIGTERM');
  assert.is(await p.exited, 0);
});

test('a port already taken: a clear error naming it, exit 1, nothing left running', async () => {
  const s = await seededDistrict();
  await s.store.close();
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as AddressInfo).port;
  try {
    const r = spawnSync(process.execPath, [BIN, 'serve', s.dir, '--http', `127.0.0.1:${port}`], { encoding: 'utf8', env: s.env });
    assert.is(r.status, 1);
    assert.match(r.stderr, `error: the console cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
  } finally {
    taken.close();
  }
});

test.run();
