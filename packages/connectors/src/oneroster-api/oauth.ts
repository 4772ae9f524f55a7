// OAuth 2 client credentials (RFC 6749 §4.4) for OneRoster providers: one token per client and
// provider, kept until shortly before it expires, fetched again when the provider stops
// accepting it. The client secret and the token never appear in errors or logs.
import { createHash } from 'node:crypto';
import type { Settings } from '@sisflow/core';
import { accessRefused, HttpError, httpsRequest, serverBusy } from '../http/https-request.js';
import { tlsOptions } from '../http/https-settings.js';

interface Token {
  value: string;
  /** ms since the epoch after which a fresh one is fetched. */
  renewAt: number;
  /** The scopes the provider says it granted (space-separated), when it says. */
  scope?: string;
}

const tokens = new Map<string, Token>();

export class TokenSource {
  private readonly key: string;

  constructor(private readonly c: Settings) {
    // Keyed by everything that decides the token, the secret only as a hash.
    this.key = createHash('sha256').update(JSON.stringify([c.token_url, c.client_id, c.client_secret, c.scope ?? ''])).digest('hex');
  }

  /** A token, from the cache when it is still good. */
  async get(signal: AbortSignal): Promise<string> {
    const t = tokens.get(this.key);
    if (t && Date.now() < t.renewAt) return t.value;
    return this.fetch(signal);
  }

  /** The scopes the provider said it granted with the current token; undefined when it did not say. */
  grantedScopes(): string[] | undefined {
    const scope = tokens.get(this.key)?.scope;
    return scope === undefined ? undefined : scope.split(/\s+/).filter((x) => x !== '');
  }

  /** Forgets a token the provider refused. */
  drop(token: string): void {
    if (tokens.get(this.key)?.value === token) tokens.delete(this.key);
  }

  private async fetch(signal: AbortSignal): Promise<string> {
    const c = this.c;
    const id = String(c.client_id);
    const secret = String(c.client_secret);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (typeof c.scope === 'string' && c.scope !== '') form.set('scope', c.scope);
    const headers: Record<string, string> = { Accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    if (c.client_auth === 'body') {
      form.set('client_id', id);
      form.set('client_secret', secret);
    } else {
      // RFC 6749 §2.3.1: each part form-encoded before joining with ':'.
      headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    }
    const res = await httpsRequest(String(c.token_url), {
      method: 'POST',
      headers,
      body: form.toString(),
      ...tlsOptions(c),
      signal,
    });
    const where = new URL(String(c.token_url)).pathname;
    if (res.status === 429 || res.status >= 500) throw serverBusy(res, `the token endpoint ${where} answered ${res.status}`);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      // reported below
    }
    if (res.status === 400 || res.status === 401) {
      const code = typeof body.error === 'string' ? ` (${body.error.replace(/[^\w.-]/g, '')})` : '';
      throw accessRefused(`the token endpoint ${where} refused the client ID and secret${code}; check them, and client_auth if the provider wants them in the form body`);
    }
    if (res.status >= 300) throw new HttpError(`the token endpoint ${where} answered ${res.status}`, false);
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new HttpError(`the token endpoint ${where} sent no access_token`, false);
    if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') throw new HttpError(`the token endpoint ${where} sent a ${body.token_type.replace(/[^\w-]/g, '')} token; sisflow uses bearer tokens`, false);
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    // Renewed a little early (10 %, at most a minute) so a page never starts with a token about to lapse.
    const token: Token = { value: body.access_token, renewAt: Date.now() + lifetime * 1000 - Math.min(60_000, lifetime * 100), ...(typeof body.scope === 'string' ? { scope: body.scope } : {}) };
    tokens.set(this.key, token);
    return token.value;
  }
}
