/**
 * Reading one connection setting's value (for ./config): text or structured as the engine
 * gives it, checked for its type (string, boolean, whole number), and the transport's
 * verdict on a value ({@link OntapConfigError}) turned into a {@link ConfigError} that names the config key
 * or environment variable it came from and the command that fixes it.
 */

import { type FieldSpec, setCommand } from "./connection-fields";
import { ConfigError } from "./errors";
import type { OntapConfigError } from "./errors/transport";
import { CONNECTION_LIMITS } from "./ontap/connection";

/** Values arrive as text (`"true"`, `'{"a":1}'`) or structured, depending on the engine: accept both. */
export function parseStructured(value: unknown): unknown {
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

export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** `problem` as a sentence. */
function sentence(problem: string): string {
  return /[.!?]$/.test(problem) ? problem : `${problem}.`;
}

/** The transport's verdict on a value, naming the key it came from and the command that fixes it. */
export function fromTransport(err: OntapConfigError, key: string, spec: FieldSpec | undefined): ConfigError {
  const command = spec === undefined ? undefined : setCommand(key, spec);
  // A PEM setting's command already says what it takes (PEM text, or a file's path).
  const hint = spec?.pem === undefined ? err.hint : undefined;
  const fix =
    command === undefined ? (hint ?? `correct ${key}`) : hint === undefined ? command : `${hint}: ${command}`;
  return new ConfigError(key, sentence(err.problem), fix);
}

export function optionalString(value: unknown, key: string, spec: FieldSpec): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== "string")
    throw new ConfigError(key, `must be a string, got ${typeof value}.`, setCommand(key, spec));
  return value;
}

/** true or false, as a boolean or its text. */
export function parseBoolean(value: unknown, key: string, spec: FieldSpec): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new ConfigError(key, `must be true or false, got ${JSON.stringify(value)}.`, setCommand(key, spec));
}

/** A whole number, as a number or its decimal text; its bounds are checkConnection's. */
export function wholeNumber(value: unknown, key: string, spec: FieldSpec): number | undefined {
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
