/**
 * Turning an {@link OntapConnection} into what a socket needs. {@link checkConnection} is the one place
 * a connection's settings are validated: it parses the host (./host), reads the PEM
 * material once, checks every number against {@link CONNECTION_LIMITS} and fills in the defaults.
 * Its result, a {@link CheckedConnection}, is what OntapClient runs on without checking again.
 * TLS settings live on the connection's own https.Agent: nothing here touches
 * process-wide state (no NODE_TLS_REJECT_UNAUTHORIZED, no global agent).
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ClientRequest } from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";

import { OntapConfigError } from "../errors/transport";
import { parseHost } from "./host";
import { DEFAULT_RETRY_POLICY } from "./retry";
import type { OntapAuth, OntapConnection, OntapLogger, RetryBounds } from "./types";

/** A numeric setting's bounds, and its default when it has one. */
export interface SettingLimit {
  min: number;
  max: number;
  default: number;
}

/**
 * Every numeric setting of a connection, by its {@link OntapConnection} member: whole numbers
 * within these bounds. The retry defaults are {@link DEFAULT_RETRY_POLICY}'s (./retry).
 */
export const CONNECTION_LIMITS: Readonly<Record<NumericSetting, Readonly<SettingLimit>>> = Object.freeze({
  timeoutMs: { min: 1, max: 3_600_000, default: 60_000 },
  // Most ONTAP jobs end within seconds; five minutes covers a busy cluster's queue.
  jobTimeoutMs: { min: 1, max: 3_600_000, default: 300_000 },
  maxConcurrent: { min: 1, max: 256, default: 8 },
  "retry.retries": { min: 0, max: 20, default: DEFAULT_RETRY_POLICY.retries },
  "retry.minDelayMs": { min: 0, max: 600_000, default: DEFAULT_RETRY_POLICY.minDelayMs },
  "retry.maxDelayMs": { min: 0, max: 600_000, default: DEFAULT_RETRY_POLICY.maxDelayMs },
  "retry.maxTotalMs": { min: 0, max: 3_600_000, default: DEFAULT_RETRY_POLICY.maxTotalMs },
});

/** The numeric members of {@link OntapConnection}, the retry policy's as "retry.<name>". */
export type NumericSetting = "timeoutMs" | "jobTimeoutMs" | "maxConcurrent" | `retry.${keyof RetryBounds}`;

/** The mark of a {@link CheckedConnection}: a symbol, so a spread copy keeps it and JSON leaves it out. */
const CHECKED: unique symbol = Symbol("CheckedConnection");

/**
 * A connection whose every setting {@link checkConnection} has validated: the host in its
 * canonical form (./host), PEM text (never a path) in `caCert` and the certificate auth,
 * and every default filled in. Frozen; OntapClient uses it as it is.
 */
export interface CheckedConnection extends OntapConnection {
  readonly [CHECKED]: true;
  readonly host: string;
  readonly auth: OntapAuth;
  readonly caCert?: string;
  readonly insecure: boolean;
  readonly timeoutMs: number;
  readonly jobTimeoutMs: number;
  readonly maxConcurrent: number;
  readonly retry: Readonly<RetryBounds>;
  readonly credentialSource: string;
  readonly logger?: OntapLogger;
}

/**
 * Whether `connection` came from {@link checkConnection} (or is a spread copy of one).
 * @internal test-only: exported for test/provider/config.test.ts; the module's own use needs no export.
 */
export function isCheckedConnection(connection: OntapConnection): connection is CheckedConnection {
  return (connection as Partial<CheckedConnection>)[CHECKED] === true;
}

/**
 * Validates a connection once, before any request, and returns it in the form a client
 * runs on. Throws {@link OntapConfigError} naming the member at fault (`setting`), what is wrong
 * (`problem`) and, where it can, what to give instead (`hint`); never a credential's value.
 * A connection that is already checked is returned as it is.
 */
export function checkConnection(connection: OntapConnection): CheckedConnection {
  if (isCheckedConnection(connection)) return connection;
  const host = parseHost(connection.host);
  const auth = checkAuth(connection.auth);
  const caCert = connection.caCert === undefined ? undefined : readPem(connection.caCert, "caCert");
  if (connection.insecure !== undefined && typeof connection.insecure !== "boolean")
    throw OntapConfigError.invalid(
      "insecure",
      `must be true or false, got ${JSON.stringify(connection.insecure)}`,
    );
  checkSecureContext(caCert, auth);
  const retry = connection.retry ?? {};
  const result: CheckedConnection = {
    [CHECKED]: true,
    host,
    auth,
    ...(caCert === undefined ? {} : { caCert }),
    insecure: connection.insecure === true,
    timeoutMs: whole("timeoutMs", connection.timeoutMs),
    jobTimeoutMs: whole("jobTimeoutMs", connection.jobTimeoutMs),
    maxConcurrent: whole("maxConcurrent", connection.maxConcurrent),
    retry: Object.freeze({
      retries: whole("retry.retries", retry.retries),
      minDelayMs: whole("retry.minDelayMs", retry.minDelayMs),
      maxDelayMs: whole("retry.maxDelayMs", retry.maxDelayMs),
      maxTotalMs: whole("retry.maxTotalMs", retry.maxTotalMs),
    }),
    credentialSource: connection.credentialSource ?? `the connection's ${auth.kind} credentials`,
    ...(connection.logger === undefined ? {} : { logger: connection.logger }),
  };
  return Object.freeze(result);
}

/** A numeric setting within {@link CONNECTION_LIMITS}, or its default when absent. */
function whole(setting: NumericSetting, value: unknown): number {
  const limit = CONNECTION_LIMITS[setting];
  if (value === undefined) return limit.default;
  if (typeof value !== "number" || !Number.isInteger(value) || value < limit.min || value > limit.max)
    throw OntapConfigError.invalid(
      setting,
      `must be a whole number from ${limit.min} to ${limit.max}, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** Exactly one known auth kind with non-empty values; a certificate and key read to PEM text. */
function checkAuth(auth: OntapAuth | undefined): OntapAuth {
  const present = (value: unknown): value is string => typeof value === "string" && value !== "";
  switch (auth?.kind) {
    case "basic":
      if (!present(auth.username)) throw OntapConfigError.invalid("auth.username", "is empty");
      if (!present(auth.password)) throw OntapConfigError.invalid("auth.password", "is empty");
      return { kind: "basic", username: auth.username, password: auth.password };
    case "token":
      if (!present(auth.token)) throw OntapConfigError.invalid("auth.token", "is empty");
      return { kind: "token", token: auth.token };
    case "certificate":
      return {
        kind: "certificate",
        certPem: readPem(auth.certPem, "auth.certPem"),
        keyPem: readPem(auth.keyPem, "auth.keyPem", "private key"),
      };
    default:
      throw OntapConfigError.invalid("auth", 'must be exactly one of kind "basic", "certificate" or "token"');
  }
}

/** What a PEM setting holds. */
export type PemKind = "certificate" | "private key";

/**
 * PEM text as given, or read from the file the value names; checked to be a `kind`.
 * Throws {@link OntapConfigError} naming `setting`. A key is never quoted, not even as a path:
 * a key that lost its PEM header is still the secret.
 */
export function readPem(value: string, setting: string, kind: PemKind = "certificate"): string {
  if (typeof value !== "string" || value.trim() === "")
    throw OntapConfigError.invalid(setting, "is empty", "give PEM text, or the path of a PEM file");
  let pem = value;
  if (!value.includes("-----BEGIN")) {
    const quoted = kind === "private key" ? `${value.length} characters, not shown` : JSON.stringify(value);
    try {
      pem = readFileSync(value, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      throw OntapConfigError.invalid(
        setting,
        `is neither PEM text nor the path of a readable file (${quoted}: ${code})`,
        "give PEM text, or the path of a PEM file",
      );
    }
  }
  try {
    if (kind === "certificate") new X509Certificate(pem);
    else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error("no PRIVATE KEY block");
    else createPrivateKey(pem);
  } catch (err) {
    // OpenSSL's code names the failing step, never the key material.
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw OntapConfigError.invalid(
      setting,
      `is not a ${kind === "certificate" ? "valid PEM certificate" : "PEM private key"} (${reason})`,
      `give the ${kind} as PEM text ("-----BEGIN ..."), or the path of its PEM file`,
    );
  }
  return pem;
}

/** The CA and client certificate as TLS will use them: a key that does not match its certificate fails here. */
function checkSecureContext(caCert: string | undefined, auth: OntapAuth): void {
  try {
    secureContext(caCert, auth);
  } catch (err) {
    const reason = (err as { reason?: string }).reason ?? (err as NodeJS.ErrnoException).code ?? "invalid";
    const setting = auth.kind === "certificate" ? "auth.keyPem" : "caCert";
    const what = auth.kind === "certificate" ? "does not work with the client certificate" : "is not usable";
    throw OntapConfigError.invalid(setting, `${what} (${reason})`);
  }
}

function secureContext(caCert: string | undefined, auth: OntapAuth): tls.SecureContext {
  return tls.createSecureContext({
    ...(caCert === undefined ? {} : { ca: caCert }),
    ...(auth.kind === "certificate" ? { cert: auth.certPem, key: auth.keyPem } : {}),
  });
}

/** Whether a request's bytes may have reached the server, as the agent observed it. */
export interface SendTracker {
  /** The agent saw the request; false means nothing can be concluded. */
  attached: boolean;
  /** The request was completely handed to the socket. */
  written: boolean;
}

/** A tracker that knows nothing yet. */
export function newSendTracker(): SendTracker {
  return { attached: false, written: false };
}

/**
 * Unknown counts as sent: the lost-response rule must err towards "maybe applied".
 * A request that was never completely written cannot have been acted on.
 */
export function mayHaveBeenSent(tracker: SendTracker): boolean {
  return !tracker.attached || tracker.written;
}

type AddRequest = (this: https.Agent, req: ClientRequest, options: unknown) => void;
const baseAddRequest = (https.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest;

/**
 * The connection's keep-alive agent, which can also tell whether a request was fully
 * written. node-fetch creates the {@link ClientRequest} synchronously inside `fetch()`, and
 * Node hands every request to `agent.addRequest` from its constructor, so a tracker
 * armed just for that call is claimed by exactly that request.
 */
export class TrackingAgent extends https.Agent {
  #armed: SendTracker | undefined;

  /** Runs `start` (which must create exactly one request synchronously) with `tracker` armed. */
  track<T>(tracker: SendTracker, start: () => T): T {
    this.#armed = tracker;
    try {
      return start();
    } finally {
      this.#armed = undefined;
    }
  }

  /** Node's internal hook for every request sent through this agent. */
  addRequest(req: ClientRequest, options: unknown): void {
    const tracker = this.#armed;
    this.#armed = undefined;
    if (tracker) {
      tracker.attached = true;
      req.once("finish", () => {
        tracker.written = true;
      });
    }
    baseAddRequest.call(this, req, options);
  }
}

/**
 * Node's check, with a message that lists the names the certificate does carry (Node's
 * own lists only those of the host's type: nothing useful for an IP address).
 */
function explainedServerIdentity(host: string, cert: tls.PeerCertificate): Error | undefined {
  const err = tls.checkServerIdentity(host, cert);
  if (err) {
    const names = cert.subjectaltname || `CN=${String(cert.subject?.CN ?? "none")}`;
    err.message = `${host} is not among the names the certificate carries (${names})`;
  }
  return err;
}

/** The agent for one checked connection: keep-alive, its own trust store and client certificate. */
export function createAgent(connection: CheckedConnection): TrackingAgent {
  return new TrackingAgent({
    keepAlive: true,
    maxSockets: connection.maxConcurrent,
    secureContext: secureContext(connection.caCert, connection.auth),
    rejectUnauthorized: !connection.insecure,
    checkServerIdentity: explainedServerIdentity,
  });
}
