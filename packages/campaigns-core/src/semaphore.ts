// Caps the requests in flight for one run; waiting is FIFO. One abort listener serves every
// waiter: a 100,000-item run queues 2,000 chunks, and per-waiter listeners cost O(n²).

export class Semaphore {
  private active = 0;
  private readonly queue: Array<{ grant: () => void; reject: (e: unknown) => void }> = [];

  constructor(
    readonly limit: number,
    private readonly signal?: AbortSignal,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    signal?.addEventListener(
      'abort',
      () => {
        for (const waiter of this.queue.splice(0)) waiter.reject(signal.reason);
      },
      { once: true },
    );
  }

  /** Resolves with a release function once a slot is free; rejects once the signal aborts. */
  acquire(): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (this.signal?.aborted) return reject(this.signal.reason);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.active--;
        this.next();
      };
      this.queue.push({
        grant: () => {
          this.active++;
          resolve(release);
        },
        reject,
      });
      this.next();
    });
  }

  private next(): void {
    while (this.active < this.limit && this.queue.length > 0) this.queue.shift()!.grant();
  }
}
