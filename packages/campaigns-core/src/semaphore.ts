// Caps the requests in flight for one run; waiting is FIFO and abortable.

export class Semaphore {
  private active = 0;
  private readonly queue: Array<{ grant: () => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort: () => void }> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.active--;
        this.next();
      };
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', entry.onAbort);
          this.active++;
          resolve(release);
        },
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.queue.push(entry);
      this.next();
    });
  }

  private next(): void {
    while (this.active < this.limit && this.queue.length > 0) this.queue.shift()!.grant();
  }
}
