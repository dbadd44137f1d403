import { expect } from "chai";

import { OntapApiError } from "../../../provider/ontap/errors";
import { DEFAULT_RETRY_POLICY, nextRetryDelay } from "../../../provider/ontap/retry";

const site = { method: "GET" as const, path: "/api/x", host: "h" };
const answer = (status: number, retryAfterMs?: number) =>
  new OntapApiError(site, {
    status,
    ontapMessage: "",
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
const policy = { ...DEFAULT_RETRY_POLICY, retries: 2, maxDelayMs: 5_000, maxTotalMs: 10_000 };

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
