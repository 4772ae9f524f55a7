// One request to a OneRoster provider with a bearer token: a token the provider stops accepting
// is fetched again once, throttling and server errors throw for the shared retry loop, and a
// failure's imsx description is read for messages. Used by the source and the gradebook sink.
import type { Settings } from '@sisflow/core';
import { httpsRequest, serverBusy, type HttpsResponse } from '../http/https-request.js';
import { tlsOptions } from '../http/https-settings.js';
import type { TokenSource } from './oauth.js';

export async function providerRequest(url: string, c: Settings, tokens: TokenSource, signal: AbortSignal, send: { method?: 'GET' | 'PUT'; body?: string } = {}): Promise<HttpsResponse> {
  const where = new URL(url).pathname;
  for (let fresh = 0; ; fresh++) {
    const token = await tokens.get(signal);
    const res = await httpsRequest(url, {
      method: send.method ?? 'GET',
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, ...(send.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(send.body !== undefined ? { body: send.body } : {}),
      ...tlsOptions(c),
      signal,
    });
    if (res.status === 401 && fresh === 0) {
      tokens.drop(token);
      continue;
    }
    if (res.status === 429 || res.status >= 500) throw serverBusy(res, `the OneRoster provider answered ${res.status} for ${send.method ?? 'GET'} ${where}`);
    return res;
  }
}

/** The imsx status description of a failure, or the start of the body. */
export function describeFailure(body: string): string {
  try {
    const b = JSON.parse(body) as { imsx_description?: unknown; statusInfoSet?: { imsx_description?: unknown }[] };
    const d = b.imsx_description ?? b.statusInfoSet?.[0]?.imsx_description;
    if (typeof d === 'string') return d.slice(0, 200);
  } catch {
    // not JSON
  }
  return body.slice(0, 200);
}
