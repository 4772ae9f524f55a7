// Messages accepted per district per minute (a fixed window per district): one district that
// misbehaves, or a stolen key, cannot flood the service or the approvers' queue.
export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly perMinute: number,
    private readonly clock: () => Date,
  ) {}

  /** True when `who` may send one more message now. */
  take(who: string): boolean {
    const now = this.clock().getTime();
    const w = this.windows.get(who);
    if (!w || now - w.start >= 60_000) {
      this.windows.set(who, { start: now, count: 1 });
      if (this.windows.size > 10_000) this.windows.delete(this.windows.keys().next().value!);
      return true;
    }
    w.count++;
    return w.count <= this.perMinute;
  }
}
