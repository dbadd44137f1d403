/**
 * The cap changes at most once per this period: one burst of 429s answers requests that
 * were all sent under the old cap, so it counts as one signal, and the cap grows back by at
 * most one slot per period (TCP changes its window once per round trip; a management
 * round trip is tens of ms).
 */
const ADJUST_PERIOD_MS = 100;

/**
 * The per-cluster cap on requests in flight, with a FIFO queue. The cap adapts as TCP's
 * window does (additive increase, multiplicative decrease): a cluster that sheds load (429,
 * 503, ONTAP 262160) halves it, and each success earns it back towards the configured
 * maximum. A fixed cap above what the cluster admits would only spend retries.
 */
export class Semaphore {
  #inFlight = 0;
  #limit: number;
  #credit = 0;
  #lastChange = Number.NEGATIVE_INFINITY;
  readonly #waiting: Array<() => void> = [];

  /** At most `max` slots (at least one). */
  constructor(readonly max: number) {
    this.#limit = Math.max(1, max);
  }

  /** The cap in force now (1..max). */
  get limit(): number {
    return this.#limit;
  }

  /** Resolves when a slot is held; rejects (holding nothing) if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#inFlight < this.#limit) {
      this.#inFlight++;
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

  /** Gives a slot back, to the longest waiter if the cap allows. */
  release(): void {
    this.#inFlight--;
    this.#drain();
  }

  /** The cluster shed load: halve the cap, once per burst. */
  congested(now: number = performance.now()): void {
    if (now - this.#lastChange < ADJUST_PERIOD_MS) return;
    this.#lastChange = now;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#credit = 0;
  }

  /** A request succeeded: one more slot per `limit` successes (and per period), up to the maximum. */
  succeeded(now: number = performance.now()): void {
    if (this.#limit >= this.max) return;
    this.#credit += 1 / this.#limit;
    if (this.#credit < 1 || now - this.#lastChange < ADJUST_PERIOD_MS) return;
    this.#credit = 0;
    this.#lastChange = now;
    this.#limit++;
    this.#drain();
  }

  #drain(): void {
    while (this.#inFlight < this.#limit && this.#waiting.length > 0) {
      this.#inFlight++;
      this.#waiting.shift()?.();
    }
  }
}
