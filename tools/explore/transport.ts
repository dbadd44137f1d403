/**
 * The explorer's transport: the provider's HTTP client (provider/ontap/client.ts) runs
 * unchanged — retries, job polling, timeouts, error classes — but its `fetch` hands each
 * request to an in-process simulator (`Simulator.dispatch`) instead of a socket. Nothing
 * then waits on the network, so under the virtual clock (./clock) a schedule replays
 * exactly, and thousands of them take minutes.
 *
 * The substitution is a `require` hook for the client's fetch loader
 * (provider/ontap/fetch.ts), installed before the provider is first loaded, in the
 * explorer's own process only (tools/explore/main.ts). As no TLS
 * connection is ever made there, the TLS contexts the client builds for its agents (about
 * a millisecond each, several per run) are built once per distinct set of options.
 */
import Module from "node:module";
import tls from "node:tls";
import type { InProcessAnswer, Simulator } from "../simulator/types";

/** What the provider's client passes to fetch and reads from its response (node-fetch's API). */
interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

let route: (host: string) => Simulator | undefined = () => undefined;

/** Where requests go from now on: the simulator serving each `host[:port]`, or undefined (ENOTFOUND). */
export function routeRequests(to: (host: string) => Simulator | undefined): void {
  route = to;
}

/** node-fetch's FetchError for a failure below HTTP, as the client classifies it (by `code`). */
function systemError(url: string, reason: string, code: string): Error {
  return Object.assign(new Error(`request to ${url} failed, reason: ${reason}`), {
    name: "FetchError",
    type: "system",
    code,
    errno: code,
  });
}

function answerOf(url: string, answer: InProcessAnswer): FetchResponse {
  if (answer.kind === "aborted")
    throw Object.assign(new Error("The operation was aborted."), { name: "AbortError", type: "aborted" });
  if (answer.kind === "reset") throw systemError(url, "socket hang up", "ECONNRESET");
  const { status, headers, body } = answer;
  return { status, headers: { get: (name) => headers[name.toLowerCase()] ?? null }, text: async () => body };
}

/** A fetch that serves each request from the simulator its host routes to. */
export async function inProcessFetch(url: string, init: FetchInit = {}): Promise<FetchResponse> {
  const target = new URL(url);
  const sim = route(target.host);
  if (!sim?.dispatch) throw systemError(url, `getaddrinfo ENOTFOUND ${target.hostname}`, "ENOTFOUND");
  const answer = await sim.dispatch({
    method: init.method ?? "GET",
    url: `${target.pathname}${target.search}`,
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  });
  return answerOf(url, answer);
}

type Load = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;

/** tls.createSecureContext, once per distinct options: contexts are never used for a connection here. */
function memoizeSecureContexts(): void {
  const create = tls.createSecureContext;
  const made = new Map<string, tls.SecureContext>();
  tls.createSecureContext = (options?: tls.SecureContextOptions) => {
    const key = JSON.stringify(options ?? {});
    let context = made.get(key);
    if (!context) {
      context = create(options);
      made.set(key, context);
    }
    return context;
  };
}

const CLIENT_FILE = /[\\/]provider[\\/]ontap[\\/]client\.js$/;

/**
 * Makes the provider's client, when this process later loads it, send every request with
 * {@link inProcessFetch}: its `require("./fetch")` gets a loader that answers {@link inProcessFetch}
 * at once (no extra await, so schedules replay as before). Throws when the client was
 * loaded already (it would keep the real fetch).
 */
export function installInProcessFetch(): void {
  const client = Object.keys(require.cache).find((file) => CLIENT_FILE.test(file));
  if (client) throw new Error(`the provider's client was loaded before the in-process fetch: ${client}`);
  memoizeSecureContexts();
  const loader = Module as unknown as { _load: Load };
  const original = loader._load;
  loader._load = function load(this: unknown, request, parent, isMain) {
    if (request === "./fetch" && CLIENT_FILE.test(parent?.filename ?? ""))
      return { nodeFetch: () => inProcessFetch };
    return original.call(this, request, parent, isMain);
  };
}
