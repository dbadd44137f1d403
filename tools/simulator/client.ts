/**
 * A bare HTTP(S) client for the conformance tests: Node's own http/https, trusting the
 * simulator's CA, nothing of the provider's code. Every export is test-only.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { getPath } from "./filter";
import { SERVICES_PATH } from "./routes/service-record";
import type { Simulator } from "./types";

/** One answer. `json` is the parsed body (undefined when it is not JSON). */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** How to send one request. */
export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as-is (for malformed JSON). */
  raw?: string;
  /** An Authorization header value; null sends none. Default: Basic admin:netapp123. */
  auth?: string | null;
  /** A client certificate and key (PEM). */
  cert?: { cert: string; key: string };
  headers?: Record<string, string>;
  /** Give up after this many ms (rejects with "timeout"). */
  timeoutMs?: number;
}

/**
 * An Authorization header for HTTP Basic.
 * @internal test-only
 */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/**
 * Sends one request; rejects when the connection fails or is reset.
 * @internal test-only
 */
export function call(sim: Simulator, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = { accept: "application/hal+json", ...opts.headers };
  const auth = opts.auth === undefined ? basic("admin", "netapp123") : opts.auth;
  if (auth !== null) headers.authorization = auth;
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  const url = new URL(path, sim.url);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { method, headers, agent: false, ca: sim.caCert, cert: opts.cert?.cert, key: opts.cert?.key },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    if (opts.timeoutMs !== undefined) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error("timeout")));
    req.end(payload);
  });
}

/**
 * A value inside a parsed body by dotted path ("records.0.svm.name").
 * @internal test-only
 */
export function field(json: unknown, path: string): unknown {
  return getPath(json, path);
}

/**
 * The ONTAP error code of an answer.
 * @internal test-only
 */
export function codeOf(a: Answer): unknown {
  return getPath(a.json, "error.code");
}

/**
 * The iSCSI service collection path (as the simulator routes it).
 * @internal test-only
 */
export const SERVICES = SERVICES_PATH;
