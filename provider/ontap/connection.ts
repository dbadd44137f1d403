/**
 * Turning an OntapConnection into what a socket needs: the normalised host, the PEM
 * material, and the connection's own https.Agent. TLS settings live on that agent only:
 * nothing here touches process-wide state (no NODE_TLS_REJECT_UNAUTHORIZED, no global agent).
 */

import { readFileSync } from "node:fs";
import type { ClientRequest } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import tls from "node:tls";

import { OntapConfigError } from "./errors";
import type { OntapAuth, OntapConnection } from "./types";

/** "name", "name:port", "[v6]" or "[v6]:port"; the port only when one other than 443 was given. */
export function normaliseHost(input: string): string {
  let rest = input.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1]?.toLowerCase() !== "https") {
      throw new OntapConfigError("host", `host "${stripUserinfo(rest)}": ONTAP is reached over HTTPS only`);
    }
    rest = rest.slice(scheme[0].length);
  }
  const authority = stripUserinfo(rest.split(/[/?#]/, 1)[0] ?? "");
  let hostname: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(authority);
  if (bracketed) {
    hostname = `[${bracketed[1]}]`;
    port = bracketed[2];
  } else if (isIP(authority) === 6) {
    hostname = `[${authority}]`;
  } else {
    const colon = authority.lastIndexOf(":");
    hostname = colon === -1 ? authority : authority.slice(0, colon);
    port = colon === -1 ? undefined : authority.slice(colon + 1);
  }
  const portNumber = port === undefined ? undefined : Number(port);
  const badPort =
    portNumber !== undefined && !(Number.isInteger(portNumber) && portNumber > 0 && portNumber < 65536);
  if (hostname === "" || badPort || !URL.canParse(`https://${hostname}/`)) {
    throw new OntapConfigError(
      "host",
      `host "${authority}" is not a host name or address with an optional port`,
    );
  }
  const normalised = hostname.toLowerCase();
  // 443 is what HTTPS means anyway: "host" and "host:443" are the same cluster.
  return portNumber === undefined || portNumber === 443 ? normalised : `${normalised}:${portNumber}`;
}

/** "user:pw@host" → "host": a host string must never carry credentials into a message. */
function stripUserinfo(authority: string): string {
  return authority.slice(authority.lastIndexOf("@") + 1);
}

/** PEM text as given, or read (once) from the file the value names. */
export function readPem(value: string, setting: string): string {
  if (value.includes("-----BEGIN")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new OntapConfigError(
      setting,
      `${setting}: not PEM text, and no readable file at "${value}" (${code})`,
    );
  }
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
 * written. node-fetch creates the ClientRequest synchronously inside `fetch()`, and
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

/** The agent for one connection: keep-alive, its own trust store and client certificate. */
export function createAgent(connection: OntapConnection, auth: OntapAuth, maxSockets: number): TrackingAgent {
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext({
      ...(connection.caCert === undefined ? {} : { ca: readPem(connection.caCert, "caCert") }),
      ...(auth.kind === "certificate" ? { cert: auth.certPem, key: auth.keyPem } : {}),
    });
  } catch (err) {
    if (err instanceof OntapConfigError) throw err;
    // OpenSSL's reason names the failing step, never the key material.
    const reason = (err as { reason?: string }).reason ?? (err as NodeJS.ErrnoException).code ?? "invalid";
    const setting = auth.kind === "certificate" ? "caCert or the client certificate/key" : "caCert";
    throw new OntapConfigError(setting, `${setting}: not usable PEM (${reason})`);
  }
  return new TrackingAgent({
    keepAlive: true,
    maxSockets,
    secureContext,
    rejectUnauthorized: connection.insecure !== true,
    checkServerIdentity: explainedServerIdentity,
  });
}
