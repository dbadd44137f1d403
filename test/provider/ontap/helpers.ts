/**
 * What the transport tests share: a simulator per test, a client for it with a fast retry
 * policy, a logger that records every line, a virtual clock, and a way to catch a
 * rejection as a value.
 */

import { OntapClient } from "../../../provider/ontap/client";
import type { Clock } from "../../../provider/ontap/clock";
import type { OntapConnection, OntapLogger, RetryBounds } from "../../../provider/ontap/types";
import type { RequestLogEntry, Simulator } from "../../../tools/simulator/index";

/** The iSCSI services collection. */
export { SERVICES } from "../../../tools/simulator/client";

/** Backoffs of a few ms, so that retry tests take no time; bounds still apply. */
export const FAST_RETRY: RetryBounds = { retries: 3, minDelayMs: 5, maxDelayMs: 2_000, maxTotalMs: 10_000 };

/** A logger that keeps every line. */
export interface CapturingLogger extends OntapLogger {
  readonly lines: Array<{ level: "debug" | "warn"; message: string }>;
  warnings(): string[];
}

/** A fresh CapturingLogger. */
export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger["lines"] = [];
  return {
    lines,
    debug: (message) => lines.push({ level: "debug", message }),
    warn: (message) => lines.push({ level: "warn", message }),
    warnings: () => lines.filter((l) => l.level === "warn").map((l) => l.message),
  };
}

/** A client for `sim` trusting its CA, with the default user, FAST_RETRY and `overrides`, on `clock` if given. */
export function clientFor(
  sim: Simulator,
  overrides: Partial<OntapConnection> = {},
  clock?: Clock,
): OntapClient {
  return clientAt(
    sim.host,
    { ...(sim.caCert === undefined ? {} : { caCert: sim.caCert }), ...overrides },
    clock,
  );
}

/**
 * A clock whose time moves only when the code under test waits: each `sleep` adds its
 * milliseconds at once (yielding to I/O once), and is kept in `waits`. An aborted signal
 * rejects a sleep with the signal's reason, before or after it.
 */
export interface VirtualClock extends Clock {
  /** Every wait asked for, in order. */
  readonly waits: number[];
}

/** A fresh VirtualClock at 0. */
export function virtualClock(): VirtualClock {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      waits.push(ms);
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    },
  };
}

/** Keeps every client a test makes, so that one call closes them all (sockets, timers). */
export function clientTracker(): { track(client: OntapClient): OntapClient; closeAll(): void } {
  const clients: OntapClient[] = [];
  return {
    track(client) {
      clients.push(client);
      return client;
    },
    closeAll() {
      for (const client of clients.splice(0)) client.close();
    },
  };
}

/** A client for any host, with the simulator's default user and FAST_RETRY, on `clock` if given. */
export function clientAt(host: string, overrides: Partial<OntapConnection> = {}, clock?: Clock): OntapClient {
  return new OntapClient(
    {
      host,
      auth: { kind: "basic", username: "admin", password: "netapp123" },
      retry: FAST_RETRY,
      credentialSource: 'stack config "ontap:username"/"ontap:password"',
      ...overrides,
    },
    clock,
  );
}

export { rejectionOf } from "../../support/rejection";

/** The requests the simulator received with this method and path. */
export function sent(sim: Simulator, method: string, path: string): RequestLogEntry[] {
  return sim.requests.filter((r) => r.method === method && r.path === path);
}

/** Milliseconds `fn` took, with its result or rejection. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const result = await fn();
    return { ms: performance.now() - start, result };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}
