/**
 * The request pipeline: request log, concurrency cap, latency, faults, authentication,
 * the account's scope, routing, writes applied now or by a job, and the answer shaped
 * by `Accept` (HAL links only for clients that did not ask for plain `application/json`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AuthSettings, authenticate, type Principal, unauthorized } from "./auth";
import { parseJsonBody } from "./body";
import {
  apiNotFound,
  isApiNotFound,
  NotInRelease,
  notAuthorized,
  OntapError,
  tooManyRequests,
} from "./errors";
import { type FaultQueue, faultCode, unhandledFault } from "./faults";
import { type Job, type JobQueue, type JobResult, jobLink } from "./jobs";
import { parseReturnTimeout } from "./query";
import { isWritePlan, type Reply, type RequestContext, type Route, resolve, type WritePlan } from "./router";
import type { Cluster } from "./state";
import type { FaultSpec, RequestGate, RequestLogEntry } from "./types";

/** Everything the pipeline reads and updates; the Simulator object changes it live. */
export interface Controls {
  cluster: Cluster;
  jobs: JobQueue;
  faults: FaultQueue;
  routes: Route[];
  auth: AuthSettings;
  log: RequestLogEntry[];
  latencyMs: number;
  maxConcurrent: number | undefined;
  asyncJobs: { enabled: boolean; delayMs: number; pausedMs: number; held: boolean };
  /** Who the credentials act as. */
  principal: Principal;
  inFlight: number;
  peak: number;
  /** Aborted by stop(): pending sleeps and hangs end. */
  signal: AbortSignal;
  /** Reports a request the simulator did not expect. */
  unexpected: (line: string) => void;
  /** Holds each request before it is served (see {@link RequestGate}); none by default. */
  gate?: RequestGate;
}

/** Resolves true after `ms`, or false as soon as the simulator stops. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((done) => {
    if (signal.aborted) return done(false);
    const onAbort = () => {
      clearTimeout(timer);
      done(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      done(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function errorReply(e: OntapError): Reply {
  return { status: e.status, body: e.body(), headers: e.headers };
}

function faultReply(fault: FaultSpec, auth: AuthSettings): Reply {
  const status = fault.status ?? 500;
  if (status === 401) return unauthorized(auth);
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
  const message = fault.message ?? `Simulated fault: HTTP ${status}.`;
  return errorReply(new OntapError(status, faultCode(fault), message, undefined, headers));
}

/**
 * Whether the client asked for plain JSON: then ONTAP returns no HAL links except the
 * `next` link of a collection page [doc]. Any other Accept (hal+json, *\/*, none) gets HAL.
 */
export function wantsPlainJson(accept: string | undefined): boolean {
  const types = (accept ?? "").split(",").map((t) => t.split(";")[0].trim().toLowerCase());
  return types.includes("application/json") && !types.includes("application/hal+json");
}

/** Drops every `_links` except a collection's `_links.next`. */
export function withoutLinks(body: unknown, top = true): unknown {
  if (Array.isArray(body)) return body.map((v) => withoutLinks(v, false));
  if (typeof body !== "object" || body === null) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k !== "_links") out[k] = withoutLinks(v, false);
    else if (top && (v as { next?: unknown })?.next !== undefined)
      out[k] = { next: (v as { next: unknown }).next };
  }
  return out;
}

function encode(reply: Reply, plain: boolean): { text: string; type: string } {
  if (reply.body === null) return { text: "", type: plain ? "application/json" : "application/hal+json" };
  if (typeof reply.body === "string") return { text: reply.body, type: "text/plain" };
  if (plain) return { text: JSON.stringify(withoutLinks(reply.body ?? {})), type: "application/json" };
  return { text: JSON.stringify(reply.body ?? {}), type: "application/hal+json" };
}

function send(res: ServerResponse, reply: Reply, truncate = false, plain = false): void {
  if (res.headersSent || res.destroyed) return;
  let { text, type } = encode(reply, plain);
  // A response cut short mid-body: valid HTTP, invalid JSON.
  if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  res.statusCode = truncate ? 200 : reply.status;
  if (text !== "") res.setHeader("content-type", type);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.setHeader("content-length", Buffer.byteLength(text));
  // Node sends no body for HEAD, but keeps GET's headers (content-length included).
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => done(Buffer.concat(chunks).toString("utf8")));
  });
}

function logBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function logHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === "authorization" || name === "proxy-authorization" || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The reply of a write that ran as a job the client waited for: its body carries the job. */
function withJob(reply: Reply, job: Job): Reply {
  const body = typeof reply.body === "object" && reply.body !== null ? reply.body : {};
  return { ...reply, body: { ...body, ...jobLink(job) } };
}

/**
 * Runs a write: now, or through a job (async mode, or a job-failure fault). A job's work
 * validates again against the cluster as it is then. Without `return_timeout` the answer
 * is 202 with the job at once; with it ONTAP waits that long: a job that ended answers
 * as the synchronous write would, plus the job link [ansible], else 202.
 */
async function runWrite(
  c: Controls,
  ctx: RequestContext,
  plan: WritePlan,
  entry: RequestLogEntry,
  fault: FaultSpec | undefined,
): Promise<Reply> {
  const failing = fault?.kind === "job-failure";
  if (!c.asyncJobs.enabled && !failing) {
    const reply = plan.apply();
    entry.applied = true;
    c.cluster.syncSessions();
    return reply;
  }
  let done: Reply | undefined;
  let refusal: OntapError | undefined;
  const work = (): JobResult => {
    if (failing)
      return { ok: false, code: faultCode(fault), message: fault.message ?? "Simulated job failure." };
    try {
      const again = resolve(c.routes, ctx.method, ctx.path, ctx.cluster.settings.release).handler(ctx);
      done = isWritePlan(again) ? again.apply() : again;
      entry.applied = isWritePlan(again);
      c.cluster.syncSessions();
      return { ok: true };
    } catch (e) {
      if (!(e instanceof OntapError)) throw e;
      refusal = e;
      return { ok: false, code: e.code, message: e.message, error: e };
    }
  };
  const { delayMs, pausedMs, held } = c.asyncJobs;
  const job = c.jobs.start(plan.description, { delayMs, pausedMs, held }, work, plan.svm);
  entry.job = job.uuid;
  const accepted: Reply = {
    status: 202,
    body: jobLink(job),
    headers: plan.location ? { location: plan.location } : {},
  };
  const timeout = parseReturnTimeout(ctx.params);
  if (timeout === undefined || timeout === 0) return accepted;
  // Wait for the job or the timeout, whichever comes first; the loser's timer is cleared.
  const waiting = new AbortController();
  const onStop = () => waiting.abort();
  c.signal.addEventListener("abort", onStop, { once: true });
  const ended = await Promise.race([
    c.jobs.done(job).then(() => true),
    sleep(timeout * 1000, waiting.signal).then(() => false),
  ]);
  waiting.abort();
  c.signal.removeEventListener("abort", onStop);
  if (c.signal.aborted) return { status: 0 };
  if (!ended) return accepted;
  if (refusal) throw refusal;
  if (done) return withJob(done, job);
  // A job-failure fault: the job failed without an ONTAP error of the write's own.
  throw new OntapError(400, faultCode(fault as FaultSpec), job.message);
}

async function route(
  c: Controls,
  req: IncomingMessage,
  entry: RequestLogEntry,
  raw: string,
  fault?: FaultSpec,
) {
  const {
    route: matched,
    handler,
    args,
  } = resolve(c.routes, entry.method, entry.path, c.cluster.settings.release);
  if (matched.clusterScoped && c.principal.kind === "svm") throw notAuthorized();
  const params = new URL(req.url ?? "/", "http://simulator").searchParams;
  const ctx: RequestContext = {
    method: entry.method,
    path: entry.path,
    params,
    body: parseJsonBody(raw),
    args,
    cluster: c.cluster,
    jobs: c.jobs,
    principal: c.principal,
  };
  const outcome = handler(ctx);
  return isWritePlan(outcome) ? runWrite(c, ctx, outcome, entry, fault) : outcome;
}

async function handle(c: Controls, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://simulator");
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
  const method = (req.method ?? "GET").toUpperCase();
  const raw = await readBody(req);
  const plain = wantsPlainJson(req.headers.accept);
  if (path !== "/api" && !path.startsWith("/api/")) {
    c.unexpected(`ONTAP simulator: no such path: ${method} ${req.url}`);
    return send(res, errorReply(apiNotFound()), false, plain);
  }
  const entry: RequestLogEntry = {
    method,
    path,
    query: Object.fromEntries(url.searchParams),
    body: logBody(raw),
    status: 0,
    headers: logHeaders(req),
    applied: false,
  };
  c.log.push(entry);
  const finish = (reply: Reply, truncate = false) => {
    if (reply.status === 0) return;
    entry.status = truncate ? 200 : reply.status;
    send(res, reply, truncate, plain);
  };
  if (c.maxConcurrent !== undefined && c.inFlight >= c.maxConcurrent)
    return finish(errorReply(tooManyRequests(1)));
  c.inFlight++;
  c.peak = Math.max(c.peak, c.inFlight);
  res.once("close", () => c.inFlight--);
  if (c.gate) await c.gate(entry);
  if (c.latencyMs > 0 && !(await sleep(c.latencyMs, c.signal))) return;

  const fault = c.faults.take(method, path);
  if (fault) entry.fault = fault.kind;
  // The faults that take the place of the request: it is neither authenticated nor routed.
  const kind = fault?.kind;
  switch (kind) {
    case "http-error":
      return finish(faultReply(fault as FaultSpec, c.auth));
    case "reset-before":
      return void req.socket.destroy();
    case "hang": {
      const ms = fault?.ms;
      if (ms !== undefined) void sleep(ms, c.signal).then((ok) => ok && req.socket.destroy());
      return;
    }
    // Served further on: by the write's job (runWrite), or on the reply (below).
    case "job-failure":
    case "reset-after":
    case "malformed-json":
    case undefined:
      break;
    default:
      return unhandledFault(kind);
  }
  if (!authenticate(c.auth, req)) return finish(unauthorized(c.auth));

  let reply: Reply;
  try {
    reply = await route(c, req, entry, raw, fault);
  } catch (e) {
    if (!(e instanceof OntapError)) throw e;
    if (isApiNotFound(e) && !(e instanceof NotInRelease)) {
      c.unexpected(`ONTAP simulator: no such API: ${method} ${path}`);
    } else if (e.status === 405) {
      c.unexpected(`ONTAP simulator: method not supported: ${method} ${path}`);
    }
    reply = errorReply(e);
  }
  // The faults that act on the reply.
  switch (kind) {
    case "reset-after":
      return void req.socket.destroy();
    case "malformed-json":
      return finish(reply, true);
    // Served by the write's job (runWrite); the kinds served in place of the request
    // returned above, and the type of `kind` here no longer has them.
    case "job-failure":
    case undefined:
      return finish(reply);
    default:
      return unhandledFault(kind);
  }
}

/** The server's request listener. */
export function requestListener(c: Controls): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(c, req, res).catch((e: unknown) => {
      process.stderr.write(`ONTAP simulator: internal error: ${(e as Error).stack ?? e}\n`);
      send(res, errorReply(new OntapError(500, "262145", `Unexpected exception: ${(e as Error).message}`)));
    });
  };
}
