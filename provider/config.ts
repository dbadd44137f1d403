/**
 * Connection settings from stack config (`ontap:*`, profiles `ontap:clusters.<name>.*`) and,
 * for what config leaves unset, the environment: ONTAP_* for the default connection,
 * ONTAP_CLUSTERS_<PROFILE>_* for a profile. This module reads the values and
 * knows where each came from; what a good value is, is decided once, by the transport's
 * {@link checkConnection} (provider/ontap/connection.ts). Its {@link OntapConfigError} names a member of
 * the connection; here it becomes a {@link ConfigError} that names the config key or environment
 * variable the value came from, and the command that fixes it.
 *
 * The table of settings (names, environment variables, fix commands) is
 * ./connection-fields'; the reading of one value is ./connection-values'.
 */

import type * as pulumi from "@pulumi/pulumi";
import {
  FIELD_OF_SETTING,
  FIELDS,
  type Field,
  isEnvironmentVariable,
  NUMBER_FIELDS,
  PREFLIGHT,
  profileVariable,
  profileVariablePrefix,
  type RawProfile,
  setCommand,
} from "./connection-fields";
import {
  fromTransport,
  isAbsent,
  optionalString,
  parseBoolean,
  parseStructured,
  wholeNumber,
} from "./connection-values";
import { ConfigError } from "./errors";
import { OntapConfigError } from "./errors/transport";
import { type CheckedConnection, checkConnection } from "./ontap/connection";
import { HOST_FORM, parseHost } from "./ontap/host";
import type { OntapAuth, OntapConnection, RetryBounds } from "./ontap/types";

// The names of the settings are ./connection-fields', exported from here as before.
export { profileVariable } from "./connection-fields";

/** The stack config the Pulumi host hands the provider's `configure`: Pulumi's own dynamic-provider Config. */
export type StackConfig = pulumi.dynamic.Config;

/**
 * What {@link ConnectionSettings} reads stack config through: a {@link StackConfig}, or any reader with its
 * `get` (a program's `pulumi.Config`, a test's map). Values may be text, as the host gives
 * them, or already structured (an object for `ontap:clusters`).
 */
export type ConfigSource = StackConfig | { get(key: string): unknown };

/** The checked settings of one cluster, without the network: what a client is built from. */
export interface ResolvedConnection extends CheckedConnection {
  /** Profile name, undefined for the default connection. */
  readonly cluster?: string;
}

/**
 * The canonical form of a host (provider/ontap/host.ts), or a {@link ConfigError} naming `key`.
 * For hosts that do not come from {@link ConnectionSettings}, such as one recorded in state.
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
   * new {@link ConnectionSettings}); a PEM given as a path is read when first needed.
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

  /** Exactly one way to authenticate, from the keys given; the values themselves are {@link checkConnection}'s. */
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
