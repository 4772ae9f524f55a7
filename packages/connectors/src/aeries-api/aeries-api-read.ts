// Fetching pages of records from the Aeries API over HTTPS (node:https: TLS 1.2 minimum, an
// optional private CA), with bounded retries for throttling and server errors.
import { request } from 'node:https';
import { withRetries } from '../retry.js';
import { RowError, cellParser, parseTypeName, type Row, type RunContext, type Settings, type SourceBatch, type SourceReadRequest } from '@sisflow/core';

class HttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export async function* readAeriesApi(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const c = req.connection;
  const endpoint = String(req.settings.endpoint);
  const schools = (req.settings.schools as number[] | undefined) ?? [undefined];
  const pageSize = (req.settings.page_size as number | undefined) ?? 500;
  const columns = Object.entries(req.settings.columns as Record<string, string>).map(([name, t]) => ({ name, convert: converter(t) }));
  const policy = { retries: (c.retries as number | undefined) ?? 4, delayMs: ((c.retry_delay_seconds as number | undefined) ?? 1) * 1000, event: 'aeries-api retries', maxDelayMs: 60_000 };
  let record = 0;
  for (const school of schools) {
    const path = school === undefined ? endpoint : endpoint.replaceAll('{school}', String(school));
    for (let start = 1; ; start += pageSize) {
      const query = new URLSearchParams();
      if (pageSize > 0) {
        query.set('StartingRecord', String(start));
        query.set('EndingRecord', String(start + pageSize - 1));
      }
      if (typeof c.database_year === 'number') query.set('DatabaseYear', String(c.database_year));
      const url = `${String(c.base_url).replace(/\/+$/, '')}/api/v5/${path}${query.size > 0 ? `?${query}` : ''}`;
      const page = await withRetries(ctx, policy, () => getJson(url, c, ctx.signal), (e) => {
        const err = e instanceof HttpError ? e : new HttpError(String(e), false);
        return { error: err, retryable: err.retryable, ...(err.retryAfterMs !== undefined ? { waitMs: err.retryAfterMs } : {}) };
      });
      if (!Array.isArray(page)) throw new Error(`${path}: Aeries answered with ${typeof page}, not a list of records`);
      const rows: Row[] = [];
      const lines: number[] = [];
      for (const item of page as Record<string, unknown>[]) {
        record++;
        const row: Row = {};
        let bad: string | undefined;
        for (const col of columns) {
          try {
            row[col.name] = col.convert(item?.[col.name]);
          } catch (e) {
            if (!(e instanceof RowError)) throw e;
            bad = `${path}: ${col.name} ${e.message}`;
            break;
          }
        }
        if (bad) ctx.reject({ line: record, reason: bad, data: JSON.stringify(item) });
        else {
          rows.push(row);
          lines.push(record);
        }
      }
      if (rows.length > 0) yield { rows, lines };
      if (pageSize === 0 || page.length < pageSize) break;
    }
  }
}

/** JSON values into the declared type: dates arrive as `2017-04-02T00:00:00`, numbers as numbers or text. */
function converter(typeName: string): (v: unknown) => unknown {
  const type = parseTypeName(typeName)!;
  const fromText = cellParser(type);
  return (v) => {
    if (v === null || v === undefined) return type.nullable ? null : fromText('');
    if (typeof v === 'boolean' && type.kind === 'bool') return v;
    if (typeof v === 'number' && (type.kind === 'int' || type.kind === 'decimal')) return fromText(String(v));
    if (typeof v === 'string' && type.kind === 'date') return fromText(v.slice(0, 10));
    if (typeof v === 'string' && type.kind === 'datetime') return fromText(v.slice(0, 19));
    return fromText(typeof v === 'string' ? v : String(v));
  };
}

function getJson(url: string, c: Settings, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      {
        headers: { Accept: 'application/json', 'AERIES-CERT': String(c.cert ?? '') },
        minVersion: 'TLSv1.2',
        ...(typeof c.ca === 'string' ? { ca: c.ca } : {}),
        timeout: ((c.timeout_seconds as number | undefined) ?? 60) * 1000,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', (e) => reject(new HttpError(e.message, true)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8');
          const where = new URL(url).pathname;
          if (status === 401 || status === 403) return reject(new HttpError(`Aeries refused the API certificate for ${where} (${status}); check the certificate and that its security areas include the ones \`sisflow plan\` lists`, false));
          if (status === 429 || status >= 500) {
            const after = Number(res.headers['retry-after']);
            return reject(new HttpError(`Aeries answered ${status} for ${where}`, true, Number.isFinite(after) ? after * 1000 : undefined));
          }
          if (status >= 400) return reject(new HttpError(`Aeries answered ${status} for ${where}: ${body.slice(0, 200)}`, false));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new HttpError(`Aeries sent ${where} as something other than JSON`, false));
          }
        });
      },
    );
    r.on('timeout', () => r.destroy(new HttpError('no answer within the timeout', true)));
    r.on('error', (e) => reject(e instanceof HttpError ? e : new HttpError(e.message, !signal.aborted)));
    r.end();
  });
}
