// Admin sessions of the console: a session cookie (HttpOnly, SameSite=Strict) after the token is
// given on the login form, each session with its own CSRF token that every form posts back.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export interface Session {
  id: string;
  /** Who logged in, as they named themselves on the form: the `by` of their decisions. */
  by: string;
  /** The synchronizer token forms of this session carry. */
  csrf: string;
  expires: number;
}

const LIFETIME_MS = 12 * 3600_000;

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => Date) {}

  open(by: string): Session {
    this.sweep();
    const s: Session = { id: randomBytes(32).toString('base64url'), by, csrf: randomBytes(32).toString('base64url'), expires: this.now().getTime() + LIFETIME_MS };
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expires <= this.now().getTime()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  close(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.now().getTime();
    for (const [id, s] of this.sessions) if (s.expires <= now) this.sessions.delete(id);
  }
}

/** Compares two secrets in constant time (hashed first, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
