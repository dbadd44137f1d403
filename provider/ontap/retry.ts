/**
 * The one retry policy. Every request goes through {@link withRetries} (p-retry's loop); what may be repeated is
 * data ({@link DEFAULT_RETRY_POLICY}, from the tables of ./failures, whose {@link classify} decides what
 * a failure means), and how long to wait is decided here and nowhere else.
 *
 * Retried, with exponential backoff and jitter, or after `Retry-After` when ONTAP sends it:
 * - HTTP 429, 502, 503, 504, and ONTAP code 262160 ("too many requests") whatever its status;
 * - no response at all (connection refused or reset, DNS retry, timeout) when the request
 *   is safe to repeat: GET, DELETE and PATCH (we only PATCH absolute values), or any
 *   request that provably never left (refused before connecting, never fully written);
 * - a success status with a body that is not JSON or was cut short, for the same safe
 *   methods: the status alone does not give the caller the record it asked for, and the
 *   likeliest causes (a proxy, a reset mid-body) are transient. Bounded like the rest.
 *
 * Failed at once, after exactly one request: every other 4xx (401 and 403 included), 500
 * and every other 5xx (an ONTAP 500 may mean the write happened), TLS failures, ENOTFOUND.
 *
 * Lost responses: a POST that may have reached ONTAP is never repeated. When its answer is
 * lost (reset, hang-up, timeout after it was written, an unreadable body, or a gateway's
 * 502/504 without an ONTAP error body), it fails as OntapLostResponseError so that the
 * caller reads the cluster before deciding to POST again (`applyLostResponseRule`, ./failures).
 */

import { OntapApiError, OntapError } from "../errors/transport";
import { type Clock, REAL_CLOCK } from "./clock";
import { loadOnce } from "./esm";
import { classify, RETRY_RULES } from "./failures";
import type { HttpMethod, RetryBounds, RetryPolicy, RetryRules } from "./types";

/**
 * The policy as data. What is repeated: ./failures' tables (RETRYABLE_STATUSES,
 * REPEATABLE_METHODS, BUSY_CODES). The bounds, which a connection may override: five
 * retries from 250 ms, doubling (4 s at the fifth), span 4 to 8 s of backoff: enough to
 * ride out a management LIF failover or a burst of 262160, short enough that a dead
 * cluster fails a `pulumi up` in seconds rather than minutes. The 10 s cap bounds what a
 * Retry-After can make us wait; 60 s in total bounds everything, hung attempts included.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  ...RETRY_RULES,
  retries: 5,
  minDelayMs: 250,
  maxDelayMs: 10_000,
  maxTotalMs: 60_000,
});

/**
 * Whether the policy may repeat the request that failed with `err` (the classifier's answer, ./failures).
 * @internal test-only: exported for the policy's unit tests; {@link nextRetryDelay} is its one caller here.
 */
export function isRetryable(err: unknown, policy: RetryRules = DEFAULT_RETRY_POLICY): boolean {
  return classify(err, policy).retryable;
}

/**
 * Exponential backoff with "equal jitter": half fixed, half random, so a retry never comes instantly.
 * @internal test-only: exported for the policy's unit tests; {@link retryDelay} is its one caller here.
 */
export function backoffDelay(retry: number, policy: RetryBounds, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A Retry-After header (delay-seconds or an HTTP date) in ms, or undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` after `err`: Retry-After if ONTAP sent one, else backoff; capped.
 * @internal test-only: exported for the policy's unit tests; {@link nextRetryDelay} is its one caller here.
 */
export function retryDelay(err: unknown, retry: number, policy: RetryBounds): number {
  const asked = err instanceof OntapApiError ? err.retryAfterMs : undefined;
  const delay = asked ?? backoffDelay(retry, policy);
  return Math.min(delay, policy.maxDelayMs);
}

/** What the logger hears about each retry: no headers, no bodies. */
export interface RetryNotice {
  method: HttpMethod;
  path: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** HTTP status, or the network/timeout kind, of the failure. */
  failure: string;
  delayMs: number;
}

/**
 * The wait before retry number `retry` after `err` failed attempt `retry` at `elapsedMs`
 * since the first attempt, or undefined when the policy stops there: `err` is not
 * retryable, the retries are used up, or the wait would end past `maxTotalMs`.
 * @internal test-only: exported for the policy's unit tests; {@link withRetries} is its one caller here.
 */
export function nextRetryDelay(
  err: unknown,
  retry: number,
  elapsedMs: number,
  policy: RetryPolicy,
): number | undefined {
  if (retry > policy.retries || !isRetryable(err, policy)) return undefined;
  const delayMs = retryDelay(err, retry, policy);
  return elapsedMs + delayMs > policy.maxTotalMs ? undefined : delayMs;
}

/** p-retry's `pRetry`. */
type PRetry = typeof import("p-retry").default;

let requiredPRetry: PRetry | undefined;
const importPRetry = loadOnce(() => import("p-retry").then((module) => module.default));

/**
 * p-retry, an ES module only. Where Node can `require` an ES module (20.19+, 22.12+:
 * `process.features.require_module`) it is required, synchronously, so that no request
 * ever waits on loading it: a first request's wait on real file I/O is one that virtual
 * time (the explorer's, tools/explore/clock.ts) cannot see, and a run would look stuck.
 * On Node 22.0–22.11 it is imported once, as ./esm explains (node-fetch's way).
 */
function loadPRetry(): PRetry | Promise<PRetry> {
  if (requiredPRetry !== undefined) return requiredPRetry;
  if (!process.features.require_module) return importPRetry();
  requiredPRetry = (require("p-retry") as typeof import("p-retry")).default;
  return requiredPRetry;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's bounds run out; the
 * error thrown is the last attempt's, with `attempts` set. No retry starts once
 * `maxTotalMs` would be exceeded by its delay. Aborting `signal` stops it, between attempts
 * or during a wait.
 *
 * The loop is p-retry's (7.x: the newest major whose engines, `node >=20`, cover this
 * package's `^20.19.0 || >=22.0.0`; 8 and 9 require Node 22). It counts the attempts,
 * stops at `retries`, and honors `signal` before and after each attempt; a failure the
 * policy does not retry is thrown from `onFailedAttempt`, which ends its loop. Two things asked here it cannot express, so they are done in its awaited
 * `onFailedAttempt`, with its own backoff set to 0:
 * - the wait depends on the error, not only on the attempt number: a `Retry-After` is
 *   honored ({@link retryDelay}); p-retry computes its delay from the retry count alone;
 * - a retry whose wait would end past `maxTotalMs` is refused ({@link nextRetryDelay});
 *   p-retry's `maxRetryTime` shortens the last wait to fit instead, and checks the budget
 *   after `onFailedAttempt` (after our wait), so it is left unset.
 * One more difference, of no consequence here: p-retry turns a thrown non-Error into a
 * TypeError; every attempt of the client's throws an Error.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: {
    policy: RetryPolicy;
    signal?: AbortSignal;
    onRetry?: (notice: RetryNotice) => void;
    /** @internal test-only: the time the budget is measured and the waits are made on; {@link REAL_CLOCK} by default. */
    clock?: Clock;
  },
): Promise<T> {
  const { policy, signal, clock = REAL_CLOCK } = options;
  const loaded = loadPRetry();
  const pRetry = typeof loaded === "function" ? loaded : await loaded;
  const started = clock.now();
  return pRetry(attempt, {
    retries: policy.retries,
    // No wait of p-retry's own: the policy's, per error, is made in onFailedAttempt.
    minTimeout: 0,
    maxTimeout: 0,
    randomize: false,
    ...(signal === undefined ? {} : { signal }),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (error instanceof OntapError) error.attempts = attemptNumber;
      const delayMs = nextRetryDelay(error, attemptNumber, clock.now() - started, policy);
      // Thrown from here, the error ends p-retry's loop as it is: no retry.
      if (delayMs === undefined) throw error;
      if (error instanceof OntapError) {
        options.onRetry?.({
          method: error.method,
          path: error.path,
          attempt: attemptNumber,
          failure: error instanceof OntapApiError ? `HTTP ${error.status}` : error.kind,
          delayMs,
        });
      }
      await clock.sleep(delayMs, signal);
    },
  });
}
