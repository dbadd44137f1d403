/**
 * Every way a request to ONTAP can fail, one class per kind (ky's `source/errors/` is the
 * model). Each error names the request (method, path without its query, host without
 * userinfo) and carries plain values only: never a Response, Request, headers or a
 * `cause` from the HTTP stack, which could hold the Authorization header. The words a
 * person reads come from `renderError` in ./diagnostics; these messages are for logs.
 */

import type { HttpMethod, OntapAuth, OntapJobState } from "../ontap/types";
import { seconds } from "../values";
import { ProviderError } from "./base";

/** Stable names for switching on a failure without `instanceof`. */
export type OntapErrorKind =
  | "api"
  | "auth"
  | "network"
  | "timeout"
  | "tls"
  | "lost-response"
  | "job"
  | "job-pending"
  | "bad-response";

/** The request a failure belongs to. */
export interface RequestSite {
  method: HttpMethod;
  path: string;
  host: string;
}

/** The base of every transport failure. */
export abstract class OntapError extends ProviderError {
  abstract override readonly kind: OntapErrorKind;
  readonly method: HttpMethod;
  /** The path without its query string. */
  readonly path: string;
  /** "name:port" without userinfo. */
  readonly host: string;
  /** Requests sent before giving up: 1 unless the retry policy repeated it. */
  attempts = 1;
  /**
   * An earlier attempt of this request failed with an unknown outcome (its answer was
   * lost): whatever this error says of the last attempt, that one may have been applied.
   */
  afterUnknown = false;

  constructor(message: string, site: RequestSite) {
    super(message);
    this.method = site.method;
    this.path = site.path.split(/[?#]/, 1)[0] ?? "";
    this.host = site.host.slice(site.host.lastIndexOf("@") + 1);
  }

  /** JSON.stringify(error) would otherwise drop the message. */
  toJSON(): Record<string, unknown> {
    return { ...Object.fromEntries(Object.entries(this)), message: this.message };
  }
}

/** ONTAP answered with an error status (other than 401). */
export class OntapApiError extends OntapError {
  readonly kind = "api";
  readonly status: number;
  /** ONTAP's error code, a decimal string, when the body carried one. */
  readonly code?: string;
  /** ONTAP's own text, or the start of a body that was not ONTAP's JSON. */
  readonly ontapMessage: string;
  /** The field ONTAP blames, when it names one. */
  readonly target?: string;
  /** What the Retry-After header asked for, ms. */
  readonly retryAfterMs?: number;

  constructor(
    site: RequestSite,
    details: { status: number; code?: string; ontapMessage: string; target?: string; retryAfterMs?: number },
  ) {
    const code = details.code === undefined ? "" : ` ONTAP error ${details.code}`;
    const target = details.target === undefined ? "" : ` (target ${details.target})`;
    super(
      `HTTP ${details.status}${code} for ${site.method} ${site.path} on ${site.host}: ${details.ontapMessage}${target}`,
      site,
    );
    this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    this.ontapMessage = details.ontapMessage;
    if (details.target !== undefined) this.target = details.target;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** ONTAP refused the credentials (HTTP 401). */
export class OntapAuthError extends OntapError {
  readonly kind = "auth";
  readonly status = 401;
  /** Where the credentials came from: config key or variable names, never values. */
  readonly credentialSource: string;
  readonly authKind: OntapAuth["kind"];

  constructor(site: RequestSite, credentialSource: string, authKind: OntapAuth["kind"]) {
    super(
      `HTTP 401 for ${site.method} ${site.path} on ${site.host}: ${authKind} credentials from ${credentialSource} were refused`,
      site,
    );
    this.credentialSource = credentialSource;
    this.authKind = authKind;
  }
}

/** No answer: the connection failed (refused, reset, DNS, ...). */
export class OntapNetworkError extends OntapError {
  readonly kind = "network";
  /** Node's code, e.g. ECONNRESET, ECONNREFUSED, ENOTFOUND. */
  readonly code: string;
  /** The system's explanation, without credentials. */
  readonly reason: string;

  constructor(site: RequestSite, code: string, reason: string) {
    super(`${site.method} ${site.path} on ${site.host} failed: ${reason} (${code})`, site);
    this.code = code;
    this.reason = reason;
  }
}

/** No complete answer within the request timeout. */
export class OntapTimeoutError extends OntapError {
  readonly kind = "timeout";
  readonly timeoutMs: number;
  /**
   * Never set by OntapClient: a job still running at the end of the wait is an
   * {@link OntapJobPendingError}. Kept so that code which tests it still compiles.
   */
  readonly jobUuid?: string;

  constructor(site: RequestSite, timeoutMs: number, jobUuid?: string) {
    const what = jobUuid === undefined ? "got no answer" : `started job ${jobUuid}, still running`;
    super(`${site.method} ${site.path} on ${site.host} ${what} after ${timeoutMs} ms`, site);
    this.timeoutMs = timeoutMs;
    if (jobUuid !== undefined) this.jobUuid = jobUuid;
  }
}

/** Why a certificate was not accepted. */
export type TlsProblem =
  | "unknown-ca"
  | "self-signed"
  | "hostname-mismatch"
  | "expired"
  | "not-yet-valid"
  | "handshake";

/** The cluster's certificate was not accepted (verification is on unless `insecure`). */
export class OntapTlsError extends OntapError {
  readonly kind = "tls";
  readonly problem: TlsProblem;
  /** Node's code, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID. */
  readonly code: string;
  readonly reason: string;

  constructor(site: RequestSite, problem: TlsProblem, code: string, reason: string) {
    super(`TLS to ${site.host} failed for ${site.method} ${site.path}: ${reason} (${code})`, site);
    this.problem = problem;
    this.code = code;
    this.reason = reason;
  }
}

/**
 * A write that is not safe to repeat (POST) may have reached ONTAP, but its answer was
 * lost: the change may or may not have been applied. The caller reads to find out.
 */
export class OntapLostResponseError extends OntapError {
  readonly kind = "lost-response";
  /** What happened, e.g. "the connection was reset (ECONNRESET)". */
  readonly reason: string;
  /** The status line that did arrive, if any (a gateway's 502/504, or a 2xx with an unreadable body). */
  readonly status?: number;
  /** The async job the write started, when polling it failed. */
  readonly jobUuid?: string;

  constructor(site: RequestSite, reason: string, extra: { status?: number; jobUuid?: string } = {}) {
    super(`${site.method} ${site.path} on ${site.host} may or may not have been applied: ${reason}`, site);
    this.reason = reason;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.jobUuid !== undefined) this.jobUuid = extra.jobUuid;
  }
}

/** ONTAP accepted the write as an async job (202) and the job failed. */
export class OntapJobError extends OntapError {
  readonly kind = "job";
  readonly jobUuid: string;
  /** The job's ONTAP error code as a decimal string ("" when the job gave none). */
  readonly code: string;
  /** The job's own message. */
  readonly jobMessage: string;

  constructor(site: RequestSite, jobUuid: string, code: string, jobMessage: string) {
    super(
      `job ${jobUuid} for ${site.method} ${site.path} on ${site.host} failed: ${jobMessage} (code ${code})`,
      site,
    );
    this.jobUuid = jobUuid;
    this.code = code;
    this.jobMessage = jobMessage;
  }
}

/**
 * ONTAP accepted the write as an async job (202), and the job was still not finished when
 * the wait (`jobTimeoutMs`) ended. Its outcome is pending, not lost: the job is known, and
 * `OntapClient.jobState(jobUuid)` reads what became of it.
 */
export class OntapJobPendingError extends OntapError {
  readonly kind = "job-pending";
  readonly jobUuid: string;
  /** The job's state at the last poll: "queued", "running" or "paused". */
  readonly state: OntapJobState;
  /** How long the client waited for the job, ms (about the connection's `jobTimeoutMs`). */
  readonly waitedMs: number;

  constructor(site: RequestSite, jobUuid: string, state: OntapJobState, waitedMs: number) {
    super(
      `job ${jobUuid} for ${site.method} ${site.path} on ${site.host} is still ${state} after ${seconds(waitedMs)}`,
      site,
    );
    this.jobUuid = jobUuid;
    this.state = state;
    this.waitedMs = waitedMs;
  }
}

/** A success status whose body was not JSON, or arrived cut short. */
export class OntapResponseError extends OntapError {
  readonly kind = "bad-response";
  readonly status: number;
  readonly reason: string;

  constructor(site: RequestSite, status: number, reason: string) {
    super(`HTTP ${status} for ${site.method} ${site.path} on ${site.host}: ${reason}`, site);
    this.status = status;
    this.reason = reason;
  }
}

/**
 * A connection setting cannot work; thrown by `checkConnection` (and so by the OntapClient
 * constructor), before any request. It names the OntapConnection member, never a config
 * key: the layer that read the setting knows where it came from and says so.
 */
export class OntapConfigError extends ProviderError {
  readonly kind = "config";
  /** The OntapConnection member at fault, e.g. "host", "caCert", "auth.keyPem", "retry.retries". */
  readonly setting: string;
  /** What is wrong with the value, without the setting's name, e.g. 'port 70000 is outside 1..65535'. */
  readonly problem: string;
  /** What to do about it, when more can be said than "correct it", e.g. "use the cluster's global address". */
  readonly hint?: string;

  constructor(setting: string, message: string, details: { problem?: string; hint?: string } = {}) {
    super(message);
    this.setting = setting;
    this.problem = details.problem ?? message;
    if (details.hint !== undefined) this.hint = details.hint;
  }

  /** The error for `setting`, with the message "<setting>: <problem>: <hint>". */
  static invalid(setting: string, problem: string, hint?: string): OntapConfigError {
    const message = `${setting}: ${problem}${hint === undefined ? "" : `: ${hint}`}`;
    return new OntapConfigError(setting, message, hint === undefined ? { problem } : { problem, hint });
  }
}
