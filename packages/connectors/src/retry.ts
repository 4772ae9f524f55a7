// Bounded retries with a doubling delay, for connectors that talk to servers over a network
// (SFTP, the Aeries API): each retry is counted in the run report and logged, the wait ends at
// once when the run is cancelled, and what cannot get better by waiting is never retried.
import { connectionFailure, isConnectionFailure, type RunContext } from '@sisflow/core';

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  /** The first wait; it doubles after each retry. */
  delayMs: number;
  /** The event counted in the run report for each retry (`sftp retries`). */
  event: string;
  /** The longest wait, whatever the doubling or the server asks. */
  maxDelayMs?: number;
}

/** What a failure means: the error to report, whether trying again may help, and how long the server asked to wait. */
export interface Verdict {
  error: Error;
  retryable: boolean;
  waitMs?: number;
}

export async function withRetries<T>(ctx: Pick<RunContext, 'signal' | 'count' | 'log'>, policy: RetryPolicy, attempt: (n: number) => Promise<T>, judge: (e: unknown) => Verdict): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? e;
      const v = judge(e);
      if (!v.retryable || n >= policy.retries) throw n > 0 ? lastOf(v.error, n + 1) : v.error;
      const wait = Math.min(v.waitMs ?? policy.delayMs * 2 ** n, policy.maxDelayMs ?? Infinity);
      ctx.count(policy.event);
      ctx.log(`${v.error.message}; trying again in ${wait / 1000} s`);
      await sleep(wait, ctx.signal);
    }
  }
}

/** The last attempt's error, saying how many were made; still the connection's own failure if it was one. */
function lastOf(error: Error, attempts: number): Error {
  const last = new Error(`${error.message} (after ${attempts} attempts)`);
  return isConnectionFailure(error) ? connectionFailure(last) : last;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason ?? new Error('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
