/**
 * Serving a request without a socket: the server's own request listener, handed a request
 * and a response that live in memory. What the pipeline does to a connection (a reset, a
 * hang, a client that gives up) becomes the answer's kind.
 */
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InProcessAnswer, InProcessRequest } from "./types";

/** The request listener the server runs (./server `requestListener`). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The part of {@link ServerResponse} the pipeline uses. */
class InMemoryResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  destroyed = false;
  readonly headers: Record<string, string> = {};

  constructor(private readonly onEnd: (res: InMemoryResponse, body: string) => void) {
    super();
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    return this;
  }

  end(body?: string): this {
    if (this.headersSent || this.destroyed) return this;
    this.headersSent = true;
    this.onEnd(this, body ?? "");
    this.close();
    return this;
  }

  /** The connection is gone: the pipeline's `close` listeners run once. */
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit("close");
  }
}

/** Serves `request` through `listener`; resolves with how it ended. */
export function dispatchInProcess(
  listener: RequestListener,
  request: InProcessRequest,
): Promise<InProcessAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: InProcessAnswer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const res = new InMemoryResponse((r, body) =>
      finish({ kind: "response", status: r.statusCode, headers: { ...r.headers }, body }),
    );
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const req = Object.assign(new EventEmitter(), {
      method: request.method,
      url: request.url,
      headers,
      socket: {
        encrypted: false,
        destroy: () => {
          res.close();
          finish({ kind: "reset" });
        },
      },
    });
    const { signal } = request;
    if (signal?.aborted) return finish({ kind: "aborted" });
    signal?.addEventListener(
      "abort",
      () => {
        res.close();
        finish({ kind: "aborted" });
      },
      { once: true },
    );
    listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    // The listener reads the body from its first synchronous part on.
    queueMicrotask(() => {
      if (request.body !== undefined && request.body !== "") req.emit("data", Buffer.from(request.body));
      req.emit("end");
    });
  });
}
