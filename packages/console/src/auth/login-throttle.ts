// Slows guessing of the admin token: after a few wrong tokens from one address, that address is
// refused for a while (a right token included) — long enough that guessing is hopeless.
export const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => Date) {}

  /** Seconds this address must wait, or 0. */
  wait(address: string): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    const left = f.since + WINDOW_MS - this.now().getTime();
    if (left <= 0) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= MAX_FAILURES ? Math.ceil(left / 1000) : 0;
  }

  failed(address: string): void {
    this.wait(address); // forgets an expired window
    const f = this.failures.get(address);
    if (f) f.count++;
    else this.failures.set(address, { count: 1, since: this.now().getTime() });
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
