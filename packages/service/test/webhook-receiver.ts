// A local HTTPS endpoint that receives webhook posts (a certificate made with openssl for
// 127.0.0.1), for the alert tests. Each JSON body is kept; `next` waits for the next one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class WebhookReceiver {
  readonly bodies: { path: string; body: Record<string, unknown> }[] = [];
  readonly ca: string;
  private waiting: ((b: { path: string; body: Record<string, unknown> }) => void)[] = [];
  private readonly server: Server;

  constructor() {
    const dir = mkdtempSync(join(tmpdir(), 'sisflow-hook-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    this.ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    this.server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: this.ca, minVersion: 'TLSv1.2' }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const got = { path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> };
        res.writeHead(200).end('ok');
        const w = this.waiting.shift();
        if (w) w(got);
        else this.bodies.push(got);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next body posted (one already received and not yet taken comes first). */
  next(): Promise<{ path: string; body: Record<string, unknown> }> {
    const got = this.bodies.shift();
    if (got) return Promise.resolve(got);
    return new Promise((r) => this.waiting.push(r));
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
