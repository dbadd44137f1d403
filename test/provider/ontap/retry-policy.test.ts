/**
 * The retry policy (provider/ontap/retry.ts) without a cluster: its rules (what is
 * repeated, Retry-After, backoff, the lost-response rule), its decision per failure
 * (nextRetryDelay), and its loop (withRetries, on p-retry) on a virtual clock. The client's
 * retries against the simulator are ./client-retries.test.ts.
 */

import { expect } from "chai";

import {
  OntapApiError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
} from "../../../provider/errors/transport";
import { applyLostResponseRule } from "../../../provider/ontap/failures";
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  nextRetryDelay,
  parseRetryAfter,
  type RetryNotice,
  retryDelay,
  withRetries,
} from "../../../provider/ontap/retry";
import type { HttpMethod } from "../../../provider/ontap/types";
import { rejectionOf, virtualClock } from "./helpers";

const site = (method: HttpMethod) => ({ method, path: "/api/x", host: "h" });
const answer = (status: number, retryAfterMs?: number) =>
  new OntapApiError(site("GET"), {
    status,
    ontapMessage: "",
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
const policy = { ...DEFAULT_RETRY_POLICY, retries: 2, maxDelayMs: 5_000, maxTotalMs: 10_000 };

describe("retry policy rules", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).to.equal(3_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:02 GMT", now)).to.equal(2_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).to.equal(0);
    expect(parseRetryAfter("soon", now)).to.equal(undefined);
    expect(parseRetryAfter(null, now)).to.equal(undefined);
  });

  it("backs off exponentially with jitter between half and all of the step, capped", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, minDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(1, policy, () => 0)).to.equal(50);
    expect(backoffDelay(1, policy, () => 1)).to.equal(100);
    expect(backoffDelay(3, policy, () => 1)).to.equal(400);
    expect(backoffDelay(10, policy, () => 1)).to.equal(1_000);
  });

  it("prefers Retry-After to backoff, capped at maxDelayMs", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxDelayMs: 5_000 };
    const busy = (retryAfterMs: number) =>
      new OntapApiError(site("GET"), { status: 429, code: "262160", ontapMessage: "", retryAfterMs });
    expect(retryDelay(busy(2_000), 1, policy)).to.equal(2_000);
    expect(retryDelay(busy(60_000), 1, policy)).to.equal(5_000);
  });

  it("retries only transient answers", () => {
    const answer = (status: number, code?: string) =>
      new OntapApiError(site("GET"), { status, ontapMessage: "", ...(code ? { code } : {}) });
    for (const status of [429, 502, 503, 504])
      expect(isRetryable(answer(status)), `${status}`).to.equal(true);
    for (const status of [400, 401, 403, 404, 409, 500, 501])
      expect(isRetryable(answer(status)), `${status}`).to.equal(false);
    expect(isRetryable(answer(400, "262160"))).to.equal(true);
    expect(isRetryable(new OntapNetworkError(site("GET"), "ENOTFOUND", "no such host"))).to.equal(false);
  });

  it("turns a POST that may have been sent into a lost response, and nothing else", () => {
    const reset = (method: HttpMethod) => new OntapNetworkError(site(method), "ECONNRESET", "socket hang up");
    expect(applyLostResponseRule(reset("POST"), true)).to.be.instanceOf(OntapLostResponseError);
    expect(applyLostResponseRule(reset("POST"), false)).to.be.instanceOf(OntapNetworkError);
    for (const method of ["GET", "PATCH", "DELETE"] as const) {
      expect(applyLostResponseRule(reset(method), true)).to.be.instanceOf(OntapNetworkError);
    }
    const refused = new OntapNetworkError(site("POST"), "ECONNREFUSED", "connect ECONNREFUSED");
    expect(applyLostResponseRule(refused, true)).to.equal(refused);
    expect(applyLostResponseRule(new OntapTimeoutError(site("POST"), 10), true)).to.be.instanceOf(
      OntapLostResponseError,
    );
    const garbled = new OntapResponseError(site("POST"), 201, "not JSON");
    expect(applyLostResponseRule(garbled, true))
      .to.be.instanceOf(OntapLostResponseError)
      .and.include({ status: 201 });
    const gateway = new OntapApiError(site("POST"), { status: 504, ontapMessage: "" });
    expect(applyLostResponseRule(gateway, true)).to.be.instanceOf(OntapLostResponseError);
    const ontapBusy = new OntapApiError(site("POST"), { status: 503, code: "7", ontapMessage: "" });
    expect(applyLostResponseRule(ontapBusy, true)).to.equal(ontapBusy);
  });
});

describe("the retry decision (nextRetryDelay)", () => {
  it("waits what Retry-After asks, capped at maxDelayMs", () => {
    expect(nextRetryDelay(answer(429, 2_000), 1, 0, policy)).to.equal(2_000);
    expect(nextRetryDelay(answer(429, 60_000), 1, 0, policy)).to.equal(5_000);
  });

  it("stops when the retries are used up", () => {
    expect(nextRetryDelay(answer(503, 0), 2, 0, policy)).to.equal(0);
    expect(nextRetryDelay(answer(503, 0), 3, 0, policy)).to.equal(undefined);
  });

  it("refuses a retry whose wait would end past maxTotalMs, rather than shortening the wait", () => {
    expect(nextRetryDelay(answer(429, 3_000), 1, 7_000, policy)).to.equal(3_000);
    expect(nextRetryDelay(answer(429, 3_000), 1, 7_001, policy)).to.equal(undefined);
  });

  it("never repeats what is not retryable", () => {
    expect(nextRetryDelay(answer(500, 0), 1, 0, policy)).to.equal(undefined);
    expect(nextRetryDelay(new Error("bug"), 1, 0, policy)).to.equal(undefined);
  });
});

describe("the retry loop (withRetries) on a virtual clock", () => {
  /** An attempt that fails with each of `failures` in turn, then answers "done"; its calls are counted. */
  function failing(...failures: Error[]) {
    const calls: number[] = [];
    const attempt = async (n: number) => {
      calls.push(n);
      const failure = failures[n - 1];
      if (failure !== undefined) throw failure;
      return "done";
    };
    return { attempt, calls };
  }

  it("waits what each error asks (Retry-After), one error at a time, and returns the answer that follows", async () => {
    const clock = virtualClock();
    const { attempt, calls } = failing(answer(429, 700), answer(503, 300));
    expect(await withRetries(attempt, { policy, clock })).to.equal("done");
    expect(calls).to.deep.equal([1, 2, 3]);
    expect(clock.waits).to.deep.equal([700, 300]);
  });

  it("backs off between minDelayMs and maxDelayMs when no Retry-After is given", async () => {
    const clock = virtualClock();
    const bounded = { ...policy, minDelayMs: 100, maxDelayMs: 150 };
    const { attempt } = failing(answer(503), answer(503));
    await withRetries(attempt, { policy: bounded, clock });
    expect(clock.waits).to.have.length(2);
    expect(clock.waits[0]).to.be.within(50, 100);
    expect(clock.waits[1]).to.be.within(75, 150);
  });

  it("stops after `retries` retries with the last error, its `attempts` set", async () => {
    const clock = virtualClock();
    const last = answer(503, 0);
    const { attempt, calls } = failing(answer(503, 0), answer(503, 0), last, answer(503, 0));
    const err = await rejectionOf(withRetries(attempt, { policy, clock }));
    expect(err).to.equal(last);
    expect(last.attempts).to.equal(3);
    expect(calls).to.deep.equal([1, 2, 3]);
  });

  it("refuses a retry whose wait would end past maxTotalMs, rather than shortening the wait", async () => {
    const clock = virtualClock();
    // Retries to spare: the budget (10 s) is what stops it, after 4 s + 4 s of waits.
    const { attempt, calls } = failing(
      answer(429, 4_000),
      answer(429, 4_000),
      answer(429, 4_000),
      answer(429, 4_000),
    );
    const err = await rejectionOf(withRetries(attempt, { policy: { ...policy, retries: 5 }, clock }));
    expect(err).to.be.instanceOf(OntapApiError).and.include({ attempts: 3 });
    expect(calls).to.deep.equal([1, 2, 3]);
    expect(clock.waits).to.deep.equal([4_000, 4_000]);
    expect(clock.now()).to.equal(8_000);
  });

  it("never repeats a POST whose answer was lost, nor a final answer", async () => {
    for (const final of [
      new OntapLostResponseError(site("POST"), "socket hang up"),
      answer(500),
      new Error("bug"),
    ]) {
      const clock = virtualClock();
      const { attempt, calls } = failing(final);
      expect(await rejectionOf(withRetries(attempt, { policy, clock }))).to.equal(final);
      expect(calls).to.deep.equal([1]);
      expect(clock.waits).to.deep.equal([]);
    }
  });

  it("tells onRetry each retry: method, path, attempt, failure and delay; nothing for the last failure", async () => {
    const notices: RetryNotice[] = [];
    const reset = new OntapNetworkError(site("GET"), "ECONNRESET", "socket hang up");
    const { attempt } = failing(answer(503, 40), reset, answer(500));
    await rejectionOf(
      withRetries(attempt, { policy, clock: virtualClock(), onRetry: (notice) => notices.push(notice) }),
    );
    expect(notices).to.have.length(2);
    expect(notices[0]).to.deep.equal({
      method: "GET",
      path: "/api/x",
      attempt: 1,
      failure: "HTTP 503",
      delayMs: 40,
    });
    expect(notices[1]).to.include({ method: "GET", path: "/api/x", attempt: 2, failure: reset.kind });
  });

  it("makes no attempt once the signal is aborted, and none after an attempt during which it was", async () => {
    const before = new AbortController();
    before.abort(new Error("closed before"));
    const first = failing();
    expect(await rejectionOf(withRetries(first.attempt, { policy, signal: before.signal }))).to.have.property(
      "message",
      "closed before",
    );
    expect(first.calls).to.deep.equal([]);

    const during = new AbortController();
    const calls: number[] = [];
    const attempt = async (n: number) => {
      calls.push(n);
      during.abort(new Error("closed during"));
      throw answer(503, 0);
    };
    const err = await rejectionOf(
      withRetries(attempt, { policy, signal: during.signal, clock: virtualClock() }),
    );
    expect(err).to.have.property("message", "closed during");
    expect(calls).to.deep.equal([1]);
  });

  it("ends a wait when the signal is aborted during it (the real clock)", async () => {
    const controller = new AbortController();
    const { attempt, calls } = failing(answer(429, 60_000), answer(429, 60_000));
    const waiting = withRetries(attempt, {
      policy: { ...policy, maxDelayMs: 60_000, maxTotalMs: 120_000 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("closed")), 20);
    const err = await rejectionOf(waiting);
    expect(err).to.be.instanceOf(Error).and.not.instanceOf(OntapApiError);
    expect(calls).to.deep.equal([1]);
  });
});
