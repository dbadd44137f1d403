/**
 * ONTAP error bodies: `{"error": {"message", "code", "arguments", "target"}}` with `code` a
 * string and `arguments` the values ONTAP put into the message, as every ONTAP REST
 * endpoint answers them.
 */

/** One value substituted into an ONTAP error message. */
export interface ErrorArgument {
  code: string;
  message: string;
}

/** The body of an ONTAP error. */
export interface ErrorBody {
  error: { message: string; code: string; arguments?: ErrorArgument[]; target?: string };
}

/** An ONTAP error the simulator answers with; thrown by handlers, rendered by the server. */
export class OntapError extends Error {
  /** The values substituted into the message, in order; empty for fixed messages. */
  readonly arguments: string[];

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly headers: Record<string, string> = {},
    args: string[] = [],
  ) {
    super(message);
    this.name = "OntapError";
    this.arguments = args;
  }

  /** The JSON body ONTAP sends for this error. */
  body(): ErrorBody {
    const error: ErrorBody["error"] = { message: this.message, code: this.code };
    if (this.arguments.length > 0) error.arguments = this.arguments.map((message) => ({ code: "", message }));
    if (this.target !== undefined) error.target = this.target;
    return { error };
  }
}

/** An error with message arguments: `ontapError(400, "2621462", ["svm1"], (a) => ...)`. */
export function withArguments(
  status: number,
  code: string,
  args: string[],
  message: (...args: string[]) => string,
  target?: string,
): OntapError {
  return new OntapError(status, code, message(...args), target, {}, args);
}

/** 262179: a field or query parameter ONTAP does not know. */
export function unexpectedArgument(name: string): OntapError {
  return withArguments(400, "262179", [name], (n) => `Unexpected argument "${n}".`, name);
}

/** 262196: a known field that cannot be set by this operation (read-only, or identity in PATCH). */
export function cannotSet(name: string, operation: "POST" | "PATCH"): OntapError {
  return withArguments(
    400,
    "262196",
    [name],
    (n) => `Field "${n}" cannot be set in this operation (${operation}).`,
    name,
  );
}

/** 262185: a value of the wrong type or outside its allowed range. */
export function invalidValue(name: string, value: unknown, expected: string): OntapError {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return withArguments(
    400,
    "262185",
    [shown, name],
    (v, n) => `"${v}" is an invalid value for field "${n}" (${expected}).`,
    name,
  );
}

/** 262197: a name in `fields=` the release does not know, in ONTAP's wording [obs]. */
export function invalidFieldsValue(name: string): OntapError {
  return withArguments(
    400,
    "262197",
    [name, "fields", "<field,...>"],
    (v, f, form) => `The value "${v}" is invalid for field "${f}" (${form})`,
    "fields",
  );
}

/** 262199: the request body is not valid JSON (or not a JSON object). */
export function invalidJson(detail: string): OntapError {
  return new OntapError(400, "262199", `Invalid JSON input: ${detail}.`);
}

/** Code 3 on an unknown URL under /api (or one the release does not have), as ONTAP answers it [obs]. */
export function apiNotFound(): OntapError {
  return new OntapError(404, "3", "API not found");
}

/** "API not found" for an endpoint the simulated release does not have yet: an expected answer. */
export class NotInRelease extends OntapError {}

/** The answer for an endpoint a later release introduced. */
export function apiNotInRelease(): OntapError {
  return new NotInRelease(404, "3", "API not found");
}

/** Whether an error is the "API not found" answer. */
export function isApiNotFound(e: OntapError): boolean {
  return e.status === 404 && e.code === "3" && e.message === "API not found";
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

/** Code 6: the account's role does not allow the call [obs]. */
export function notAuthorized(): OntapError {
  return new OntapError(403, "6", "not authorized for that command");
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
