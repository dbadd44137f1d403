/**
 * The fault matrix as data: every operation the provider performs on a service, every
 * fault the simulator injects, and what each cell must come to. The runner
 * (test/faults/matrix.test.ts) asserts each cell's answer, the cluster it leaves, and that
 * a plain re-run converges; the reliability page's generator (tools/docs/reliability.ts)
 * lays the same table out with each cell as a run found it. It lives here, not under
 * test/, because tools never import test code.
 */
import type { FaultSpec } from "./types";

/** The faults, in the order of the matrix's columns. */
export const FAULT_NAMES = [
  "reset-before",
  "reset-after",
  "429 Retry-After",
  "503",
  "503 outlasting retries",
  "500",
  "hang",
  "malformed JSON",
  "401",
  "403",
  "job failure",
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

/** One column: the fault, without the request it targets (the operation picks that). */
export interface FaultCase {
  spec: Omit<FaultSpec, "method" | "path">;
  /** What the fault does, for the test title. */
  what: string;
  /** The least time the operation may take: the fault's Retry-After, honored. */
  minMs?: number;
}

export const FAULTS: Readonly<Record<FaultName, FaultCase>> = {
  "reset-before": { spec: { kind: "reset-before" }, what: "connection reset before the request is applied" },
  "reset-after": {
    spec: { kind: "reset-after" },
    what: "write applied, then the connection reset (lost response)",
  },
  "429 Retry-After": {
    spec: { kind: "http-error", status: 429, retryAfter: 1 },
    what: "429 (262160) with Retry-After: 1",
    minMs: 950,
  },
  "503": { spec: { kind: "http-error", status: 503 }, what: "one 503" },
  "503 outlasting retries": {
    spec: { kind: "http-error", status: 503, times: 10 },
    what: "503 on every retry",
  },
  "500": { spec: { kind: "http-error", status: 500 }, what: "500 (262145)" },
  hang: { spec: { kind: "hang" }, what: "no answer past the 300 ms timeout" },
  "malformed JSON": {
    spec: { kind: "malformed-json" },
    what: "write applied, answer cut short (malformed JSON)",
  },
  "401": { spec: { kind: "http-error", status: 401 }, what: "401" },
  "403": { spec: { kind: "http-error", status: 403 }, what: "403 (6)" },
  "job failure": { spec: { kind: "job-failure" }, what: "202 with a job that fails" },
};

/**
 * What a cell must do on the first run: succeed (`ok`, the fault absorbed), fail with a
 * clear error and leave the cluster as it was (`error`), or not apply (`n/a`: GETs never
 * run as jobs, so "job failure" cannot hit a read).
 */
export type Outcome = "ok" | "error" | "n/a";

/** A service's state on svm1, or none. */
export type ServiceShape = { enabled: boolean; alias: string } | "absent";

/** One row: an operation on the service of svm1. */
export interface OperationCase {
  name: string;
  kind: "create" | "read" | "update" | "delete";
  /** The service before the operation, made through the provider. */
  before: ServiceShape;
  /** The raw inputs of a create or an update. */
  news?: Record<string, unknown>;
  /** The cluster once the operation has succeeded. */
  after: ServiceShape;
  /** The request the fault hits: a POST to the collection, any other method on the service. */
  target: "POST" | "GET" | "PATCH" | "DELETE";
  outcomes: Readonly<Record<FaultName, Outcome>>;
}

/** Absorbed by retries or by reconciling: everything but a lasting refusal. */
const STANDARD: Readonly<Record<FaultName, Outcome>> = {
  "reset-before": "ok",
  "reset-after": "ok",
  "429 Retry-After": "ok",
  "503": "ok",
  "503 outlasting retries": "error",
  "500": "error",
  hang: "ok",
  "malformed JSON": "ok",
  "401": "error",
  "403": "error",
  "job failure": "error",
};

const ENABLED = { enabled: true, alias: "web" };

export const OPERATIONS: readonly OperationCase[] = [
  {
    name: "create",
    kind: "create",
    before: "absent",
    news: { svmName: "svm1", targetAlias: "web" },
    after: ENABLED,
    target: "POST",
    outcomes: STANDARD,
  },
  {
    name: "read",
    kind: "read",
    before: ENABLED,
    after: ENABLED,
    target: "GET",
    outcomes: { ...STANDARD, "job failure": "n/a" },
  },
  {
    name: "update alias",
    kind: "update",
    before: ENABLED,
    news: { svmName: "svm1", targetAlias: "db" },
    after: { enabled: true, alias: "db" },
    target: "PATCH",
    outcomes: STANDARD,
  },
  {
    name: "update enabled (disable)",
    kind: "update",
    before: ENABLED,
    news: { svmName: "svm1", targetAlias: "web", enabled: false },
    after: { enabled: false, alias: "web" },
    target: "PATCH",
    outcomes: STANDARD,
  },
  {
    name: "delete enabled (fault on the DELETE, after disabling)",
    kind: "delete",
    before: ENABLED,
    after: "absent",
    target: "DELETE",
    outcomes: STANDARD,
  },
  {
    name: "delete enabled (fault on the disabling PATCH)",
    kind: "delete",
    before: ENABLED,
    after: "absent",
    target: "PATCH",
    outcomes: STANDARD,
  },
  {
    name: "delete disabled",
    kind: "delete",
    before: { enabled: false, alias: "web" },
    after: "absent",
    target: "DELETE",
    outcomes: STANDARD,
  },
];
