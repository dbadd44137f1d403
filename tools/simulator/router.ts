/**
 * The route table: which handler answers which method on which path, and the shapes
 * handlers take and give. Handlers throw OntapError for ONTAP errors.
 */
import { apiNotFound, methodNotAllowed } from "./errors";
import type { JobQueue } from "./jobs";
import type { Cluster } from "./state";

/** What a handler sees of one request. */
export interface RequestContext {
  method: string;
  /** Path without query and without a trailing slash. */
  path: string;
  params: URLSearchParams;
  /** Parsed JSON body (undefined when empty); malformed bodies never reach handlers. */
  body: unknown;
  /** Decoded path parameters, in order. */
  args: string[];
  cluster: Cluster;
  jobs: JobQueue;
}

/** A response. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

/**
 * A validated write. The server decides when to apply it: now (synchronous), when a job
 * completes (async mode, after re-validating against the cluster as it is then), or never
 * (faults).
 */
export interface WritePlan {
  kind: "write";
  /** Job description, e.g. "POST /api/protocols/san/iscsi/services". */
  description: string;
  /** The Location of the created object (POST). */
  location?: string;
  apply(): Reply;
}

/** What a handler answers: a reply, or a write for the server to apply. */
export type Outcome = Reply | WritePlan;
/** One method of one route; throws OntapError. */
export type Handler = (ctx: RequestContext) => Outcome;

/** One path pattern and the handlers of its methods. */
export interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

/** Finds the handler for a request; throws ONTAP's 404 (code 4) or 405 (code 3). */
export function resolve(routes: Route[], method: string, path: string): { handler: Handler; args: string[] } {
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const handler = route.methods[method];
    if (!handler) throw methodNotAllowed(method, Object.keys(route.methods));
    return { handler, args: m.slice(1).map((s) => decodeURIComponent(s)) };
  }
  throw apiNotFound();
}

/** Whether a handler answered with a write to apply rather than a reply. */
export function isWritePlan(o: Outcome): o is WritePlan {
  return (o as WritePlan).kind === "write";
}

/** The 200 answer of a write without a body of its own. */
export const EMPTY_OK: Reply = { status: 200, body: {} };
