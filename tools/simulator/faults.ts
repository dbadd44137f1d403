/**
 * Injected faults: each spec serves its next `times` matching requests, first injected
 * first served. A string `path` matches that path and everything under it; a RegExp is
 * tested against the path. "job-failure" only matches writes (POST, PATCH, DELETE).
 *
 * Every `switch` over a {@link FaultKind} (here, and where ./server.ts applies the fault)
 * ends in {@link unhandledFault}: a kind added to the type does not compile until each
 * of them says what it does.
 */
import type { FaultKind, FaultSpec } from "./types";

const WRITES = new Set(["POST", "PATCH", "DELETE"]);

/** Default ONTAP codes of an injected "http-error" by status. */
const DEFAULT_CODES: Record<number, string> = {
  400: "2",
  403: "6",
  404: "4",
  409: "8",
  429: "262160",
  500: "262145",
  502: "65552",
  503: "7",
  504: "65541",
};

/** The ONTAP code an injected http-error carries. */
export function faultCode(fault: FaultSpec): string {
  return fault.code ?? DEFAULT_CODES[fault.status ?? 500] ?? "262145";
}

/**
 * The end of an exhaustive `switch` over {@link FaultKind}: `kind` is `never` there, so
 * a kind without a case is a compile error; should one arrive anyway, it throws.
 */
export function unhandledFault(kind: never): never {
  throw new Error(`ONTAP simulator: no handler for the fault kind ${JSON.stringify(kind)}`);
}

/** Whether a fault of this kind can serve a request of this method. */
function servesMethod(kind: FaultKind, method: string): boolean {
  switch (kind) {
    case "job-failure":
      // Only a write starts a job.
      return WRITES.has(method);
    case "http-error":
    case "reset-before":
    case "reset-after":
    case "hang":
    case "malformed-json":
      return true;
    default:
      return unhandledFault(kind);
  }
}

function matches(fault: FaultSpec, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  if (!servesMethod(fault.kind, method)) return false;
  if (fault.path instanceof RegExp) return fault.path.test(path);
  if (typeof fault.path === "string")
    return path === fault.path || path.startsWith(`${fault.path.replace(/\/$/, "")}/`);
  return true;
}

/** The pending faults of one simulator. */
export class FaultQueue {
  private faults: Array<{ spec: FaultSpec; left: number }> = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new Error(`FaultSpec.times must be a positive integer, got ${times}`);
    this.faults.push({ spec: { ...spec }, left: times });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault this request gets, if any (consuming one of its `times`). */
  take(method: string, path: string): FaultSpec | undefined {
    const entry = this.faults.find((f) => matches(f.spec, method, path));
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left === 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.spec;
  }
}
