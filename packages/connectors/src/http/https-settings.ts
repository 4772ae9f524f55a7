// The settings every HTTPS API connector (aeries-api, oneroster-api) takes, and what they mean for
// a request and for retries. No I/O here: connector declarations load this at every CLI start.
import type { Settings } from '@sisflow/core';
import type { RetryPolicy } from '../retry.js';

/** Connection settings every HTTPS API connector takes (JSON Schema properties). */
export const HTTPS_CONNECTION_SETTINGS = {
  ca: { type: 'string', description: 'PEM of a private certificate authority, for a server whose certificate a public one did not sign' },
  timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 600, default: 60 },
  retries: { type: 'integer', minimum: 0, maximum: 10, default: 4, description: 'further attempts after 429 Too Many Requests, 5xx or a dropped connection' },
  retry_delay_seconds: { type: 'number', minimum: 0, maximum: 300, default: 1, description: 'first wait (doubling; a Retry-After from the server wins)' },
} as const;

/** The certificate authority and timeout of those settings, as request options. */
export function tlsOptions(c: Settings): { ca?: string; timeoutMs: number } {
  return { ...(typeof c.ca === 'string' ? { ca: c.ca } : {}), timeoutMs: ((c.timeout_seconds as number | undefined) ?? 60) * 1000 };
}

/** The retry policy of those settings; each retry is counted as `event`. */
export function retryPolicy(c: Settings, event: string): RetryPolicy {
  return { retries: (c.retries as number | undefined) ?? 4, delayMs: ((c.retry_delay_seconds as number | undefined) ?? 1) * 1000, event, maxDelayMs: 60_000 };
}
