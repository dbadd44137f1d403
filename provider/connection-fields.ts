/**
 * The connection settings as a person writes them (./config reads them): each setting's
 * name in stack config, its environment variable (ONTAP_* for the default connection,
 * ONTAP_CLUSTERS_<PROFILE>_* for a profile), the connection member it sets, and the
 * command that sets it, for the fix an error gives. A table of names, apart from the
 * reading, so that the two can be read, and changed, one at a time.
 */

import { CONNECTION_LIMITS, type NumericSetting } from "./ontap/connection";
import { HOST_FORM } from "./ontap/host";
import type { RetryBounds } from "./ontap/types";

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
export type RawProfile = Partial<Record<Field, unknown>>;

/** How a setting is written, for the fix an error gives. */
export interface FieldSpec {
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
  /** A number: the connection member whose bounds ({@link CONNECTION_LIMITS}) apply. */
  bounds?: NumericSetting;
}

function numberSpec(env: string, bounds: NumericSetting, unit: string): FieldSpec {
  const { min, max, default: fallback } = CONNECTION_LIMITS[bounds];
  return { env, value: `<${unit}>`, note: `${min} to ${max}; default ${fallback}`, bounds };
}

/** Every connection setting: its environment variable and how to set it. */
export const FIELDS: Readonly<Record<Field, FieldSpec>> = {
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
export const PREFLIGHT: FieldSpec = {
  env: "ONTAP_PREFLIGHT",
  value: "false",
  note: "or true, the default: check looks the SVM up, read-only, before a create",
};

/** The field each OntapConnection member checkConnection may name comes from. */
export const FIELD_OF_SETTING: Readonly<Record<string, Field>> = {
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
export const NUMBER_FIELDS: ReadonlyArray<[Field, keyof RetryBounds | undefined]> = [
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

/** Where a value came from: a config key (`ontap:…`) or an environment variable. */
export function isEnvironmentVariable(key: string): boolean {
  return !key.startsWith("ontap:");
}

/** The command that sets `key` (a config key or an environment variable) as `spec` describes, with its note. */
export function setCommand(key: string, spec: FieldSpec, withNote = true): string {
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
