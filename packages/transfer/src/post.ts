// POSTing an envelope to another district's service: HTTPS, TLS 1.2 or newer, this district's
// private certificate authority if it has one.
import { httpsRequest, type HttpsResponse } from '@sisflow/connectors/records-transfer';
import type { District } from './district.js';

export function post(district: District, url: string, envelope: string, signal?: AbortSignal): Promise<HttpsResponse> {
  return httpsRequest(url, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: envelope, timeoutMs: 60_000, signal: signal ?? new AbortController().signal, ...(district.config.ca ? { ca: district.config.ca } : {}) });
}
