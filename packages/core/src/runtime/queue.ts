// A bounded queue between a producer and an async consumer: `push` waits while the queue is
// full, which is how a slow sink holds back the sources (backpressure, bounded memory).
export class BoundedQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: unknown;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducers: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && this.failure === undefined) {
      await new Promise<void>((resolve) => this.wakeProducers.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure;
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Both sides stop: the consumer's loop throws `reason`, waiting producers throw it too. */
  fail(reason: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = reason ?? new Error('cancelled');
    this.wake();
  }

  private wake(): void {
    const c = this.wakeConsumer;
    this.wakeConsumer = undefined;
    c?.();
    const ps = this.wakeProducers;
    this.wakeProducers = [];
    for (const p of ps) p();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const item = this.items.shift();
      if (item !== undefined) {
        this.wake();
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }
}
