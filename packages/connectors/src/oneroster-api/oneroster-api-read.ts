// Paging through a OneRoster collection: limit/offset until the provider says there is no more
// (Link rel="next", X-Total-Count, else a short or empty page); each record's columns picked and typed, a record that
// does not fit goes to rejects with the reason.
import { type RunContext, type Settings, type SourceBatch, type SourceReadRequest } from '@sisflow/core';
import { accessRefused, HttpError, judgeHttp, type HttpsResponse } from '../http/https-request.js';
import { retryPolicy } from '../http/https-settings.js';
import { describeFailure, providerRequest } from './provider-request.js';
import { withRetries } from '../retry.js';
import { TokenSource } from './oauth.js';
import { jsonRows, recordColumns, type ColumnSetting } from '../http/record-columns.js';

export async function* readOneRosterApi(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const c = req.connection;
  const s = req.settings;
  const endpoint = String(s.endpoint);
  const limit = (s.page_size as number | undefined) ?? 100;
  const columns = recordColumns(s.columns as Record<string, ColumnSetting>);
  const tokens = new TokenSource(c);
  const policy = retryPolicy(c, 'oneroster-api retries');
  let record = 0;
  let previousFirst: string | undefined;
  let capped = false;
  for (let offset = 0; ; ) {
    const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
    if (typeof s.filter === 'string') query.set('filter', s.filter);
    if (typeof s.sort === 'string') {
      query.set('sort', s.sort);
      query.set('orderBy', 'asc');
    }
    const url = `${String(c.base_url).replace(/\/+$/, '')}/${endpoint}?${query}`;
    const res = await withRetries(ctx, policy, () => getPage(url, c, tokens, ctx.signal), judgeHttp);
    const page = collection(res, endpoint, s.collection as string | undefined);
    const first = JSON.stringify((page[0] as Record<string, unknown> | undefined)?.sourcedId ?? page[0]);
    if (offset > 0 && page.length > 0 && first === previousFirst) throw new Error(`${endpoint}: the provider sent the same page for offset ${offset} as for the one before; it does not page with limit/offset`);
    previousFirst = first;
    const batch = jsonRows(page, columns, endpoint, record + 1, ctx);
    record += page.length;
    if (batch) yield batch;
    offset += page.length;
    if (!morePages(res, page.length, offset, limit)) break;
    if (page.length < limit && !capped) {
      capped = true;
      ctx.log(`${endpoint}: the provider sends at most ${page.length} records a page (page_size is ${limit}); reading on to the total it announced`);
    }
  }
}

/**
 * Whether to ask for another page. A provider may cap the page below `limit`, so a short page
 * ends the collection only when the provider says nothing else: a Link header (rel="next") or
 * X-Total-Count decide first.
 */
function morePages(res: HttpsResponse, got: number, offset: number, limit: number): boolean {
  if (got === 0) return false;
  const link = res.headers.link;
  if (typeof link === 'string' && link !== '') return /rel="?next"?/.test(link);
  const total = Number(res.headers['x-total-count']);
  if (res.headers['x-total-count'] !== undefined && Number.isFinite(total)) return offset < total;
  return got >= limit;
}

/** One page; a refused token is fetched again once before giving up. */
async function getPage(url: string, c: Settings, tokens: TokenSource, signal: AbortSignal): Promise<HttpsResponse> {
  const where = new URL(url).pathname;
  const res = await providerRequest(url, c, tokens, signal);
  if (res.status === 401 || res.status === 403) throw accessRefused(`the OneRoster provider refused access to ${where} (${res.status}); check that the client has the scope \`sisflow plan\` lists`);
  if (res.status >= 400) throw new HttpError(`the OneRoster provider answered ${res.status} for ${where}: ${describeFailure(res.body)}`, false);
  return res;
}

/** The list of records in an answer: the named property, or the only list it holds. */
function collection(res: HttpsResponse, endpoint: string, name: string | undefined): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new Error(`${endpoint}: the provider's answer is not JSON`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`${endpoint}: the provider's answer is not a OneRoster collection (an object holding a list)`);
  const b = body as Record<string, unknown>;
  if (name !== undefined) {
    if (!Array.isArray(b[name])) throw new Error(`${endpoint}: the answer has no list \`${name}\` (it has ${Object.keys(b).join(', ') || 'nothing'})`);
    return b[name];
  }
  const lists = Object.keys(b).filter((k) => Array.isArray(b[k]));
  if (lists.length !== 1) throw new Error(`${endpoint}: the answer holds ${lists.length === 0 ? 'no list' : `several lists (${lists.join(', ')})`}; name the one to read with \`collection:\``);
  return b[lists[0]!] as unknown[];
}
