// `sisflow transfer serve`: the district's HTTPS endpoint for requests and packages from other
// districts. TLS 1.2 or newer with forward-secret AEAD cipher suites only; bodies over the limit
// are refused before they are read in full; messages are rate-limited per district, checked for
// replays and verified against the registry (inbox.ts). Answers are JSON, never an echo of input.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { claimedSender } from '@sisflow/connectors/records-transfer';
import type { District } from './district.js';
import { expirePackages } from './import.js';
import { receivePackage, receiveRequest, type Answer } from './inbox.js';
import { RateLimit } from './rate-limit.js';

/** TLS 1.2 suites with ECDHE key exchange and AEAD encryption; TLS 1.3's suites are all strong. */
export const CIPHERS = ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'].join(':');

export interface TransferService {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function serve(district: District, o: { tls?: { cert: string | Buffer; key: string | Buffer }; port?: number; host?: string } = {}): Promise<TransferService> {
  const tls = o.tls ?? (district.config.tls ? { cert: readFileSync(district.config.tls.cert), key: readFileSync(district.config.tls.key) } : undefined);
  if (!tls) throw new Error(`${district.config.file}: \`tls\` (cert and key files) is required: the service speaks HTTPS only`);
  expirePackages(district);
  const limit = new RateLimit(district.config.limits.perDistrictPerMinute, district.clock);
  const server = createServer({ ...tls, minVersion: 'TLSv1.2', ciphers: CIPHERS, honorCipherOrder: true }, (req, res) => {
    handle(district, limit, req, res).catch(() => send(res, 500, { error: 'the service could not handle the message' }));
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? district.config.listen.port, o.host ?? district.config.listen.host, () => resolve());
  });
  // Packages nobody imported are deleted once they are older than the limit, hourly.
  const expiry = setInterval(() => {
    try {
      expirePackages(district);
    } catch {
      // the next hour tries again; list and import expire too
    }
  }, 3_600_000).unref();
  const a = server.address() as AddressInfo;
  return {
    server,
    url: `https://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => {
      clearInterval(expiry);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const ROUTES: Record<string, { max: (d: District) => number; handle: (d: District, body: string, remote: string) => Promise<Answer> }> = {
  '/v1/requests': { max: (d) => d.config.limits.maxRequestBytes, handle: receiveRequest },
  '/v1/packages': { max: (d) => d.config.limits.maxPackageBytes, handle: receivePackage },
};

async function handle(district: District, limit: RateLimit, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const route = ROUTES[(req.url ?? '').split('?')[0]!];
  if (!route) return send(res, 404, { error: 'no such endpoint (POST /v1/requests, POST /v1/packages)' });
  if (req.method !== 'POST') return send(res, 405, { error: 'POST only' }, { allow: 'POST' });
  const max = route.max(district);
  const remote = req.socket.remoteAddress ?? 'unknown';
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return tooLarge(district, res, max, remote);
  const body = await readBody(req, max);
  if (body === undefined) return tooLarge(district, res, max, remote);
  // Per claimed district (authenticated later) and per address: neither can flood the queue.
  const who = claimedSender(body) ?? 'unknown';
  if (!limit.take(`district:${who}`) || !limit.take(`address:${remote}`)) {
    district.audit.write({ event: req.url?.startsWith('/v1/packages') ? 'package-refused' : 'request-refused', by: `district ${who}`, district: who, reason: 'rate limit', remote });
    return send(res, 429, { error: 'too many messages; try again in a minute' }, { 'retry-after': '60' });
  }
  const answer = await route.handle(district, body, remote);
  send(res, answer.status, answer.body);
}

function tooLarge(district: District, res: ServerResponse, max: number, remote: string): void {
  district.audit.write({ event: 'request-refused', by: 'unknown', reason: `body over ${max} bytes`, remote });
  send(res, 413, { error: `the body is over the ${max}-byte limit` }, { connection: 'close' });
}

/** The body as text, or undefined once it passes `max` bytes (reading stops there). */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}
