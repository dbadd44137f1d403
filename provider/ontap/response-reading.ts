/**
 * Reading what came back, or why nothing did, for the client (./client): the body as JSON,
 * ONTAP's error object in it, and a failed fetch as a typed error (network, timeout, TLS).
 * Pure functions of the text and error node-fetch gives; the client decides what they mean
 * for the request.
 */

import {
  type OntapError,
  OntapNetworkError,
  OntapTlsError,
  type RequestSite,
  type TlsProblem,
} from "../errors/transport";
import { isObject } from "../values";

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

/** A body as JSON; an empty body reads as `{}`. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** ONTAP's `{"error": {message, code, target}}`, tolerating numbers for the code. */
export function ontapErrorOf(body: unknown): { message?: string; code?: string; target?: string } {
  const error = (body as { error?: unknown } | null)?.error;
  if (!isObject(error)) return {};
  const { message, code, target } = error as Record<string, unknown>;
  return {
    ...(typeof message === "string" ? { message } : {}),
    ...(typeof code === "string" || typeof code === "number" ? { code: String(code) } : {}),
    ...(typeof target === "string" && target !== "" ? { target } : {}),
  };
}

/** The start of a body that was not ONTAP's error JSON (a proxy's HTML page, say). */
export function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(no ONTAP error in the response body)";
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * Why fetch gave no complete answer (`err`, neither a close nor a timeout), as a typed error
 * with a credential-free reason: `scrub` takes credentials out of the text.
 */
export function fetchFailure(err: unknown, site: RequestSite, scrub: (text: string) => string): OntapError {
  const message = err instanceof Error ? err.message : String(err);
  const reason = scrub(withoutUrl(message));
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

/** node-fetch's messages repeat the whole URL; the error already names method and path. */
function withoutUrl(message: string): string {
  const reason = /, reason: (.*)$/s.exec(message) ?? /while trying to fetch \S+?: (.*)$/s.exec(message);
  return (reason?.[1] ?? message.replace(/https?:\/\/\S+/g, "<url>")).trim();
}
