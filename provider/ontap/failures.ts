/**
 * What a failure means: the one classifier every caller asks. `classify` reads the tables
 * below and answers, for any error, whether the object is gone, whether the request was
 * certainly refused or its outcome is unknown, whether the whole cluster is affected or
 * rejects this client, whether the cluster could be asked at all, whether the retry policy
 * repeats it and whether the cluster is shedding load.
 *
 * Transport only: the tables hold ONTAP codes, HTTP statuses and Node's network codes as
 * data; nothing here knows Pulumi or the iSCSI resource.
 */

import {
  OntapApiError,
  type OntapAuthError,
  OntapError,
  type OntapErrorKind,
  OntapJobError,
  type OntapJobPendingError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
  type OntapTlsError,
} from "../errors/transport";
import type { HttpMethod, RetryRules } from "./types";

/**
 * ONTAP codes that mean "there is no such object (or SVM)". ONTAP's own codes only: a bare
 * 404 may come from a proxy, and "gone" drops state or ends a delete.
 */
export const GONE_CODES: ReadonlySet<string> = new Set(["5374078", "2621462", "4"]);

/** ONTAP codes for "too many requests in progress": retried whatever the HTTP status. */
export const BUSY_CODES: ReadonlySet<string> = new Set(["262160"]);

/**
 * Answers that mean "not now" rather than "no": the statuses the retry policy repeats, and
 * the ones the diagnostics explain as "unavailable" once the retries are spent
 * (UNAVAILABLE_STATUSES in ../diagnostics/codes is this set).
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Answers with which the cluster says it is overloaded (with {@link BUSY_CODES}): the client lowers its cap. */
export const SHEDDING_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The one 5xx that says nothing was done: "not now". Every other 5xx may come after the change. */
export const REFUSING_5XX_STATUSES: ReadonlySet<number> = new Set([503]);

/** Answers a gateway gives when it may already have passed the request on. */
export const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 504]);

/** Methods for which sending twice has the effect of sending once (we only PATCH absolute values). */
export const REPEATABLE_METHODS: ReadonlySet<HttpMethod> = new Set<HttpMethod>(["GET", "PATCH", "DELETE"]);

/** Network failures that happen before a byte of the request can have left. */
export const BEFORE_SEND_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

/** Network failures a retry will not fix: a host name that does not resolve is a setting, not weather. */
export const PERMANENT_NETWORK_CODES: ReadonlySet<string> = new Set(["ENOTFOUND", "ERR_CLIENT_CLOSED"]);

/** What the retry policy repeats (the data half of DEFAULT_RETRY_POLICY in ./retry). */
export const RETRY_RULES: Readonly<RetryRules> = Object.freeze({
  statuses: RETRYABLE_STATUSES,
  methods: REPEATABLE_METHODS,
  busyCodes: BUSY_CODES,
});

/** What a failure means, every question answered. */
export interface FailureMeaning {
  /** The error's kind, or "other" for anything that is not an {@link OntapError} (a bug, an abort). */
  readonly kind: OntapErrorKind | "other";
  /** ONTAP says the object (the service or its SVM) does not exist: a {@link GONE_CODES} code, answered or a job's. */
  readonly gone: boolean;
  /**
   * The request was certainly not applied: ONTAP answered "no" (a 4xx, a failed job, 503
   * "not now"), refused the credentials or the certificate, or the request never left.
   */
  readonly refused: boolean;
  /**
   * A write failed without saying whether it was applied; read the cluster before writing
   * again. A lost response (see {@link applyLostResponseRule}), or an ONTAP 5xx, which may come
   * after the change was made (a 503 is both this and `refused`: the read is cheap). A
   * pending job is neither: its outcome is coming, and `OntapClient.jobState` reads it.
   */
  readonly outcomeUnknown: boolean;
  /**
   * Smaller requests would only repeat it: the cluster is unreachable, says "not now" (what
   * the policy retries, still failing after its retries), answers unreadably, or refuses
   * the credentials or the certificate. Any other ONTAP answer may be one record's.
   */
  readonly clusterWide: boolean;
  /**
   * The cluster takes no request from this client as configured: it refused the
   * credentials (401) or the TLS connection failed. A setting to fix; no retry or smaller
   * request helps.
   */
  readonly clientRejected: boolean;
  /**
   * No ONTAP answer to the request itself: the cluster could not be asked (network, time-out,
   * TLS, 401, an unreadable or lost answer). Every {@link OntapError} but an ONTAP answer or a job's.
   */
  readonly unreachable: boolean;
  /**
   * Transient: the retry policy repeats it (within its bounds). Expects errors that went
   * through {@link applyLostResponseRule}: a network failure, timeout or unreadable body still
   * standing for a POST is one that provably never reached ONTAP.
   */
  readonly retryable: boolean;
  /** The cluster said it is overloaded ({@link SHEDDING_STATUSES} or a busy code): the client lowers its cap. */
  readonly sheddingLoad: boolean;
  /**
   * The account may not do this: HTTP 403 with ONTAP's code 6 ("not authorized for that
   * command", what an SVM-scoped account gets on cluster endpoints) or without a code.
   */
  readonly notAuthorized: boolean;
}

type Meaning = Omit<FailureMeaning, "kind" | "gone">;

/** Every transport failure class, so that each row below gets its own kind's error. */
type TransportError =
  | OntapApiError
  | OntapAuthError
  | OntapTlsError
  | OntapNetworkError
  | OntapTimeoutError
  | OntapResponseError
  | OntapLostResponseError
  | OntapJobError
  | OntapJobPendingError;

/** ONTAP's codes for "this account may not": 6 (permission denied), 6691623 (user not authorized). */
export const NOT_AUTHORIZED_CODES: ReadonlySet<string> = new Set(["6", "6691623"]);

const NOTHING: Meaning = {
  refused: false,
  outcomeUnknown: false,
  clusterWide: false,
  clientRejected: false,
  unreachable: false,
  retryable: false,
  sheddingLoad: false,
  notAuthorized: false,
};

/**
 * The meaning of each kind of transport failure, by row; the rows whose answer depends on
 * the error's status or code read the tables above. `rules` is the retry policy's data.
 */
const MEANINGS: {
  readonly [K in OntapErrorKind]: (err: Extract<TransportError, { kind: K }>, rules: RetryRules) => Meaning;
} = {
  api: (err, rules) => {
    const notNow = rules.statuses.has(err.status) || rules.busyCodes.has(err.code ?? "");
    return {
      ...NOTHING,
      refused: err.status < 500 || REFUSING_5XX_STATUSES.has(err.status),
      outcomeUnknown: err.status >= 500,
      clusterWide: notNow,
      retryable: notNow,
      sheddingLoad: SHEDDING_STATUSES.has(err.status) || rules.busyCodes.has(err.code ?? ""),
      notAuthorized: err.status === 403 && (err.code === undefined || NOT_AUTHORIZED_CODES.has(err.code)),
    };
  },
  auth: () => ({ ...NOTHING, refused: true, clusterWide: true, clientRejected: true, unreachable: true }),
  tls: () => ({ ...NOTHING, refused: true, clusterWide: true, clientRejected: true, unreachable: true }),
  network: (err) => ({
    ...NOTHING,
    refused: BEFORE_SEND_CODES.has(err.code),
    clusterWide: true,
    unreachable: true,
    retryable: !PERMANENT_NETWORK_CODES.has(err.code),
  }),
  timeout: (err) => ({
    ...NOTHING,
    clusterWide: true,
    unreachable: true,
    retryable: err.jobUuid === undefined,
  }),
  "bad-response": () => ({ ...NOTHING, clusterWide: true, unreachable: true, retryable: true }),
  "lost-response": () => ({ ...NOTHING, outcomeUnknown: true, unreachable: true }),
  // ONTAP answered about the job: the cluster was reached.
  job: () => ({ ...NOTHING, refused: true }),
  "job-pending": () => NOTHING,
};

/** What `err` means; `rules` is the retry policy's data ({@link RETRY_RULES} unless a policy says otherwise). */
export function classify(err: unknown, rules: RetryRules = RETRY_RULES): FailureMeaning {
  if (!(err instanceof OntapError)) return { kind: "other", gone: false, ...NOTHING };
  // TypeScript cannot pair MEANINGS[err.kind] with err's class; the mapped type above does.
  const meaning = (MEANINGS[err.kind] as (e: OntapError, r: RetryRules) => Meaning)(err, rules);
  return { kind: err.kind, gone: hasCode(err, ...GONE_CODES), ...meaning };
}

/** Whether an error says the object (the service or its SVM) does not exist. */
export function isGone(err: unknown): boolean {
  return classify(err).gone;
}

/**
 * Whether an error carries one of these ONTAP codes: ONTAP's answer to the request, or the
 * code of the async job the request started (a job re-validates when it runs, e.g. 5374077).
 */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  return (err instanceof OntapApiError || err instanceof OntapJobError) && codes.includes(err.code ?? "");
}

/**
 * The lost-response rule: a failure of a write that is not safe to repeat (a method not in
 * `rules.methods`: POST) and may have reached ONTAP becomes an {@link OntapLostResponseError}, so
 * that the caller reads the cluster before writing again; anything else is returned as it is.
 */
export function applyLostResponseRule(
  err: OntapError,
  mayHaveBeenSent: boolean,
  rules: RetryRules = RETRY_RULES,
): OntapError {
  if (rules.methods.has(err.method) || !mayHaveBeenSent) return err;
  const site = { method: err.method, path: err.path, host: err.host };
  if (err instanceof OntapNetworkError && !BEFORE_SEND_CODES.has(err.code)) {
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

/** Whether ONTAP answered that it does not serve the endpoint at all (404, code 3 "API not found"): an older release. */
export function isMissingApi(err: unknown): boolean {
  return err instanceof OntapApiError && err.status === 404 && err.code === "3";
}
