/**
 * The one transport to one cluster: every request the provider makes goes through
 * `OntapClient.request`, which adds authentication, JSON, the timeout, the concurrency
 * cap, the retry policy (./retry; what a failure means is ./failures') and async-job
 * polling, and turns every failure into a typed error (./errors) that carries no credentials.
 */

import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

import {
  type CheckedConnection,
  checkConnection,
  createAgent,
  mayHaveBeenSent,
  newSendTracker,
  type TrackingAgent,
} from "./connection";
import {
  OntapApiError,
  OntapAuthError,
  OntapError,
  OntapJobError,
  OntapJobPendingError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
  OntapTlsError,
  type RequestSite,
  type TlsProblem,
} from "./errors";
import { applyLostResponseRule, classify } from "./failures";
import { nodeFetch } from "./fetch";
import { CredentialVault } from "./redact";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, withRetries } from "./retry";
import { Semaphore } from "./semaphore";
import type {
  HttpMethod,
  OntapConnection,
  OntapJobState,
  OntapJobStatus,
  OntapLogger,
  OntapRequest,
  OntapResponse,
  RetryPolicy,
} from "./types";

/** Job polls start quick (most ONTAP jobs finish within seconds) and slow down to this. */
const JOB_POLL_FIRST_MS = 200;
const JOB_POLL_MAX_MS = 5_000;
const USER_AGENT = "pulumi-ontap-iscsi";

/** Node's certificate verification codes, by what a person has to do about them. */
const TLS_PROBLEMS: Readonly<Record<string, TlsProblem>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unknown-ca",
  UNABLE_TO_GET_ISSUER_CERT: "unknown-ca",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown-ca",
  CERT_UNTRUSTED: "unknown-ca",
  CERT_SIGNATURE_FAILURE: "unknown-ca",
  // The chain ends in a root this connection does not trust: an unknown CA, not a self-signed leaf.
  SELF_SIGNED_CERT_IN_CHAIN: "unknown-ca",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed",
  ERR_TLS_CERT_ALTNAME_INVALID: "hostname-mismatch",
  CERT_HAS_EXPIRED: "expired",
  CERT_NOT_YET_VALID: "not-yet-valid",
};

/** What one attempt produced: a response, or a 202 whose job still has to be polled. */
interface Answer {
  response: OntapResponse;
  jobUuid?: string;
  /** The attempt that produced it (1 unless the retry policy repeated the request). */
  attempts?: number;
  /** An earlier attempt's outcome is unknown (see OntapError.afterUnknown). */
  afterUnknown?: boolean;
}

/** No-op debug; warnings still reach stderr, because turning TLS off must never be silent. */
const DEFAULT_LOGGER: OntapLogger = {
  debug: () => {},
  warn: (message) => process.emitWarning(message),
};

/**
 * A client for one ONTAP cluster. The provider creates one per cluster, so the
 * concurrency cap and the keep-alive pool are per cluster. Credentials stay in a private
 * vault: the client can be logged or serialised without revealing them.
 */
export class OntapClient {
  /** The cluster as "name" or "name:port" (the port only if one was given), without scheme or userinfo. */
  readonly host: string;
  readonly #origin: string;
  readonly #vault: CredentialVault;
  readonly #agent: TrackingAgent;
  readonly #slots: Semaphore;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #jobTimeoutMs: number;
  readonly #credentialSource: string;
  readonly #logger: OntapLogger;
  readonly #closing = new AbortController();
  #writeEpoch = 0;

  /**
   * A client for a connection that `checkConnection` (./connection) returned, used as it
   * is; any other OntapConnection is checked by that same function first (throws
   * OntapConfigError, before any request).
   */
  constructor(connection: OntapConnection | CheckedConnection) {
    const settings = checkConnection(connection);
    this.host = settings.host;
    this.#origin = `https://${this.host}`;
    this.#vault = new CredentialVault(settings.auth);
    this.#timeoutMs = settings.timeoutMs;
    this.#jobTimeoutMs = settings.jobTimeoutMs;
    this.#slots = new Semaphore(settings.maxConcurrent);
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...settings.retry };
    this.#credentialSource = settings.credentialSource;
    this.#logger = settings.logger ?? DEFAULT_LOGGER;
    this.#agent = createAgent(settings);
    // Every queued request and backoff listens for close(): hundreds at once is normal here.
    setMaxListeners(0, this.#closing.signal);
    if (settings.insecure) {
      this.#logger.warn(
        `TLS certificate verification is OFF for ONTAP cluster ${this.host} (insecure: true): ` +
          "anyone on the network path can impersonate it and read its credentials. " +
          "Supply the cluster's CA (ontap:caCert / ONTAP_CA_CERT) instead.",
      );
    }
  }

  /**
   * Sends one request under the retry policy and, for a 202 with a job, polls the job to
   * its end. Rejects with an OntapError subclass; see ./retry for what is repeated.
   */
  async request<T = unknown>(req: OntapRequest): Promise<OntapResponse<T>> {
    if (req.method !== "GET") {
      this.#writeEpoch++;
      try {
        return await this.#request<T>(req);
      } finally {
        this.#writeEpoch++;
      }
    }
    return this.#request<T>(req);
  }

  /**
   * Changes when a write (any method but GET) starts and when it ends, whatever its outcome:
   * an answer to a GET sent at another epoch may not reflect every write made through this
   * client (a cache of reads stays valid only while this stays the same).
   */
  get writeEpoch(): number {
    return this.#writeEpoch;
  }

  async #request<T>(req: OntapRequest): Promise<OntapResponse<T>> {
    const url = this.#url(req);
    const site: RequestSite = { method: req.method, path: url.pathname, host: this.host };
    const answer = await this.#send(req.method, url, req.body, site);
    if (answer.jobUuid === undefined) return answer.response as OntapResponse<T>;
    try {
      return (await this.#awaitJob(answer.jobUuid, site)) as OntapResponse<T>;
    } catch (err) {
      // A job's failure speaks for the last attempt only: an earlier one whose answer was
      // lost may have been applied, and the caller tells that by `attempts`.
      if (err instanceof OntapError) {
        err.attempts = answer.attempts ?? 1;
        err.afterUnknown = answer.afterUnknown ?? false;
      }
      throw err;
    }
  }

  /**
   * One job's state, read now (GET /api/cluster/jobs/{uuid}): what became of the write of
   * an OntapJobPendingError, in this run or the next. "gone" when ONTAP answers that no
   * such job exists (it purges finished jobs after a few minutes); any other failure
   * rejects as the request's OntapError.
   */
  async jobState(uuid: string): Promise<OntapJobStatus | "gone"> {
    const url = this.#jobUrl(uuid);
    try {
      return await this.#readJob(url, { method: "GET", path: url.pathname, host: this.host });
    } catch (err) {
      // ONTAP's own "no such entry" only: a bare 404 may be a proxy's, and proves nothing.
      if (err instanceof OntapApiError && err.status === 404 && err.code !== undefined) return "gone";
      throw err;
    }
  }

  /** Stops everything: waiting requests and backoffs reject, sockets close. Further requests reject. */
  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort(new Error("OntapClient closed"));
    this.#agent.destroy();
  }

  /** The request's URL on this cluster; a path elsewhere would carry the credentials elsewhere. */
  #url(req: OntapRequest): URL {
    if (!req.path.startsWith("/api/")) {
      throw new TypeError(`ONTAP request path must start with "/api/", got "${req.path.split("?", 1)[0]}"`);
    }
    const url = new URL(req.path, this.#origin);
    const added = Object.entries(req.query ?? {}).filter(([, value]) => value !== undefined);
    const replaced = new Set(added.map(([key]) => key));
    const kept = url.search
      .slice(1)
      .split("&")
      .filter((pair) => pair !== "" && !replaced.has(decodeKey(pair)));
    const pairs = [
      ...kept,
      ...added.map(([key, value]) => `${encodeQuery(key)}=${encodeQuery(String(value))}`),
    ];
    url.search = pairs.length === 0 ? "" : `?${pairs.join("&")}`;
    return url;
  }

  async #send(method: HttpMethod, url: URL, body: unknown, site: RequestSite): Promise<Answer> {
    try {
      let unknownBefore = false;
      const attempted = async (attempt: number): Promise<Answer> => {
        try {
          const answer = await this.#attempt(method, url, body, site, attempt);
          return { ...answer, attempts: attempt, afterUnknown: unknownBefore };
        } catch (err) {
          if (err instanceof OntapError) {
            err.afterUnknown = unknownBefore;
            if (!classify(err).refused) unknownBefore = true;
          }
          throw err;
        }
      };
      return await withRetries(attempted, {
        policy: this.#policy,
        signal: this.#closing.signal,
        onRetry: (notice) =>
          this.#debug(
            `ONTAP ${notice.method} ${notice.path}: ${notice.failure} on attempt ${notice.attempt}; retrying in ${notice.delayMs} ms`,
          ),
      });
    } catch (err) {
      if (err instanceof OntapError) throw err;
      if (this.#closing.signal.aborted)
        throw new OntapNetworkError(site, "ERR_CLIENT_CLOSED", "the client was closed");
      throw err;
    }
  }

  /** One request, holding a concurrency slot from send to the last byte of the body. */
  async #attempt(
    method: HttpMethod,
    url: URL,
    body: unknown,
    site: RequestSite,
    attempt: number,
  ): Promise<Answer> {
    // Synchronous once node-fetch is loaded (./fetch), so a request waits on it only once per process.
    const loaded = nodeFetch();
    const fetch = typeof loaded === "function" ? loaded : await loaded;
    await this.#slots.acquire(this.#closing.signal);
    const tracker = newSendTracker();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    let status: number;
    let text: string;
    let location: string | null;
    let retryAfter: string | null;
    try {
      const response = await this.#agent.track(tracker, () =>
        fetch(url.href, {
          method,
          headers: this.#headers(body !== undefined),
          body: body === undefined ? undefined : JSON.stringify(body),
          agent: this.#agent,
          signal: AbortSignal.any([timeout.signal, this.#closing.signal]),
          redirect: "manual",
        }),
      );
      status = response.status;
      location = response.headers.get("location");
      retryAfter = response.headers.get("retry-after");
      text = await response.text();
    } catch (err) {
      throw applyLostResponseRule(
        this.#transportFailure(err, site, timeout.signal.aborted),
        mayHaveBeenSent(tracker),
        this.#policy,
      );
    } finally {
      clearTimeout(timer);
      this.#slots.release();
    }
    this.#debug(`ONTAP ${method} ${site.path}: HTTP ${status} (attempt ${attempt})`);
    try {
      const answer = this.#settle(site, { status, text, location, retryAfter });
      this.#slots.succeeded();
      return answer;
    } catch (err) {
      if (classify(err, this.#policy).sheddingLoad) this.#slots.congested();
      throw err;
    }
  }

  /** Built for each request and handed straight to fetch, so the Authorization value is never kept. */
  #headers(hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": USER_AGENT };
    if (hasBody) headers["Content-Type"] = "application/json";
    const authorization = this.#vault.authorization();
    if (authorization !== undefined) headers.Authorization = authorization;
    return headers;
  }

  /** A complete answer turned into a result or a typed error. */
  #settle(
    site: RequestSite,
    raw: { status: number; text: string; location: string | null; retryAfter: string | null },
  ): Answer {
    const { status } = raw;
    const parsed = parseJson(raw.text);
    if (status >= 200 && status < 300) {
      if (!parsed.ok) {
        const err = new OntapResponseError(site, status, "the response body was not valid JSON");
        throw applyLostResponseRule(err, true, this.#policy);
      }
      const jobUuid = status === 202 ? jobUuidOf(parsed.value) : undefined;
      const response: OntapResponse = { status, body: parsed.value };
      if (raw.location !== null) response.location = raw.location;
      return jobUuid === undefined ? { response } : { response, jobUuid };
    }
    if (status === 401) throw new OntapAuthError(site, this.#credentialSource, this.#vault.kind);
    const ontap = parsed.ok ? ontapErrorOf(parsed.value) : {};
    const ontapMessage = ontap.message ?? snippet(raw.text);
    const retryAfterMs = parseRetryAfter(raw.retryAfter);
    const err = new OntapApiError(site, {
      status,
      ontapMessage: this.#vault.scrub(ontapMessage),
      ...(ontap.code === undefined ? {} : { code: ontap.code }),
      ...(ontap.target === undefined ? {} : { target: this.#vault.scrub(ontap.target) }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    throw applyLostResponseRule(err, true, this.#policy);
  }

  /** Why no complete answer arrived, as a typed error with a credential-free reason. */
  #transportFailure(err: unknown, site: RequestSite, timedOut: boolean): OntapError {
    if (this.#closing.signal.aborted)
      return new OntapNetworkError(site, "ERR_CLIENT_CLOSED", "the client was closed");
    if (timedOut) return new OntapTimeoutError(site, this.#timeoutMs);
    const message = err instanceof Error ? err.message : String(err);
    const reason = this.#vault.scrub(withoutUrl(message));
    const given = (err as { code?: unknown } | null)?.code;
    const code =
      typeof given === "string"
        ? given
        : /premature close/i.test(message)
          ? "ERR_STREAM_PREMATURE_CLOSE"
          : "UNKNOWN";
    const problem =
      TLS_PROBLEMS[code] ?? (code === "EPROTO" || code.startsWith("ERR_SSL_") ? "handshake" : undefined);
    if (problem !== undefined) return new OntapTlsError(site, problem, code, reason);
    return new OntapNetworkError(site, code, reason);
  }

  /**
   * Polls the job until it ends or `jobTimeoutMs` passes: a job still unfinished then is an
   * OntapJobPendingError for every method. Polls are GETs under the same retry policy. If
   * polling itself fails, the write's outcome is unknown: a lost response.
   */
  async #awaitJob(jobUuid: string, site: RequestSite): Promise<OntapResponse> {
    const jobUrl = this.#jobUrl(jobUuid);
    const jobSite: RequestSite = { method: "GET", path: jobUrl.pathname, host: this.host };
    const started = performance.now();
    const deadline = started + this.#jobTimeoutMs;
    let delayMs = JOB_POLL_FIRST_MS;
    for (;;) {
      let job: OntapJobStatus;
      try {
        job = await this.#readJob(jobUrl, jobSite);
      } catch (err) {
        const closed = err instanceof OntapNetworkError && err.code === "ERR_CLIENT_CLOSED";
        // The job is running or done whatever the poll says (a 403 on /api/cluster/jobs, a
        // purged job's 404): the write's outcome is unknown, and the caller must know that
        // rather than read a refusal into the poll's error.
        if (err instanceof OntapError && !closed) {
          throw new OntapLostResponseError(site, `polling job ${jobUuid} failed: ${err.message}`, {
            jobUuid,
          });
        }
        throw err;
      }
      if (job.state === "success") return { status: 202, body: job, jobUuid };
      if (job.state === "failure") {
        throw new OntapJobError(site, jobUuid, job.code ?? "", job.message ?? "");
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new OntapJobPendingError(site, jobUuid, job.state, Math.round(performance.now() - started));
      }
      const wait = Math.min(delayMs, remaining);
      this.#debug(
        `ONTAP job ${jobUuid} for ${site.method} ${site.path}: ${job.state}; polling again in ${Math.round(wait)} ms`,
      );
      await sleepUnlessClosed(wait, this.#closing.signal, site);
      delayMs = Math.min(delayMs * 2, JOB_POLL_MAX_MS);
    }
  }

  #jobUrl(uuid: string): URL {
    return this.#url({
      method: "GET",
      path: `/api/cluster/jobs/${encodeURIComponent(uuid)}`,
      query: { fields: "state,code,message" },
    });
  }

  /** One GET of a job, as the state, code and (scrubbed) message the client and its callers use. */
  async #readJob(url: URL, site: RequestSite): Promise<OntapJobStatus> {
    const record = (await this.#send("GET", url, undefined, site)).response.body as JobRecord | null;
    const status: OntapJobStatus = { state: jobStateOf(record?.state) };
    const code = record?.code;
    // ONTAP gives code 0 for a job without an error.
    if ((typeof code === "number" && code !== 0) || (typeof code === "string" && code !== "" && code !== "0"))
      status.code = String(code);
    if (typeof record?.message === "string") status.message = this.#vault.scrub(record.message);
    return status;
  }

  #debug(message: string): void {
    this.#logger.debug(this.#vault.scrub(message));
  }
}

/** The fields of /api/cluster/jobs/{uuid} that polling asks for. */
interface JobRecord {
  uuid?: string;
  state?: string;
  code?: number | string | null;
  message?: string;
}

/**
 * A job's state as ONTAP wrote it. ONTAP documents exactly these five; anything else is read
 * as "running", so that the client keeps waiting (bounded by jobTimeoutMs) rather than
 * guessing an outcome.
 */
function jobStateOf(state: unknown): OntapJobState {
  const known: readonly string[] = ["queued", "running", "paused", "success", "failure"];
  return typeof state === "string" && known.includes(state) ? (state as OntapJobState) : "running";
}

/** Query encoding that leaves ONTAP's list and OR separators readable: `fields=a,b`, `svm.uuid=a|b`. */
function encodeQuery(text: string): string {
  return encodeURIComponent(text).replace(/%2C/gi, ",").replace(/%7C/gi, "|");
}

function decodeKey(pair: string): string {
  const key = pair.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** ONTAP's `{"error": {message, code, target}}`, tolerating numbers for the code. */
function ontapErrorOf(body: unknown): { message?: string; code?: string; target?: string } {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== "object" || error === null) return {};
  const { message, code, target } = error as Record<string, unknown>;
  return {
    ...(typeof message === "string" ? { message } : {}),
    ...(typeof code === "string" || typeof code === "number" ? { code: String(code) } : {}),
    ...(typeof target === "string" && target !== "" ? { target } : {}),
  };
}

function jobUuidOf(body: unknown): string | undefined {
  const uuid = (body as { job?: { uuid?: unknown } } | null)?.job?.uuid;
  return typeof uuid === "string" && uuid !== "" ? uuid : undefined;
}

/** The start of a body that was not ONTAP's error JSON (a proxy's HTML page, say). */
function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(no ONTAP error in the response body)";
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** node-fetch's messages repeat the whole URL; the error already names method and path. */
function withoutUrl(message: string): string {
  const reason = /, reason: (.*)$/s.exec(message) ?? /while trying to fetch \S+?: (.*)$/s.exec(message);
  return (reason?.[1] ?? message.replace(/https?:\/\/\S+/g, "<url>")).trim();
}

async function sleepUnlessClosed(ms: number, signal: AbortSignal, site: RequestSite): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new OntapNetworkError(site, "ERR_CLIENT_CLOSED", "the client was closed");
  }
}
