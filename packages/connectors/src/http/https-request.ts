// One HTTPS request with the settings every sisflow API connector shares: TLS 1.2 or newer, an
// optional private certificate authority, a timeout and cancellation. Errors say whether trying
// again may help, for the shared retry loop (../retry.ts).
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { Verdict } from '../retry.js';

export interface HttpsOptions {
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  /** PEM of a private certificate authority. */
  ca?: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface HttpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function httpsRequest(url: string, o: HttpsOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      {
        method: o.method ?? 'GET',
        headers: { ...o.headers, ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}) },
        minVersion: 'TLSv1.2',
        ...(o.ca !== undefined ? { ca: o.ca } : {}),
        timeout: o.timeoutMs,
        signal: o.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', (e) => reject(new HttpError(e.message, true)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    r.on('timeout', () => r.destroy(new HttpError('no answer within the timeout', true)));
    r.on('error', (e) => reject(e instanceof HttpError ? e : new HttpError(e.message, !o.signal.aborted)));
    r.end(o.body);
  });
}

/** An error for a throttled (429) or failing (5xx) answer, honouring Retry-After (seconds). */
export function serverBusy(res: HttpsResponse, message: string): HttpError {
  const after = Number(res.headers['retry-after']);
  return new HttpError(message, true, Number.isFinite(after) && res.headers['retry-after'] !== undefined ? after * 1000 : undefined);
}

/** How the retry loop should treat an error thrown by an HTTPS request. */
export function judgeHttp(e: unknown): Verdict {
  const err = e instanceof HttpError ? e : new HttpError(String(e), false);
  return { error: err, retryable: err.retryable, ...(err.retryAfterMs !== undefined ? { waitMs: err.retryAfterMs } : {}) };
}
