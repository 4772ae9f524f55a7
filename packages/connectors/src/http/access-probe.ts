// One request of `sisflow access check`, answered as the permission it tests: granted (2xx),
// refused (401, 403), not found (404) or failed (anything else, after the connection's retries
// for throttling and server errors).
import type { AccessProbe, Settings } from '@sisflow/core';
import { withRetries } from '../retry.js';
import { judgeHttp, type HttpsResponse } from './https-request.js';
import { retryPolicy } from './https-settings.js';

export async function probeAccess(c: Settings, url: string, signal: AbortSignal, get: () => Promise<HttpsResponse>, message: (body: string) => string): Promise<Pick<AccessProbe, 'status' | 'request' | 'detail'>> {
  const request = `GET ${new URL(url).pathname}`;
  const quiet = { signal, count: () => undefined, log: () => undefined };
  try {
    const res = await withRetries(quiet, retryPolicy(c, 'access check retries'), get, judgeHttp);
    if (res.status >= 200 && res.status < 300) return { status: 'granted', request };
    const detail = `${res.status}${message(res.body)}`;
    if (res.status === 401 || res.status === 403) return { status: 'refused', request, detail };
    if (res.status === 404) return { status: 'not found', request, detail };
    return { status: 'failed', request, detail };
  } catch (e) {
    if (signal.aborted) throw e;
    return { status: 'failed', request, detail: e instanceof Error ? e.message : String(e) };
  }
}
