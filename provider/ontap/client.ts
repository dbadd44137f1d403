/**
 * The one transport to one cluster: every request the provider makes goes through
 * `OntapClient.request`, which adds authentication, JSON, the timeout, the concurrency
 * cap, the retry policy (./retry; what a failure means is ./failures') and async-job
 * polling (./job-polling), and turns every failure into a typed error (./errors) that
 * carries no credentials. The URL is ./request-url's, the reading of answers and failures
 * ./response-reading's.
 */

import { setMaxListeners } from "node:events";
import {
  OntapApiError,
  OntapAuthError,
  OntapError,
  OntapNetworkError,
  OntapResponseError,
  OntapTimeoutError,
  type RequestSite,
} from "../errors/transport";
import { type Clock, REAL_CLOCK } from "./clock";
import {
  type CheckedConnection,
  checkConnection,
  createAgent,
  mayHaveBeenSent,
  newSendTracker,
  type TrackingAgent,
} from "./connection";
import { applyLostResponseRule, classify } from "./failures";
import { nodeFetch } from "./fetch";
import { awaitJob, jobRequest, jobStatusOf, jobUuidOf } from "./job-polling";
import { CredentialVault } from "./redact";
import { requestUrl } from "./request-url";
import { fetchFailure, ontapErrorOf, parseJson, snippet } from "./response-reading";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, withRetries } from "./retry";
import { Semaphore } from "./semaphore";
import type {
  HttpMethod,
  OntapConnection,
  OntapJobStatus,
  OntapLogger,
  OntapRequest,
  OntapResponse,
  RetryPolicy,
} from "./types";

const USER_AGENT = "pulumi-ontap-iscsi";

/** What one attempt produced: a response, or a 202 whose job still has to be polled. */
interface Answer {
  response: OntapResponse;
  jobUuid?: string;
  /** The attempt that produced it (1 unless the retry policy repeated the request). */
  attempts?: number;
  /** An earlier attempt's outcome is unknown (see {@link OntapError.afterUnknown}). */
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
 * vault: the client can be logged or serialized without revealing them.
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
  readonly #clock: Clock;
  readonly #closing = new AbortController();
  #writeEpoch = 0;

  /**
   * A client for a connection that {@link checkConnection} (./connection) returned, used as it
   * is; any other {@link OntapConnection} is checked by that same function first (throws
   * OntapConfigError, before any request).
   */
  constructor(
    connection: OntapConnection | CheckedConnection,
    /** @internal test-only: the time retries and job polling wait on; {@link REAL_CLOCK} by default. */
    clock: Clock = REAL_CLOCK,
  ) {
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
    this.#clock = clock;
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
   * its end. Rejects with an {@link OntapError} subclass; see ./retry for what is repeated.
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
    const url = requestUrl(this.#origin, req);
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
   * rejects as the request's {@link OntapError}.
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
        clock: this.#clock,
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
    return fetchFailure(err, site, (text) => this.#vault.scrub(text));
  }

  /**
   * Polls the job to its end (./job-polling) with GETs under the same retry policy, for at
   * most `jobTimeoutMs`.
   */
  #awaitJob(jobUuid: string, site: RequestSite): Promise<OntapResponse> {
    const url = this.#jobUrl(jobUuid);
    const jobSite: RequestSite = { method: "GET", path: url.pathname, host: this.host };
    return awaitJob({
      jobUuid,
      site,
      read: () => this.#readJob(url, jobSite),
      timeoutMs: this.#jobTimeoutMs,
      clock: this.#clock,
      closing: this.#closing.signal,
      debug: (message) => this.#debug(message),
    });
  }

  #jobUrl(uuid: string): URL {
    return requestUrl(this.#origin, jobRequest(uuid));
  }

  /** One GET of a job, as the state, code and (scrubbed) message the client and its callers use. */
  async #readJob(url: URL, site: RequestSite): Promise<OntapJobStatus> {
    const { body } = (await this.#send("GET", url, undefined, site)).response;
    return jobStatusOf(body, (text) => this.#vault.scrub(text));
  }

  #debug(message: string): void {
    this.#logger.debug(this.#vault.scrub(message));
  }
}
