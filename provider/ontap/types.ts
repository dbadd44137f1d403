/**
 * The transport's public contract: what a connection is, what a request and a
 * response are. The iSCSI layer above depends only on these types, OntapClient and
 * the errors in ./errors.
 */

/** Exactly one way to authenticate. */
export type OntapAuth =
  | { kind: "basic"; username: string; password: string }
  /** Client certificate: its common name is the ONTAP account. PEM text. */
  | { kind: "certificate"; certPem: string; keyPem: string }
  /** OAuth 2.0 bearer token (ONTAP 9.14.1+). */
  | { kind: "token"; token: string };

/** The bounds of the one retry policy: the part a connection sets (`ontap:retries`, ...). */
export interface RetryBounds {
  /** Retries after the first attempt. Default 5. */
  retries: number;
  /** First backoff, ms. Default 250. */
  minDelayMs: number;
  /** Largest single backoff (and largest Retry-After honored), ms. Default 10_000. */
  maxDelayMs: number;
  /** No retry starts after this much time since the first attempt, ms. Default 60_000. */
  maxTotalMs: number;
}

/** What the retry policy repeats, as tables (ky's retry options are the model). */
export interface RetryRules {
  /** HTTP statuses that mean "not now": repeated for every method. */
  readonly statuses: ReadonlySet<number>;
  /** Methods safe to send twice: repeated after a lost answer. A POST never is. */
  readonly methods: ReadonlySet<HttpMethod>;
  /** ONTAP codes that mean "busy": repeated whatever the HTTP status. */
  readonly busyCodes: ReadonlySet<string>;
}

/** The one retry policy, as data: what is repeated, and within which bounds. */
export interface RetryPolicy extends RetryBounds, RetryRules {}

/** Where log lines go. The transport never passes credentials to it. */
export interface OntapLogger {
  debug(message: string): void;
  warn(message: string): void;
}

/**
 * One cluster's management endpoint and how to talk to it, as a caller writes it.
 * `checkConnection` (./connection) turns it into a CheckedConnection, the only form a
 * client uses; the bounds of every number are in its CONNECTION_LIMITS.
 */
export interface OntapConnection {
  /**
   * "cluster1.example.com", "10.0.0.5", "10.0.0.5:8443", "fd00::5", "[fd00::5]:8443". HTTPS
   * always: no scheme, path or credentials. The rules are in ./host (`parseHost`).
   */
  host: string;
  /** The certificate and key of `kind: "certificate"` may be PEM text or paths to PEM files. */
  auth: OntapAuth;
  /** PEM text of the CA that signed the cluster's certificate, or a path to a PEM file. */
  caCert?: string;
  /** Skip TLS verification for this connection only (logs a warning once). Default false. */
  insecure?: boolean;
  /** Per-request timeout, ms. Default 60_000. */
  timeoutMs?: number;
  /** Cap on requests in flight to this cluster. Default 8. */
  maxConcurrent?: number;
  retry?: Partial<RetryBounds>;
  /**
   * How long to wait for the async job of a write (HTTP 202), ms. Default 300_000. A job
   * still queued, running or paused then is an OntapJobPendingError.
   */
  jobTimeoutMs?: number;
  /**
   * Where the credentials came from, for diagnostics — names only, never values:
   * e.g. 'stack config "ontap:username"/"ontap:password"' or 'environment ONTAP_USERNAME/ONTAP_PASSWORD'.
   */
  credentialSource?: string;
  logger?: OntapLogger;
}

/** The states ONTAP gives a job (/api/cluster/jobs). */
export type OntapJobState = "queued" | "running" | "paused" | "success" | "failure";

/** One job as `OntapClient.jobState` reads it. */
export interface OntapJobStatus {
  state: OntapJobState;
  /** The job's ONTAP code as a decimal string, when it gave one (a failed job's reason). */
  code?: string;
  /** The job's own message. */
  message?: string;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface OntapRequest {
  method: HttpMethod;
  /** Path under the cluster, starting with "/api/". May already carry a query (a `_links.next.href`). */
  path: string;
  /** Appended to the path's query; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface OntapResponse<T = unknown> {
  status: number;
  /** Parsed JSON ({} when the response had no body). For a 202 that was polled: the job's final record. */
  body: T;
  /** The Location header of a 201, if any. */
  location?: string;
  /** Set when the write ran as an async job that was polled to success. */
  jobUuid?: string;
}
