/**
 * The time the transport reads and waits on: the retry policy's budget and backoffs
 * (./retry) and job polling (./job-polling). One seam, so that tests can drive time (a
 * virtual clock) instead of waiting for it; the provider always uses {@link REAL_CLOCK}.
 * The per-request timeout is not on it: that races real I/O and stays a real timer.
 */

import { setTimeout as sleep } from "node:timers/promises";

/** Reads the time and waits. */
export interface Clock {
  /** Milliseconds since an arbitrary origin, monotonic (like `performance.now()`). */
  now(): number;
  /** Resolves after `ms`; rejects, as `node:timers/promises` does, when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The process's own monotonic clock and timers. */
export const REAL_CLOCK: Clock = Object.freeze({
  now: () => performance.now(),
  sleep: (ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }),
});
