/**
 * The request pipeline: request log, concurrency cap, latency, faults, authentication,
 * routing, and writes applied now or by a job.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AuthSettings, authenticate, unauthorized } from "./auth";
import { parseJsonBody } from "./body";
import { apiNotFound, OntapError, tooManyRequests } from "./errors";
import { type FaultQueue, faultCode } from "./faults";
import { type JobQueue, jobAccepted } from "./jobs";
import { parseReturnTimeout } from "./query";
import { isWritePlan, type Reply, type RequestContext, type Route, resolve, type WritePlan } from "./router";
import type { Cluster } from "./state";
import type { FaultSpec, RequestLogEntry } from "./types";

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
  asyncJobs: { enabled: boolean; delayMs: number };
  inFlight: number;
  peak: number;
  /** Aborted by stop(): pending sleeps and hangs end. */
  signal: AbortSignal;
  /** Reports a request the simulator did not expect. */
  unexpected: (line: string) => void;
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

function encode(reply: Reply): { text: string; type: string } {
  if (typeof reply.body === "string") return { text: reply.body, type: "text/plain" };
  return { text: JSON.stringify(reply.body ?? {}), type: "application/hal+json" };
}

function send(res: ServerResponse, reply: Reply, truncate = false): void {
  if (res.headersSent || res.destroyed) return;
  let { text, type } = encode(reply);
  // A response cut short mid-body: valid HTTP, invalid JSON.
  if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  res.statusCode = truncate ? 200 : reply.status;
  res.setHeader("content-type", type);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.setHeader("content-length", Buffer.byteLength(text));
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

/** Runs a write: now, through a job (async mode), or as a job that fails (fault). */
async function runWrite(
  c: Controls,
  ctx: RequestContext,
  plan: WritePlan,
  entry: RequestLogEntry,
  fault: FaultSpec | undefined,
): Promise<Reply> {
  const accepted = (job: ReturnType<JobQueue["start"]>): Reply => ({
    status: 202,
    body: jobAccepted(job),
    headers: plan.location ? { location: plan.location } : {},
  });
  if (fault?.kind === "job-failure") {
    const message = fault.message ?? "Simulated job failure.";
    return accepted(
      c.jobs.start(plan.description, c.asyncJobs.delayMs, () => ({
        ok: false,
        code: faultCode(fault),
        message,
      })),
    );
  }
  if (c.asyncJobs.enabled) {
    const timeout = parseReturnTimeout(ctx.params);
    // ONTAP waits up to return_timeout seconds before falling back to a job.
    if (timeout !== undefined && timeout * 1000 >= c.asyncJobs.delayMs) {
      if (!(await sleep(c.asyncJobs.delayMs, c.signal))) return { status: 0 };
      const again = resolve(c.routes, ctx.method, ctx.path).handler(ctx);
      const reply = isWritePlan(again) ? again.apply() : again;
      entry.applied = isWritePlan(again);
      return reply;
    } else {
      const handler = resolve(c.routes, ctx.method, ctx.path).handler;
      return accepted(
        c.jobs.start(plan.description, c.asyncJobs.delayMs, () => {
          try {
            // The cluster may have changed since the request: validate again, as the job would.
            const again = handler(ctx);
            if (isWritePlan(again)) again.apply();
            entry.applied = true;
            return { ok: true };
          } catch (e) {
            if (e instanceof OntapError) return { ok: false, code: e.code, message: e.message };
            throw e;
          }
        }),
      );
    }
  }
  const reply = plan.apply();
  entry.applied = true;
  return reply;
}

async function route(
  c: Controls,
  req: IncomingMessage,
  entry: RequestLogEntry,
  raw: string,
  fault?: FaultSpec,
) {
  const { handler, args } = resolve(c.routes, entry.method, entry.path);
  const params = new URL(req.url ?? "/", "http://simulator").searchParams;
  const ctx: RequestContext = {
    method: entry.method,
    path: entry.path,
    params,
    body: parseJsonBody(raw),
    args,
    cluster: c.cluster,
    jobs: c.jobs,
  };
  const outcome = handler(ctx);
  return isWritePlan(outcome) ? runWrite(c, ctx, outcome, entry, fault) : outcome;
}

async function handle(c: Controls, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://simulator");
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
  const method = (req.method ?? "GET").toUpperCase();
  const raw = await readBody(req);
  if (path !== "/api" && !path.startsWith("/api/")) {
    c.unexpected(`ONTAP simulator: no such path: ${method} ${req.url}`);
    return send(res, errorReply(apiNotFound()));
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
    send(res, reply, truncate);
  };
  if (c.maxConcurrent !== undefined && c.inFlight >= c.maxConcurrent)
    return finish(errorReply(tooManyRequests(1)));
  c.inFlight++;
  c.peak = Math.max(c.peak, c.inFlight);
  res.once("close", () => c.inFlight--);
  if (c.latencyMs > 0 && !(await sleep(c.latencyMs, c.signal))) return;

  const fault = c.faults.take(method, path);
  if (fault) entry.fault = fault.kind;
  if (fault?.kind === "http-error") return finish(faultReply(fault, c.auth));
  if (fault?.kind === "reset-before") return void req.socket.destroy();
  if (fault?.kind === "hang") {
    if (fault.ms !== undefined) void sleep(fault.ms, c.signal).then((ok) => ok && req.socket.destroy());
    return;
  }
  if (!authenticate(c.auth, req)) return finish(unauthorized(c.auth));

  let reply: Reply;
  try {
    reply = await route(c, req, entry, raw, fault);
  } catch (e) {
    if (!(e instanceof OntapError)) throw e;
    if (e.status === 404 && e.code === "4" && e.message === "API not found") {
      c.unexpected(`ONTAP simulator: no such API: ${method} ${path}`);
    } else if (e.status === 405) {
      c.unexpected(`ONTAP simulator: method not supported: ${method} ${path}`);
    }
    reply = errorReply(e);
  }
  if (fault?.kind === "reset-after") return void req.socket.destroy();
  finish(reply, fault?.kind === "malformed-json");
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
