/** A counting semaphore with a FIFO queue: the per-cluster cap on requests in flight. */
export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  /** `limit` slots, at least one. */
  constructor(readonly limit: number) {
    this.#free = limit;
  }

  /** Resolves when a slot is held; rejects (holding nothing) if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(waiter);
        if (index !== -1) this.#waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#waiting.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Gives a slot back, straight to the longest waiter if there is one. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
