/**
 * ONTAP error bodies: `{"error": {"message", "code", "target"}}` with `code` a string,
 * as every ONTAP REST endpoint answers them.
 */

/** An ONTAP error the simulator answers with; thrown by handlers, rendered by the server. */
export class OntapError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "OntapError";
  }

  /** The JSON body ONTAP sends for this error. */
  body(): { error: { message: string; code: string; target?: string } } {
    const error: { message: string; code: string; target?: string } = {
      message: this.message,
      code: this.code,
    };
    if (this.target !== undefined) error.target = this.target;
    return { error };
  }
}

/** 262179: a field or query parameter ONTAP does not know. */
export function unexpectedArgument(name: string): OntapError {
  return new OntapError(400, "262179", `Unexpected argument "${name}".`, name);
}

/** 262196: a known field that cannot be set by this operation (read-only, or identity in PATCH). */
export function cannotSet(name: string, operation: "POST" | "PATCH"): OntapError {
  return new OntapError(
    400,
    "262196",
    `Field "${name}" cannot be set in this operation (${operation}).`,
    name,
  );
}

/** 262185: a value of the wrong type or outside its allowed range. */
export function invalidValue(name: string, value: unknown, expected: string): OntapError {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return new OntapError(
    400,
    "262185",
    `"${shown}" is an invalid value for field "${name}" (${expected}).`,
    name,
  );
}

/** 262199: the request body is not valid JSON (or not a JSON object). */
export function invalidJson(detail: string): OntapError {
  return new OntapError(400, "262199", `Invalid JSON input: ${detail}.`);
}

/** Code 4 on an unknown URL under /api, as ONTAP answers it. */
export function apiNotFound(): OntapError {
  return new OntapError(404, "4", "API not found");
}

/** Code 3: the path exists but does not take this method. */
export function methodNotAllowed(method: string, allowed: string[]): OntapError {
  return new OntapError(405, "3", `The API does not support the "${method}" method.`, undefined, {
    allow: allowed.join(", "),
  });
}

/** Code 4: an object addressed by path that does not exist (generic ONTAP form). */
export function entryNotFound(target = "uuid"): OntapError {
  return new OntapError(404, "4", "entry doesn't exist", target);
}

/** 262160: the server-side cap on concurrent requests (answered with Retry-After). */
export function tooManyRequests(retryAfterSeconds: number): OntapError {
  return new OntapError(
    429,
    "262160",
    "Too many requests are being processed. Retry the request after a short delay.",
    undefined,
    { "retry-after": String(retryAfterSeconds) },
  );
}
