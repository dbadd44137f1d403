import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { ConfigError } from "./errors";
import { normaliseHost } from "./ontap/connection";
import type { OntapAuth, OntapConnection, RetryPolicy } from "./ontap/types";

/** The stack-config reader the dynamic-provider host hands to `configure` (only get/require). */
export interface ConfigSource {
  get(key: string): unknown;
}

/** One connection profile as written in stack config (`ontap:clusters.<name>`) or flat keys. */
interface RawProfile {
  host?: unknown;
  username?: unknown;
  password?: unknown;
  token?: unknown;
  clientCert?: unknown;
  clientKey?: unknown;
  caCert?: unknown;
  insecure?: unknown;
  timeoutMs?: unknown;
  maxConcurrent?: unknown;
  retries?: unknown;
  retryMinDelayMs?: unknown;
  retryMaxDelayMs?: unknown;
  retryMaxTotalMs?: unknown;
}

const FLAT_KEYS: Record<keyof RawProfile, string> = {
  host: "ONTAP_HOST",
  username: "ONTAP_USERNAME",
  password: "ONTAP_PASSWORD",
  token: "ONTAP_TOKEN",
  clientCert: "ONTAP_CLIENT_CERT",
  clientKey: "ONTAP_CLIENT_KEY",
  caCert: "ONTAP_CA_CERT",
  insecure: "ONTAP_INSECURE",
  timeoutMs: "ONTAP_TIMEOUT_MS",
  maxConcurrent: "ONTAP_MAX_CONCURRENT",
  retries: "ONTAP_RETRIES",
  retryMinDelayMs: "ONTAP_RETRY_MIN_DELAY_MS",
  retryMaxDelayMs: "ONTAP_RETRY_MAX_DELAY_MS",
  retryMaxTotalMs: "ONTAP_RETRY_MAX_TOTAL_MS",
};

/** The resolved settings of one cluster, without the network: what a client is built from. */
export interface ResolvedConnection extends OntapConnection {
  /** Profile name, undefined for the default connection. */
  cluster?: string;
}

/** Values arrive as text (`"true"`, `'{"a":1}'`) or structured, depending on the engine: accept both. */
function parseStructured(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text.startsWith("{") || text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  return value;
}

/** A host setting as an error may quote it: anything up to the last "@" (user:password) hidden. */
function shownHost(text: string): string {
  const at = text.lastIndexOf("@");
  if (at === -1) return JSON.stringify(text);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? "";
  return JSON.stringify(`${scheme}<credentials>@${text.slice(at + 1)}`);
}

/**
 * Normalises a management host: lower case, IPv6 in brackets, default port 443 dropped.
 * Throws ConfigError naming `key` for a scheme, path, credentials or a bad port.
 */
export function normalizeHost(value: unknown, key: string): string {
  const fix = `pulumi config set ${key} <cluster management name or address>[:port]`;
  if (typeof value !== "string" || value.trim() === "")
    throw new ConfigError(key, "is empty or not a string.", fix);
  const text = value.trim();
  const shown = shownHost(text);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    throw new ConfigError(key, `${shown} has a scheme; give only the host (HTTPS is always used).`, fix);
  if (/[/?#@\s]/.test(text))
    throw new ConfigError(key, `${shown} contains a path, query, credentials or whitespace.`, fix);
  if (isIPv6(text)) return normaliseHost(text);
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(?::(\d{1,5}))?$/i.exec(text);
  if (!match || (match[1].startsWith("[") && !isIPv6(match[1].slice(1, -1))))
    throw new ConfigError(key, `${shown} is not a host name, IPv4 or [IPv6] address.`, fix);
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65535))
    throw new ConfigError(key, `port ${port} is outside 1..65535.`, fix);
  // The transport's canonical form, so that state, pinning and the client name a cluster alike.
  return normaliseHost(text);
}

function optionalString(value: unknown, key: string, fix: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new ConfigError(key, `must be a string, got ${typeof value}.`, fix);
  return value;
}

function parseBoolean(value: unknown, key: string): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new ConfigError(
    key,
    `must be true or false, got ${JSON.stringify(value)}.`,
    `pulumi config set ${key} true   (only to skip TLS verification on purpose)`,
  );
}

function parseWholeNumber(value: unknown, key: string, max: number, min = 1): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(
      key,
      `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
      `pulumi config set ${key} <number>`,
    );
  return n;
}

/** PEM text, or a path to a PEM file; validated as an X.509 certificate either way. */
function readPem(value: unknown, key: string, what: "certificate" | "key"): string | undefined {
  const fix = `pulumi config set ${key} -- "$(cat ${what === "key" ? "client.key" : "cluster-ca.pem"})"   (PEM text, or a path to a PEM file)`;
  const text = optionalString(value, key, fix);
  if (text === undefined) return undefined;
  let pem = text;
  if (!text.includes("-----BEGIN")) {
    // A key that lost its PEM header is still the secret: never quote it.
    const quoted = what === "key" ? `${text.length} characters, not shown` : JSON.stringify(text);
    if (!existsSync(text))
      throw new ConfigError(key, `is neither PEM text nor the path of an existing file (${quoted}).`, fix);
    pem = readFileSync(text, "utf8");
  }
  if (what === "key") {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
      throw new ConfigError(key, "is not a PEM private key.", fix);
    return pem;
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new ConfigError(key, "is not a valid PEM certificate.", fix);
  }
  return pem;
}

/**
 * The bounds of the retry policy (provider/ontap/retry.ts) that config overrides; the
 * rest keep their defaults. Zero retries turns retrying off.
 */
function retryPolicy(raw: RawProfile, keyOf: (field: string) => string): Partial<RetryPolicy> | undefined {
  const retry: Partial<RetryPolicy> = {};
  const retries = parseWholeNumber(raw.retries, keyOf("retries"), 20, 0);
  if (retries !== undefined) retry.retries = retries;
  const minDelayMs = parseWholeNumber(raw.retryMinDelayMs, keyOf("retryMinDelayMs"), 600_000, 0);
  if (minDelayMs !== undefined) retry.minDelayMs = minDelayMs;
  const maxDelayMs = parseWholeNumber(raw.retryMaxDelayMs, keyOf("retryMaxDelayMs"), 600_000, 0);
  if (maxDelayMs !== undefined) retry.maxDelayMs = maxDelayMs;
  const maxTotalMs = parseWholeNumber(raw.retryMaxTotalMs, keyOf("retryMaxTotalMs"), 3_600_000, 0);
  if (maxTotalMs !== undefined) retry.maxTotalMs = maxTotalMs;
  return Object.keys(retry).length === 0 ? undefined : retry;
}

/**
 * Resolves connection profiles from stack config (`ontap:*`, `ontap:clusters`) with the
 * ONTAP_* environment as fallback for the default connection. Reads happen at call time,
 * so credentials never enter resource state or `__provider`.
 */
export class ConnectionSettings {
  constructor(config: ConfigSource | undefined, env: NodeJS.ProcessEnv) {
    this.#config = config;
    this.#env = env;
  }

  // #private (not TypeScript's `private`): they hold credentials, and util.inspect never shows #fields.
  readonly #config: ConfigSource | undefined;
  readonly #env: NodeJS.ProcessEnv;

  /** Resolved profiles, by "" (the default connection) or "profile:<name>". */
  readonly #resolved = new Map<string, ResolvedConnection>();

  private configValue(key: string): unknown {
    return this.#config ? parseStructured(this.#config.get(`ontap:${key}`)) : undefined;
  }

  /** Names of the profiles in `ontap:clusters`. */
  profileNames(): string[] {
    return Object.keys(this.profiles());
  }

  private profiles(): Record<string, RawProfile> {
    const raw = this.configValue("clusters");
    if (raw === undefined || raw === null || raw === "") return {};
    if (typeof raw !== "object" || Array.isArray(raw))
      throw new ConfigError(
        "ontap:clusters",
        "must be an object mapping a profile name to {host, username, password, caCert, insecure}.",
        `pulumi config set --path 'ontap:clusters.<name>.host' <host>`,
      );
    return raw as Record<string, RawProfile>;
  }

  /** Whether `check` may look the SVM up before a create (`ontap:preflight`, default true). */
  preflightEnabled(): boolean {
    return (
      parseBoolean(this.configValue("preflight") ?? this.#env.ONTAP_PREFLIGHT, "ontap:preflight") ?? true
    );
  }

  /**
   * Validated settings for a profile (undefined: the default connection). No network.
   * Resolved once per profile: every operation asks, and validating re-parses the CA
   * certificate (about 0.3 ms). The config never changes after `configure` (which builds a
   * new ConnectionSettings); a PEM given as a path is read when first needed.
   */
  resolve(cluster?: string): ResolvedConnection {
    const key = cluster === undefined ? "" : `profile:${cluster}`;
    let connection = this.#resolved.get(key);
    if (!connection) {
      connection = this.resolveUncached(cluster);
      this.#resolved.set(key, connection);
    }
    return connection;
  }

  private resolveUncached(cluster?: string): ResolvedConnection {
    if (cluster !== undefined) {
      const profiles = this.profiles();
      const profile = profiles[cluster];
      if (!profile || typeof profile !== "object") {
        const known = Object.keys(profiles);
        throw new ConfigError(
          "cluster",
          `no connection profile named ${JSON.stringify(cluster)} in ontap:clusters (known: ${known.length ? known.join(", ") : "none"}).`,
          `pulumi config set --path 'ontap:clusters.${cluster}.host' <host>   (and .username, --secret .password)`,
        );
      }
      return this.build(profile, (field) => `ontap:clusters.${cluster}.${field}`, cluster);
    }
    const raw: RawProfile = {};
    const sources: Partial<Record<keyof RawProfile, string>> = {};
    for (const field of Object.keys(FLAT_KEYS) as Array<keyof RawProfile>) {
      const fromConfig = this.configValue(field);
      if (fromConfig !== undefined && fromConfig !== "") {
        raw[field] = fromConfig;
        sources[field] = `ontap:${field}`;
      } else if (this.#env[FLAT_KEYS[field]] !== undefined && this.#env[FLAT_KEYS[field]] !== "") {
        raw[field] = this.#env[FLAT_KEYS[field]];
        sources[field] = FLAT_KEYS[field];
      }
    }
    return this.build(raw, (field) => sources[field as keyof RawProfile] ?? `ontap:${field}`);
  }

  private build(raw: RawProfile, keyOf: (field: string) => string, cluster?: string): ResolvedConnection {
    if (raw.host === undefined)
      throw new ConfigError(
        keyOf("host"),
        "no cluster is configured.",
        cluster
          ? `pulumi config set --path 'ontap:clusters.${cluster}.host' <host>`
          : "pulumi config set ontap:host <cluster management address>   (or set ONTAP_HOST)",
      );
    const host = normalizeHost(raw.host, keyOf("host"));
    const auth = this.auth(raw, keyOf);
    const connection: ResolvedConnection = { host, auth: auth.auth, credentialSource: auth.source };
    const caCert = readPem(raw.caCert, keyOf("caCert"), "certificate");
    if (caCert !== undefined) connection.caCert = caCert;
    const insecure = parseBoolean(raw.insecure, keyOf("insecure"));
    if (insecure !== undefined) connection.insecure = insecure;
    const timeoutMs = parseWholeNumber(raw.timeoutMs, keyOf("timeoutMs"), 3_600_000);
    if (timeoutMs !== undefined) connection.timeoutMs = timeoutMs;
    const maxConcurrent = parseWholeNumber(raw.maxConcurrent, keyOf("maxConcurrent"), 256);
    if (maxConcurrent !== undefined) connection.maxConcurrent = maxConcurrent;
    const retry = retryPolicy(raw, keyOf);
    if (retry !== undefined) connection.retry = retry;
    if (cluster !== undefined) connection.cluster = cluster;
    return connection;
  }

  private auth(raw: RawProfile, keyOf: (field: string) => string): { auth: OntapAuth; source: string } {
    const secretFix = (field: string) => `pulumi config set --secret ${keyOf(field)} <value>`;
    const username = optionalString(
      raw.username,
      keyOf("username"),
      `pulumi config set ${keyOf("username")} <user>`,
    );
    const password = optionalString(raw.password, keyOf("password"), secretFix("password"));
    const token = optionalString(raw.token, keyOf("token"), secretFix("token"));
    const clientCert = readPem(raw.clientCert, keyOf("clientCert"), "certificate");
    const clientKey = readPem(raw.clientKey, keyOf("clientKey"), "key");
    const kinds = [
      username !== undefined || password !== undefined,
      token !== undefined,
      clientCert !== undefined || clientKey !== undefined,
    ];
    if (kinds.filter(Boolean).length > 1)
      throw new ConfigError(
        keyOf("token"),
        "more than one way to authenticate is configured (user/password, token, client certificate).",
        "keep exactly one of: username + password, token, clientCert + clientKey",
      );
    if (token !== undefined) return { auth: { kind: "token", token }, source: keyOf("token") };
    if (clientCert !== undefined || clientKey !== undefined) {
      if (!clientCert)
        throw new ConfigError(
          keyOf("clientCert"),
          "a client key is set without its certificate.",
          secretFix("clientCert"),
        );
      if (!clientKey)
        throw new ConfigError(
          keyOf("clientKey"),
          "a client certificate is set without its key.",
          secretFix("clientKey"),
        );
      return {
        auth: { kind: "certificate", certPem: clientCert, keyPem: clientKey },
        source: `${keyOf("clientCert")}/${keyOf("clientKey")}`,
      };
    }
    if (username === undefined)
      throw new ConfigError(
        keyOf("username"),
        "no credentials are configured.",
        `pulumi config set ${keyOf("username")} <user> && ${secretFix("password")}`,
      );
    if (password === undefined)
      throw new ConfigError(
        keyOf("password"),
        `user ${JSON.stringify(username)} has no password.`,
        secretFix("password"),
      );
    return {
      auth: { kind: "basic", username, password },
      source: `${keyOf("username")}/${keyOf("password")}`,
    };
  }
}
