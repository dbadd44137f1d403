/**
 * The one retry policy. Every request goes through `withRetries`; what may be repeated
 * is decided here and nowhere else.
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
 * caller reads the cluster before deciding to POST again.
 */

import { setTimeout as sleep } from "node:timers/promises";
import pRetry, { AbortError } from "p-retry";

import {
  OntapApiError,
  OntapError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
} from "./errors";
import type { HttpMethod, RetryPolicy } from "./types";

/**
 * Five retries from 250 ms, doubling (4 s at the fifth), span 4 to 8 s of backoff: enough to
 * ride out a management LIF failover or a burst of 262160, short enough that a dead
 * cluster fails a `pulumi up` in seconds rather than minutes. The 10 s cap bounds what a
 * Retry-After can make us wait; 60 s in total bounds everything, hung attempts included.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retries: 5,
  minDelayMs: 250,
  maxDelayMs: 10_000,
  maxTotalMs: 60_000,
});

/** The ONTAP code for "too many requests in progress", retried whatever the HTTP status. */
export const ONTAP_BUSY_CODE = "262160";

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Answers a gateway gives when it may already have passed the request on. */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 504]);

/** Network failures a retry will not fix: a host name that does not resolve is a setting, not weather. */
const PERMANENT_NETWORK_CODES: ReadonlySet<string> = new Set(["ENOTFOUND", "ERR_CLIENT_CLOSED"]);

/** Network failures that happen before a byte of the request can have left. */
const BEFORE_SEND_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

/** The policy with defaults filled in; rejects negative or non-numeric bounds. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...stripUndefined(partial) };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(`retry.${name} must be a number >= 0`);
    }
  }
  return policy;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whether sending the request twice has the effect of sending it once. */
export function isRepeatable(method: HttpMethod): boolean {
  return method !== "POST";
}

/** Whether an error answer means "not now" rather than "no". */
export function isRetryableAnswer(status: number, code: string | undefined): boolean {
  return RETRYABLE_STATUSES.has(status) || code === ONTAP_BUSY_CODE;
}

/** Whether the cluster said it is overloaded (429, 503, ONTAP 262160): the client then lowers its cap. */
export function isSheddingLoad(err: OntapApiError): boolean {
  return err.status === 429 || err.status === 503 || err.code === ONTAP_BUSY_CODE;
}

/** Whether a network failure's code proves the request never left. */
export function failedBeforeSending(code: string): boolean {
  return BEFORE_SEND_CODES.has(code);
}

/**
 * The lost-response rule: a failure of a POST that may have reached ONTAP becomes an
 * OntapLostResponseError; anything else is returned unchanged.
 */
export function applyLostResponseRule(err: OntapError, mayHaveBeenSent: boolean): OntapError {
  if (isRepeatable(err.method) || !mayHaveBeenSent) return err;
  const site = { method: err.method, path: err.path, host: err.host };
  if (err instanceof OntapNetworkError && !failedBeforeSending(err.code)) {
    return new OntapLostResponseError(site, `${err.reason} (${err.code})`);
  }
  if (err instanceof OntapTimeoutError && err.jobUuid === undefined) {
    return new OntapLostResponseError(
      site,
      `no answer within ${err.timeoutMs} ms after the request was sent`,
    );
  }
  if (err instanceof OntapResponseError) {
    return new OntapLostResponseError(site, err.reason, { status: err.status });
  }
  if (err instanceof OntapApiError && GATEWAY_STATUSES.has(err.status) && err.code === undefined) {
    return new OntapLostResponseError(site, `a gateway answered HTTP ${err.status}`, { status: err.status });
  }
  return err;
}

/**
 * Whether the policy may repeat the request that failed with `err`. Expects errors that
 * went through `applyLostResponseRule`: a network failure, timeout or unreadable body
 * still standing for a POST is one that provably never reached ONTAP.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof OntapApiError) return isRetryableAnswer(err.status, err.code);
  if (err instanceof OntapNetworkError) return !PERMANENT_NETWORK_CODES.has(err.code);
  if (err instanceof OntapTimeoutError) return err.jobUuid === undefined;
  return err instanceof OntapResponseError;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so a retry never comes instantly. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
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

/** The wait before retry number `retry` after `err`: Retry-After if ONTAP sent one, else backoff; capped. */
export function retryDelay(err: unknown, retry: number, policy: RetryPolicy): number {
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
 * Runs `attempt` until it succeeds, fails for good, or the policy's bounds run out; the
 * error thrown is the last attempt's, with `attempts` set. No retry starts once
 * `maxTotalMs` would be exceeded by its delay.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: { policy: RetryPolicy; signal?: AbortSignal; onRetry?: (notice: RetryNotice) => void },
): Promise<T> {
  const { policy, signal } = options;
  const started = performance.now();
  return pRetry(
    async (attemptNumber) => {
      try {
        return await attempt(attemptNumber);
      } catch (err) {
        if (err instanceof OntapError) err.attempts = attemptNumber;
        if (!isRetryable(err)) throw new AbortError(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
    },
    {
      retries: policy.retries,
      // The delay is ours (Retry-After, jitter, the total bound), slept in shouldRetry.
      minTimeout: 0,
      factor: 1,
      signal,
      shouldRetry: async ({ error, attemptNumber }) => {
        const delayMs = retryDelay(error, attemptNumber, policy);
        if (performance.now() - started + delayMs > policy.maxTotalMs) return false;
        if (error instanceof OntapError) {
          options.onRetry?.({
            method: error.method,
            path: error.path,
            attempt: attemptNumber,
            failure: error instanceof OntapApiError ? `HTTP ${error.status}` : error.kind,
            delayMs,
          });
        }
        await sleep(delayMs, undefined, { signal });
        return true;
      },
    },
  );
}
