// Fetching pages of records from the Aeries API over HTTPS (TLS 1.2 minimum, an optional private
// CA), with bounded retries for throttling and server errors.
import { accessRefused, HttpError, httpsRequest, judgeHttp, serverBusy, type HttpsResponse } from '../http/https-request.js';
import { retryPolicy, tlsOptions } from '../http/https-settings.js';
import { withRetries } from '../retry.js';
import { jsonRows, recordColumns } from '../http/record-columns.js';
import { type RunContext, type Settings, type SourceBatch, type SourceReadRequest } from '@sisflow/core';

export async function* readAeriesApi(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const c = req.connection;
  const endpoint = String(req.settings.endpoint);
  const schools = (req.settings.schools as number[] | undefined) ?? [undefined];
  const pageSize = (req.settings.page_size as number | undefined) ?? 500;
  const columns = recordColumns(req.settings.columns as Record<string, string>);
  const policy = retryPolicy(c, 'aeries-api retries');
  let record = 0;
  for (const school of schools) {
    const path = school === undefined ? endpoint : endpoint.replaceAll('{school}', String(school));
    for (let start = 1; ; start += pageSize) {
      const query = new URLSearchParams();
      if (pageSize > 0) {
        query.set('StartingRecord', String(start));
        query.set('EndingRecord', String(start + pageSize - 1));
      }
      const url = aeriesUrl(c, path, query);
      const page = await withRetries(ctx, policy, () => getJson(url, c, ctx.signal), judgeHttp);
      if (!Array.isArray(page)) throw new Error(`${path}: Aeries answered with ${typeof page}, not a list of records`);
      const batch = jsonRows(page, columns, path, record + 1, ctx);
      record += page.length;
      if (batch) yield batch;
      if (pageSize === 0 || page.length < pageSize) break;
    }
  }
}

/** The address of an endpoint (`schools/994/students`) with its query. */
export function aeriesUrl(c: Settings, path: string, query: URLSearchParams): string {
  if (typeof c.database_year === 'number') query.set('DatabaseYear', String(c.database_year));
  return `${String(c.base_url).replace(/\/+$/, '')}/api/v5/${path}${query.size > 0 ? `?${query}` : ''}`;
}

/** One GET with the API certificate; throttling and server errors throw, to be retried. */
export async function aeriesGet(url: string, c: Settings, signal: AbortSignal): Promise<HttpsResponse> {
  const res = await httpsRequest(url, {
    headers: { Accept: 'application/json', 'AERIES-CERT': String(c.cert ?? '') },
    ...tlsOptions(c),
    signal,
  });
  if (res.status === 429 || res.status >= 500) throw serverBusy(res, `Aeries answered ${res.status} for ${new URL(url).pathname}`);
  return res;
}

async function getJson(url: string, c: Settings, signal: AbortSignal): Promise<unknown> {
  const res = await aeriesGet(url, c, signal);
  const where = new URL(url).pathname;
  if (res.status === 401 || res.status === 403) throw accessRefused(`Aeries refused the API certificate for ${where} (${res.status}); check the certificate and that its security areas include the ones \`sisflow plan\` lists`);
  if (res.status >= 400) throw new HttpError(`Aeries answered ${res.status} for ${where}: ${res.body.slice(0, 200)}`, false);
  try {
    return JSON.parse(res.body);
  } catch {
    throw new HttpError(`Aeries sent ${where} as something other than JSON`, false);
  }
}
