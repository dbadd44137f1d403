import { expect } from "chai";

import {
  OntapApiError,
  OntapAuthError,
  OntapJobError,
  OntapJobPendingError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
  OntapTlsError,
} from "../../../provider/errors/transport";
import { classify, type FailureMeaning, hasCode, isGone } from "../../../provider/ontap/failures";
import type { HttpMethod } from "../../../provider/ontap/types";

const site = (method: HttpMethod = "GET") => ({ method, path: "/api/x", host: "h" });
const api = (status: number, code?: string, method: HttpMethod = "GET") =>
  new OntapApiError(site(method), { status, ontapMessage: "", ...(code === undefined ? {} : { code }) });
const network = (code: string) => new OntapNetworkError(site(), code, "failed");

type Flags = Omit<FailureMeaning, "kind">;
type Flag = keyof Flags;
const FLAGS: Flag[] = [
  "gone",
  "refused",
  "outcomeUnknown",
  "clusterWide",
  "clientRejected",
  "unreachable",
  "retryable",
  "sheddingLoad",
];

/** The failure, and the flags that are true for it (every other flag is false). */
const TABLE: Array<[string, unknown, Flag[]]> = [
  ["400", api(400), ["refused"]],
  ["403 (6)", api(403, "6"), ["refused"]],
  ["404 without an ONTAP code (a proxy's)", api(404), ["refused"]],
  ["404 5374078 (no such service)", api(404, "5374078"), ["gone", "refused"]],
  ["404 2621462 (no such SVM)", api(404, "2621462"), ["gone", "refused"]],
  ["404 4 (no such entry)", api(404, "4"), ["gone", "refused"]],
  ["409 5374077 (already exists)", api(409, "5374077"), ["refused"]],
  ["429 262160", api(429, "262160"), ["refused", "clusterWide", "retryable", "sheddingLoad"]],
  [
    "400 262160 (busy, whatever the status)",
    api(400, "262160"),
    ["refused", "clusterWide", "retryable", "sheddingLoad"],
  ],
  ["500 262145", api(500, "262145"), ["outcomeUnknown"]],
  ["501", api(501), ["outcomeUnknown"]],
  ["502", api(502), ["outcomeUnknown", "clusterWide", "retryable"]],
  ["503", api(503), ["refused", "outcomeUnknown", "clusterWide", "retryable", "sheddingLoad"]],
  ["504", api(504), ["outcomeUnknown", "clusterWide", "retryable"]],
  [
    "401",
    new OntapAuthError(site(), "test", "basic"),
    ["refused", "clusterWide", "clientRejected", "unreachable"],
  ],
  [
    "TLS: unknown CA",
    new OntapTlsError(site(), "unknown-ca", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "bad"),
    ["refused", "clusterWide", "clientRejected", "unreachable"],
  ],
  [
    "network before sending (ECONNREFUSED)",
    network("ECONNREFUSED"),
    ["refused", "clusterWide", "unreachable", "retryable"],
  ],
  [
    "network before sending (EHOSTUNREACH)",
    network("EHOSTUNREACH"),
    ["refused", "clusterWide", "unreachable", "retryable"],
  ],
  ["network after sending (ECONNRESET)", network("ECONNRESET"), ["clusterWide", "unreachable", "retryable"]],
  ["host name that does not resolve (ENOTFOUND)", network("ENOTFOUND"), ["clusterWide", "unreachable"]],
  ["client closed", network("ERR_CLIENT_CLOSED"), ["clusterWide", "unreachable"]],
  ["timeout", new OntapTimeoutError(site(), 300), ["clusterWide", "unreachable", "retryable"]],
  ["lost response", new OntapLostResponseError(site("POST"), "reset"), ["outcomeUnknown", "unreachable"]],
  ["job failure", new OntapJobError(site("PATCH"), "j1", "5374077", "exists"), ["refused"]],
  ["job failure, gone", new OntapJobError(site("DELETE"), "j1", "5374078", "gone"), ["gone", "refused"]],
  ["job pending", new OntapJobPendingError(site("PATCH"), "j1", "running", 1_000), []],
  [
    "unreadable answer",
    new OntapResponseError(site(), 200, "not JSON"),
    ["clusterWide", "unreachable", "retryable"],
  ],
  ["not a transport failure", new TypeError("bug"), []],
];

describe("what a failure means (classify)", () => {
  for (const [what, err, expected] of TABLE) {
    it(`${what}: ${expected.length === 0 ? "nothing" : expected.join(", ")}`, () => {
      const meaning = classify(err);
      const got = FLAGS.filter((flag) => meaning[flag]);
      expect(got).to.deep.equal(expected);
    });
  }

  it("names the kind, and 'other' for anything that is not a transport failure", () => {
    expect(classify(api(400)).kind).to.equal("api");
    expect(classify(new OntapLostResponseError(site("POST"), "reset")).kind).to.equal("lost-response");
    expect(classify(new Error("x")).kind).to.equal("other");
    expect(classify(undefined).kind).to.equal("other");
  });

  it("reads what is retried from the policy's rules", () => {
    const rules = {
      statuses: new Set([500]),
      methods: new Set<HttpMethod>(["GET"]),
      busyCodes: new Set(["1"]),
    };
    expect(classify(api(500), rules).retryable).to.equal(true);
    expect(classify(api(503), rules).retryable).to.equal(false);
    expect(classify(api(400, "1"), rules)).to.include({ retryable: true, sheddingLoad: true });
  });

  it("finds ONTAP codes in answers and in failed jobs only", () => {
    expect(hasCode(api(409, "5374077"), "5374077", "5376452")).to.equal(true);
    expect(hasCode(new OntapJobError(site("POST"), "j", "5376452", ""), "5374077", "5376452")).to.equal(true);
    expect(hasCode(api(409), "5374077")).to.equal(false);
    expect(hasCode(network("ECONNRESET"), "ECONNRESET")).to.equal(false);
    expect(isGone(api(404, "4"))).to.equal(true);
    expect(isGone(api(404))).to.equal(false);
  });
});
