/**
 * Credentials live in one place, out of reach of logging and serialization: a vault
 * that builds the Authorization header when a request is sent and scrubs any text that
 * is about to leave the transport (error messages, log lines). The scrub is the second
 * line of defence; the first is that no code path puts a credential into such text.
 */

import type { OntapAuth } from "./types";

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

/**
 * Shorter secrets are not scrubbed by substring: replacing every "abc" would garble
 * messages while protecting little, and nothing writes a secret into text anyway.
 */
const MIN_SCRUBBED_LENGTH = 4;

/** `text` with every occurrence of each secret replaced by {@link REDACTED}. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUBBED_LENGTH) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * One connection's credentials. Private fields do not show in `util.inspect`,
 * `JSON.stringify` or an object spread, so the vault can sit on the client safely.
 */
export class CredentialVault {
  readonly #auth: OntapAuth;
  readonly #secrets: string[];
  /** How the connection authenticates (not secret). */
  readonly kind: OntapAuth["kind"];

  constructor(auth: OntapAuth) {
    this.#auth = { ...auth };
    this.kind = auth.kind;
    this.#secrets = secretsOf(auth);
  }

  /** The header value for this request, or undefined for certificate auth (the TLS layer carries it). */
  authorization(): string | undefined {
    const auth = this.#auth;
    if (auth.kind === "basic") {
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`;
    }
    if (auth.kind === "token") return `Bearer ${auth.token}`;
    return undefined;
  }

  /** `text` with this connection's secrets replaced. */
  scrub(text: string): string {
    return redact(text, this.#secrets);
  }

  /** A vault serializes to its kind only. */
  toJSON(): { kind: OntapAuth["kind"] } {
    return { kind: this.kind };
  }
}

/** Every string that would reveal a credential, including its encoded forms. */
function secretsOf(auth: OntapAuth): string[] {
  switch (auth.kind) {
    case "basic": {
      const pair = `${auth.username}:${auth.password}`;
      return [auth.password, Buffer.from(pair, "utf8").toString("base64"), encodeURIComponent(auth.password)];
    }
    case "token":
      return [auth.token, encodeURIComponent(auth.token)];
    case "certificate":
      return [auth.keyPem.trim()];
  }
}
