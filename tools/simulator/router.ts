/**
 * The route table: which handler answers which method on which path, and the shapes
 * handlers take and give. Handlers throw OntapError for ONTAP errors. HEAD is GET
 * without the body; OPTIONS lists an endpoint's methods.
 */
import type { Principal } from "./auth";
import { apiNotFound, apiNotInRelease, methodNotAllowed } from "./errors";
import type { JobQueue } from "./jobs";
import { type OntapRelease, type RouteId, routeExists } from "./releases";
import type { Cluster, Svm } from "./state";

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
  /** Who is calling. */
  principal: Principal;
}

/** A response. `body: null` sends none. */
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
  /** The SVM the write works on (a job's `svm`), when there is one. */
  svm?: { name: string; uuid: string };
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
  /** Set on routes that not every release has (./releases). */
  id?: RouteId;
  /** Cluster-scoped: SVM-scoped accounts get 403 (code 6). */
  clusterScoped?: boolean;
}

/** The methods an endpoint answers, as OPTIONS and 405's Allow list them. */
export function allowedMethods(route: Route): string[] {
  const methods = Object.keys(route.methods);
  if (route.methods.GET) methods.push("HEAD");
  methods.push("OPTIONS");
  return methods;
}

/**
 * Finds the handler for a request; throws ONTAP's 404 (code 3) for a path the release
 * does not have, 405 (code 3) for a method the path does not take.
 */
export function resolve(
  routes: Route[],
  method: string,
  path: string,
  release: OntapRelease,
): { route: Route; handler: Handler; args: string[] } {
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.id !== undefined && !routeExists(release, route.id)) throw apiNotInRelease();
    const args = m.slice(1).map((s) => decodeURIComponent(s));
    if (method === "OPTIONS") {
      const allow = allowedMethods(route).join(", ");
      return { route, args, handler: () => ({ status: 200, body: null, headers: { allow } }) };
    }
    const handler = route.methods[method === "HEAD" ? "GET" : method];
    if (!handler) throw methodNotAllowed(method, allowedMethods(route));
    return { route, handler, args };
  }
  throw apiNotFound();
}

/** Whether a handler answered with a write to apply rather than a reply. */
export function isWritePlan(o: Outcome): o is WritePlan {
  return (o as WritePlan).kind === "write";
}

/** The 200 answer of a write without a body of its own. */
export const EMPTY_OK: Reply = { status: 200, body: {} };

/** Whether the caller may see an SVM (an SVM-scoped account sees only its own). */
export function canSee(ctx: RequestContext, svm: Svm | { uuid: string }): boolean {
  return ctx.principal.kind === "cluster" || ctx.principal.svmUuid === svm.uuid;
}
