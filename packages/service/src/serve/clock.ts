// The scheduler's clock: the real one, or one a test moves by hand (no sleeping on wall time).
export interface Clock {
  now(): Date;
  /** Resolves at `at`, or at once when the signal aborts. */
  sleepUntil(at: Date, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleepUntil: (at, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      // setTimeout holds at most ~24.8 days; a longer wait wakes early and the caller waits again.
      const timer = setTimeout(done, Math.min(Math.max(0, at.getTime() - Date.now()), 2 ** 31 - 1));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** A clock that moves only when told to: `advanceTo` wakes every sleeper whose time has come, in order. */
export class ManualClock implements Clock {
  private sleepers: { at: number; wake: () => void }[] = [];

  constructor(private t: Date) {}

  now(): Date {
    return new Date(this.t);
  }

  sleepUntil(at: Date, signal: AbortSignal): Promise<void> {
    if (at.getTime() <= this.t.getTime() || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        at: at.getTime(),
        wake: () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          signal.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal.addEventListener('abort', sleeper.wake, { once: true });
    });
  }

  /** When the earliest sleeper wakes (undefined: nobody sleeps). */
  get nextWake(): Date | undefined {
    const at = Math.min(...this.sleepers.map((s) => s.at));
    return Number.isFinite(at) ? new Date(at) : undefined;
  }

  /** Moves to `at`, waking sleepers due on the way (time stops at each so they see their own instant). */
  advanceTo(at: Date): void {
    for (;;) {
      const due = this.sleepers.filter((s) => s.at <= at.getTime()).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = new Date(Math.max(this.t.getTime(), due.at));
      due.wake();
    }
    if (at.getTime() > this.t.getTime()) this.t = new Date(at);
  }
}
