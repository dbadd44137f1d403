/**
 * Connection settings from stack config (`ontap:*`, profiles `ontap:clusters.<name>.*`) and,
 * for what config leaves unset, the environment: ONTAP_* for the default connection,
 * ONTAP_CLUSTERS_<PROFILE>_* for a profile. This module reads the values and
 * knows where each came from; what a good value is, is decided once, by the transport's
 * `checkConnection` (provider/ontap/connection.ts). Its OntapConfigError names a member of
 * the connection; here it becomes a ConfigError that names the config key or environment
 * variable the value came from, and the command that fixes it.
 */

import type * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import {
  type CheckedConnection,
  CONNECTION_LIMITS,
  checkConnection,
  type NumericSetting,
} from "./ontap/connection";
import { OntapConfigError } from "./ontap/errors";
import { HOST_FORM, parseHost } from "./ontap/host";
import type { OntapAuth, OntapConnection, RetryBounds } from "./ontap/types";

/** The stack config the Pulumi host hands the provider's `configure`: Pulumi's own dynamic-provider Config. */
export type StackConfig = pulumi.dynamic.Config;

/**
 * What ConnectionSettings reads stack config through: a StackConfig, or any reader with its
 * `get` (a program's `pulumi.Config`, a test's map). Values may be text, as the host gives
 * them, or already structured (an object for `ontap:clusters`).
 */
export type ConfigSource = StackConfig | { get(key: string): unknown };

/** The settings of one connection, as written in a profile (`ontap:clusters.<name>.<field>`) or flat (`ontap:<field>`). */
export type Field =
  | "host"
  | "username"
  | "password"
  | "token"
  | "clientCert"
  | "clientKey"
  | "caCert"
  | "insecure"
  | "timeoutMs"
  | "jobTimeoutMs"
  | "maxConcurrent"
  | "retries"
  | "retryMinDelayMs"
  | "retryMaxDelayMs"
  | "retryMaxTotalMs";

/** One connection profile as written in stack config, or the flat keys of the default connection. */
type RawProfile = Partial<Record<Field, unknown>>;

/** How a setting is written, for the fix an error gives. */
interface FieldSpec {
  /** The environment variable of the default connection. */
  env: string;
  /** The value the fix's command sets (a placeholder, or a suggestion). */
  value: string;
  /** Given with `pulumi config set --secret`. */
  secret?: boolean;
  /** PEM text or a file: the name of the file the fix reads. */
  pem?: string;
  /** What the value means, after the command. */
  note?: string;
  /** A number: the connection member whose bounds (CONNECTION_LIMITS) apply. */
  bounds?: NumericSetting;
}

function numberSpec(env: string, bounds: NumericSetting, unit: string): FieldSpec {
  const { min, max, default: fallback } = CONNECTION_LIMITS[bounds];
  return { env, value: `<${unit}>`, note: `${min} to ${max}; default ${fallback}`, bounds };
}

/** Every connection setting: its environment variable and how to set it. */
const FIELDS: Readonly<Record<Field, FieldSpec>> = {
  host: { env: "ONTAP_HOST", value: HOST_FORM },
  username: { env: "ONTAP_USERNAME", value: "<user>" },
  password: { env: "ONTAP_PASSWORD", value: "<password>", secret: true },
  token: { env: "ONTAP_TOKEN", value: "<bearer token>", secret: true },
  clientCert: { env: "ONTAP_CLIENT_CERT", value: "", pem: "client.pem" },
  clientKey: { env: "ONTAP_CLIENT_KEY", value: "", pem: "client.key", secret: true },
  caCert: { env: "ONTAP_CA_CERT", value: "", pem: "cluster-ca.pem" },
  insecure: {
    env: "ONTAP_INSECURE",
    value: "true",
    note: "or false, the default; true turns TLS certificate verification off for this connection: only on purpose",
  },
  timeoutMs: numberSpec("ONTAP_TIMEOUT_MS", "timeoutMs", "milliseconds"),
  jobTimeoutMs: numberSpec("ONTAP_JOB_TIMEOUT_MS", "jobTimeoutMs", "milliseconds"),
  maxConcurrent: numberSpec("ONTAP_MAX_CONCURRENT", "maxConcurrent", "requests"),
  retries: numberSpec("ONTAP_RETRIES", "retry.retries", "retries"),
  retryMinDelayMs: numberSpec("ONTAP_RETRY_MIN_DELAY_MS", "retry.minDelayMs", "milliseconds"),
  retryMaxDelayMs: numberSpec("ONTAP_RETRY_MAX_DELAY_MS", "retry.maxDelayMs", "milliseconds"),
  retryMaxTotalMs: numberSpec("ONTAP_RETRY_MAX_TOTAL_MS", "retry.maxTotalMs", "milliseconds"),
};

/** `ontap:preflight` / ONTAP_PREFLIGHT: a provider setting, not a connection's (no profile has it). */
const PREFLIGHT: FieldSpec = {
  env: "ONTAP_PREFLIGHT",
  value: "false",
  note: "or true, the default: check looks the SVM up, read-only, before a create",
};

/** The field each OntapConnection member checkConnection may name comes from. */
const FIELD_OF_SETTING: Readonly<Record<string, Field>> = {
  host: "host",
  "auth.username": "username",
  "auth.password": "password",
  "auth.token": "token",
  "auth.certPem": "clientCert",
  "auth.keyPem": "clientKey",
  caCert: "caCert",
  insecure: "insecure",
  timeoutMs: "timeoutMs",
  jobTimeoutMs: "jobTimeoutMs",
  maxConcurrent: "maxConcurrent",
  "retry.retries": "retries",
  "retry.minDelayMs": "retryMinDelayMs",
  "retry.maxDelayMs": "retryMaxDelayMs",
  "retry.maxTotalMs": "retryMaxTotalMs",
};

/** The numeric fields, by the member of the retry policy they set (undefined: a connection member). */
const NUMBER_FIELDS: ReadonlyArray<[Field, keyof RetryBounds | undefined]> = [
  ["timeoutMs", undefined],
  ["jobTimeoutMs", undefined],
  ["maxConcurrent", undefined],
  ["retries", "retries"],
  ["retryMinDelayMs", "minDelayMs"],
  ["retryMaxDelayMs", "maxDelayMs"],
  ["retryMaxTotalMs", "maxTotalMs"],
];

/**
 * The start of a profile's environment variables: `ONTAP_CLUSTERS_`, the profile's name in
 * upper case with every character but a letter or digit as `_`, and `_`
 * (`us-west.2` → `ONTAP_CLUSTERS_US_WEST_2_`).
 */
export function profileVariablePrefix(profile: string): string {
  return `ONTAP_CLUSTERS_${profile.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
}

/**
 * The environment variable a profile's setting is read from when the profile in stack config
 * does not set it: the default connection's variable with the profile in it
 * (`ontap:clusters.west.password` → `ONTAP_CLUSTERS_WEST_PASSWORD`).
 */
export function profileVariable(profile: string, field: Field): string {
  return `${profileVariablePrefix(profile)}${FIELDS[field].env.slice("ONTAP_".length)}`;
}

/** The checked settings of one cluster, without the network: what a client is built from. */
export interface ResolvedConnection extends CheckedConnection {
  /** Profile name, undefined for the default connection. */
  readonly cluster?: string;
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

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** Where a value came from: a config key (`ontap:…`) or an environment variable. */
function isEnvironmentVariable(key: string): boolean {
  return !key.startsWith("ontap:");
}

/** The command that sets `key` (a config key or an environment variable) as `spec` describes, with its note. */
function setCommand(key: string, spec: FieldSpec, withNote = true): string {
  const env = isEnvironmentVariable(key);
  let value = spec.value;
  let note = spec.note;
  if (spec.pem !== undefined) {
    value = env ? `/path/to/${spec.pem}` : `-- "$(cat ${spec.pem})"`;
    note = "PEM text, or the path of a PEM file";
  }
  let command: string;
  if (env) {
    command = `export ${key}=${value}`;
  } else {
    const inProfile = key.startsWith("ontap:clusters.");
    const flags = [spec.secret ? "--secret" : "", inProfile ? "--path" : ""].filter(Boolean);
    command = ["pulumi config set", ...flags, inProfile ? `'${key}'` : key, value].join(" ");
  }
  return note === undefined || !withNote ? command : `${command}   (${note})`;
}

/** `problem` as a sentence. */
function sentence(problem: string): string {
  return /[.!?]$/.test(problem) ? problem : `${problem}.`;
}

/** The transport's verdict on a value, naming the key it came from and the command that fixes it. */
function fromTransport(err: OntapConfigError, key: string, spec: FieldSpec | undefined): ConfigError {
  const command = spec === undefined ? undefined : setCommand(key, spec);
  // A PEM setting's command already says what it takes (PEM text, or a file's path).
  const hint = spec?.pem === undefined ? err.hint : undefined;
  const fix =
    command === undefined ? (hint ?? `correct ${key}`) : hint === undefined ? command : `${hint}: ${command}`;
  return new ConfigError(key, sentence(err.problem), fix);
}

/**
 * The canonical form of a host (provider/ontap/host.ts), or a ConfigError naming `key`.
 * For hosts that do not come from ConnectionSettings, such as one recorded in state.
 */
export function normalizeHost(value: unknown, key: string): string {
  try {
    return parseHost(value as string);
  } catch (err) {
    if (!(err instanceof OntapConfigError)) throw err;
    const fromSettings = key.startsWith("ontap:") || key.startsWith("ONTAP_");
    throw fromTransport(err, key, fromSettings ? FIELDS.host : undefined);
  }
}

/**
 * Resolves connection profiles from stack config (`ontap:*`, `ontap:clusters`) with the
 * environment as fallback for each setting config leaves unset (ONTAP_PASSWORD for the
 * default connection, ONTAP_CLUSTERS_WEST_PASSWORD for profile "west"); a profile never
 * reads the default connection's variables. Reads happen at call time,
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

  private profiles(): Record<string, unknown> {
    const raw = this.configValue("clusters");
    if (isAbsent(raw)) return {};
    if (typeof raw !== "object" || Array.isArray(raw))
      throw new ConfigError(
        "ontap:clusters",
        "must be an object mapping a profile name to {host, username, password, caCert, insecure, ...}.",
        `pulumi config set --path 'ontap:clusters.<name>.host' ${HOST_FORM}`,
      );
    return raw as Record<string, unknown>;
  }

  /** Whether `check` may look the SVM up before a create (`ontap:preflight`, ONTAP_PREFLIGHT; default true). */
  preflightEnabled(): boolean {
    const fromConfig = this.configValue("preflight");
    const [value, key] = isAbsent(fromConfig)
      ? [this.#env[PREFLIGHT.env], PREFLIGHT.env]
      : [fromConfig, "ontap:preflight"];
    return parseBoolean(value, key, PREFLIGHT) ?? true;
  }

  /**
   * Checked settings for a profile (undefined: the default connection). No network.
   * Resolved once per profile: every operation asks, and checking re-parses the CA
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
      const prefix = `ontap:clusters.${cluster}`;
      if (profile === undefined) {
        const known = Object.keys(profiles);
        throw new ConfigError(
          prefix,
          `no connection profile named ${JSON.stringify(cluster)} in ontap:clusters (known: ${known.length ? known.join(", ") : "none"}).`,
          `pulumi config set --path '${prefix}.host' ${HOST_FORM}   (and .username, --secret .password)`,
        );
      }
      if (typeof profile !== "object" || profile === null || Array.isArray(profile))
        throw new ConfigError(
          prefix,
          "must be an object of connection settings {host, username, password, ...}.",
          `pulumi config set --path '${prefix}.host' ${HOST_FORM}`,
        );
      const unknown = Object.keys(profile).find((field) => !(field in FIELDS));
      if (unknown !== undefined)
        throw new ConfigError(
          `${prefix}.${unknown}`,
          `is not a connection setting (known: ${Object.keys(FIELDS).join(", ")}).`,
          `pulumi config rm --path '${prefix}.${unknown}'   (or rename it to the setting meant)`,
        );
      const { raw, sources } = this.withEnvironment(
        profile as RawProfile,
        (field) => profileVariable(cluster, field),
        (field) => `${prefix}.${field}`,
      );
      if (Object.keys(sources).some((field) => isEnvironmentVariable(sources[field as Field] ?? "")))
        this.refuseSharedVariables(cluster, Object.keys(profiles));
      return this.build(raw, (field) => sources[field] ?? `${prefix}.${field}`, cluster);
    }
    const { raw, sources } = this.withEnvironment(
      Object.fromEntries((Object.keys(FIELDS) as Field[]).map((field) => [field, this.configValue(field)])),
      (field) => FIELDS[field].env,
      (field) => `ontap:${field}`,
    );
    return this.build(raw, (field) => sources[field] ?? `ontap:${field}`);
  }

  /**
   * Each setting from stack config, else from its environment variable: the values, and the
   * config key or variable each came from.
   */
  private withEnvironment(
    fromConfig: RawProfile,
    variable: (field: Field) => string,
    configKey: (field: Field) => string,
  ): { raw: RawProfile; sources: Partial<Record<Field, string>> } {
    const raw: RawProfile = {};
    const sources: Partial<Record<Field, string>> = {};
    for (const field of Object.keys(FIELDS) as Field[]) {
      const fromEnv = this.#env[variable(field)];
      if (!isAbsent(fromConfig[field])) {
        raw[field] = fromConfig[field];
        sources[field] = configKey(field);
      } else if (!isAbsent(fromEnv)) {
        raw[field] = fromEnv;
        sources[field] = variable(field);
      }
    }
    return { raw, sources };
  }

  /** Two profiles whose names differ only in case or punctuation would read each other's variables: refused. */
  private refuseSharedVariables(cluster: string, profiles: string[]): void {
    const prefix = profileVariablePrefix(cluster);
    const sharing = profiles.filter((other) => other !== cluster && profileVariablePrefix(other) === prefix);
    if (sharing.length > 0)
      throw new ConfigError(
        `ontap:clusters.${cluster}`,
        `its environment variables (${prefix}*) are also those of profile ${sharing.map((p) => JSON.stringify(p)).join(", ")}, so they cannot tell the two apart.`,
        "rename one of the profiles so that their names differ in letters or digits, or set these settings in stack config instead",
      );
  }

  private build(raw: RawProfile, keyOf: (field: Field) => string, cluster?: string): ResolvedConnection {
    const missing = (field: Field): string =>
      cluster === undefined
        ? `${setCommand(`ontap:${field}`, FIELDS[field])}; or: ${setCommand(FIELDS[field].env, FIELDS[field], false)}`
        : `${setCommand(`ontap:clusters.${cluster}.${field}`, FIELDS[field])}; or: ${setCommand(profileVariable(cluster, field), FIELDS[field], false)}`;
    if (isAbsent(raw.host))
      throw new ConfigError(keyOf("host"), "no cluster is configured.", missing("host"));
    const text = (field: Field) => optionalString(raw[field], keyOf(field), FIELDS[field]);
    const connection: OntapConnection = {
      host: text("host") ?? "",
      ...this.auth(keyOf, text, missing),
    };
    const caCert = text("caCert");
    if (caCert !== undefined) connection.caCert = caCert;
    const insecure = parseBoolean(raw.insecure, keyOf("insecure"), FIELDS.insecure);
    if (insecure !== undefined) connection.insecure = insecure;
    const retry: Partial<RetryBounds> = {};
    for (const [field, member] of NUMBER_FIELDS) {
      const n = wholeNumber(raw[field], keyOf(field), FIELDS[field]);
      if (n === undefined) continue;
      if (member !== undefined) retry[member] = n;
      else connection[field as "timeoutMs" | "jobTimeoutMs" | "maxConcurrent"] = n;
    }
    if (Object.keys(retry).length > 0) connection.retry = retry;
    let checked: CheckedConnection;
    try {
      checked = checkConnection(connection);
    } catch (err) {
      if (!(err instanceof OntapConfigError)) throw err;
      const field = FIELD_OF_SETTING[err.setting];
      // Every member the settings above can set has a field; anything else is a bug, shown as it is.
      if (field === undefined) throw err;
      throw fromTransport(err, keyOf(field), FIELDS[field]);
    }
    return Object.freeze(cluster === undefined ? { ...checked } : { ...checked, cluster });
  }

  /** Exactly one way to authenticate, from the keys given; the values themselves are checkConnection's. */
  private auth(
    keyOf: (field: Field) => string,
    text: (field: Field) => string | undefined,
    missing: (field: Field) => string,
  ): { auth: OntapAuth; credentialSource: string } {
    const username = text("username");
    const password = text("password");
    const token = text("token");
    const clientCert = text("clientCert");
    const clientKey = text("clientKey");
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
    if (token !== undefined) return { auth: { kind: "token", token }, credentialSource: keyOf("token") };
    if (clientCert !== undefined || clientKey !== undefined) {
      if (clientCert === undefined)
        throw new ConfigError(
          keyOf("clientCert"),
          "a client key is set without its certificate.",
          missing("clientCert"),
        );
      if (clientKey === undefined)
        throw new ConfigError(
          keyOf("clientKey"),
          "a client certificate is set without its key.",
          missing("clientKey"),
        );
      return {
        auth: { kind: "certificate", certPem: clientCert, keyPem: clientKey },
        credentialSource: `${keyOf("clientCert")}/${keyOf("clientKey")}`,
      };
    }
    if (username === undefined)
      throw new ConfigError(
        keyOf("username"),
        "no credentials are configured.",
        `${missing("username")}; and the password: ${missing("password")}`,
      );
    if (password === undefined)
      throw new ConfigError(
        keyOf("password"),
        `user ${JSON.stringify(username)} has no password.`,
        missing("password"),
      );
    return {
      auth: { kind: "basic", username, password },
      credentialSource: `${keyOf("username")}/${keyOf("password")}`,
    };
  }
}

function optionalString(value: unknown, key: string, spec: FieldSpec): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== "string")
    throw new ConfigError(key, `must be a string, got ${typeof value}.`, setCommand(key, spec));
  return value;
}

/** true or false, as a boolean or its text. */
function parseBoolean(value: unknown, key: string, spec: FieldSpec): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new ConfigError(key, `must be true or false, got ${JSON.stringify(value)}.`, setCommand(key, spec));
}

/** A whole number, as a number or its decimal text; its bounds are checkConnection's. */
function wholeNumber(value: unknown, key: string, spec: FieldSpec): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value);
  const limit = spec.bounds === undefined ? undefined : CONNECTION_LIMITS[spec.bounds];
  const range = limit === undefined ? "" : ` from ${limit.min} to ${limit.max}`;
  throw new ConfigError(
    key,
    `must be a whole number${range}, got ${JSON.stringify(value)}.`,
    setCommand(key, spec),
  );
}
