import { expect } from "chai";

import {
  OntapApiError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
} from "../../../provider/ontap/errors";
import { applyLostResponseRule } from "../../../provider/ontap/failures";
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  retryDelay,
} from "../../../provider/ontap/retry";
import type { HttpMethod } from "../../../provider/ontap/types";

const site = (method: HttpMethod) => ({ method, path: "/api/x", host: "h" });

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
