// Admin sessions of the console, kept by the browser, not by the server: the session cookie is
// signed and expiring — `v1.<payload>.<mac>`, the payload (who, when it expires, a random session id)
// in base64url JSON, the mac an HMAC-SHA256 under a key derived from the admin token. So a restarted
// console, or a second console behind the same address, accepts the sessions the first opened, and
// rotating the admin token revokes every session at once. Each session's CSRF token is an HMAC of its
// id under the same key: bound to the session, and no token of one session passes with another's cookie.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  /** Who logged in, as they named themselves on the form: the `by` of their decisions. */
  by: string;
  /** The synchronizer token forms of this session carry. */
  csrf: string;
  /** When it expires (ms since 1970). */
  expires: number;
}

interface Payload {
  sid: string;
  by: string;
  exp: number;
}

export const SESSION_LIFETIME_MS = 12 * 3600_000;
const VERSION = 'v1';

export class Sessions {
  /** Sessions signed out here, until they would have expired (another console process knows only the cookie is gone). */
  private readonly closed = new Map<string, number>();

  /** token: the admin token now (read on each use, so a rotated token takes effect at once). */
  constructor(
    private readonly now: () => Date,
    private readonly token: () => string | undefined,
  ) {}

  /** A new session for `by`, and the cookie value that carries it; undefined without an admin token. */
  open(by: string): { session: Session; cookie: string } | undefined {
    const key = this.key();
    if (!key) return undefined;
    const payload: Payload = { sid: randomBytes(18).toString('base64url'), by, exp: this.now().getTime() + SESSION_LIFETIME_MS };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { session: this.session(key, payload), cookie: `${VERSION}.${body}.${mac(key, `session.${body}`)}` };
  }

  /** The session a cookie carries, or undefined when it is absent, forged, altered, expired, signed out or signed under another token. */
  get(cookie: string | undefined): Session | undefined {
    const key = this.key();
    const parts = cookie?.split('.');
    if (!key || parts?.length !== 3 || parts[0] !== VERSION) return undefined;
    const [, body, given] = parts as [string, string, string];
    if (!sameSecret(given, mac(key, `session.${body}`))) return undefined;
    let p: Payload;
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return undefined;
    }
    if (typeof p.sid !== 'string' || typeof p.by !== 'string' || typeof p.exp !== 'number') return undefined;
    if (p.exp <= this.now().getTime() || this.closed.has(p.sid)) return undefined;
    return this.session(key, p);
  }

  close(session: Session): void {
    const now = this.now().getTime();
    for (const [sid, exp] of this.closed) if (exp <= now) this.closed.delete(sid);
    this.closed.set(session.id, session.expires);
  }

  private session(key: Buffer, p: Payload): Session {
    return { id: p.sid, by: p.by, csrf: mac(key, `csrf.${p.sid}`), expires: p.exp };
  }

  private key(): Buffer | undefined {
    const token = this.token();
    return token ? createHmac('sha256', token).update('sisflow console session key v1').digest() : undefined;
  }
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** Compares two secrets in constant time (hashed first, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
