// One HTTPS request with the settings every sisflow API connector shares: TLS 1.2 or newer, an
// optional private certificate authority, a timeout and cancellation. Errors say whether trying
// again may help, for the shared retry loop (../retry.ts); a server that cannot be reached, a
// certificate not trusted and a refused key are the connection's own failure (connectionFailure).
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { connectionFailure } from '@sisflow/core';
import { networkFailure } from '../network-failure.js';
import type { Verdict } from '../retry.js';

const TRUST = "if the district signs its servers' certificates itself, give its certificate authority (PEM) as `ca:` on the connection";

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
    r.on('error', (e) => {
      if (e instanceof HttpError || o.signal.aborted) return reject(e instanceof HttpError ? e : new HttpError(e.message, false));
      const failure = networkFailure(e, new URL(url).host, TRUST);
      reject(failure ? connectionFailure(new HttpError(failure.message, failure.retryable)) : new HttpError(e.message, true));
    });
    r.end(o.body);
  });
}

/** The server refused the connection's key, certificate or token (401, 403): the connection's own failure, not retried. */
export function accessRefused(message: string): HttpError {
  return connectionFailure(new HttpError(message, false));
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
