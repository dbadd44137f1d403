/**
 * Virtual time for the explorer's process. Once installed, every timer (setTimeout,
 * setInterval, setImmediate, node:timers/promises' setTimeout), Date.now, performance.now
 * and Math.random of the process are the clock's: time moves only when the explorer moves
 * it, and random numbers come from a seed. With no socket in play (./transport), what the
 * provider and the simulator do next then depends on the schedule alone, so a schedule
 * replays exactly. Node's own internals keep the real timers.
 */
import { AsyncResource } from "node:async_hooks";
import timersPromises from "node:timers/promises";

/** A pending timer; `seq` orders timers due at the same time by when they were set. */
interface Timer {
  id: number;
  at: number;
  seq: number;
  run: () => void;
  /** For setInterval: the period. */
  every?: number;
}

/** What setTimeout returns here: enough of Node's Timeout for the code that holds one. */
class VirtualTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

type Callback = (...args: unknown[]) => void;

/** 2025-01-01T00:00:00Z: where virtual time starts. */
const EPOCH = Date.UTC(2025, 0, 1);

const real = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
  dateNow: Date.now,
  performanceNow: performance.now.bind(performance),
  random: Math.random,
  sleep: timersPromises.setTimeout,
};

/** The wall clock, whatever is installed: for measuring the explorer itself. */
export function wallNow(): number {
  return real.performanceNow();
}

/** Resolves after the event loop has run every pending promise reaction and nextTick. */
export function realTurn(): Promise<void> {
  return new Promise((resolve) => real.setImmediate(resolve));
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted", { cause: signal.reason }), {
    name: "AbortError",
    code: "ABORT_ERR",
  });
}

/** mulberry32: a small seeded generator, enough for jitter. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The process's virtual clock. One at a time may be installed. */
export class VirtualClock {
  #now = EPOCH;
  #seq = 0;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();
  /** Errors thrown by timer callbacks, which would have been uncaught exceptions. */
  readonly errors: unknown[] = [];

  /** Virtual ms since the epoch. */
  get now(): number {
    return this.#now;
  }

  /** Takes over the process's timers, clocks and Math.random (seeded with `seed`). */
  install(seed: number): void {
    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = (fn: Callback, ms?: number, ...args: unknown[]) =>
      new VirtualTimeout(this.#add(() => fn(...args), Math.max(1, ms ?? 1)));
    g.setInterval = (fn: Callback, ms?: number, ...args: unknown[]) => {
      const every = Math.max(1, ms ?? 1);
      return new VirtualTimeout(this.#add(() => fn(...args), every, every));
    };
    g.setImmediate = (fn: Callback, ...args: unknown[]) =>
      new VirtualTimeout(this.#add(() => fn(...args), 0));
    const clear = (t: unknown) => {
      if (t instanceof VirtualTimeout) this.#timers.delete(t.id);
      else if (typeof t === "number") this.#timers.delete(t);
    };
    g.clearTimeout = clear;
    g.clearInterval = clear;
    g.clearImmediate = clear;
    Date.now = () => this.#now;
    performance.now = () => this.#now - EPOCH;
    Math.random = seeded(seed);
    (timersPromises as { setTimeout: unknown }).setTimeout = <T>(
      ms?: number,
      value?: T,
      options: { signal?: AbortSignal } = {},
    ): Promise<T | undefined> =>
      new Promise((resolve, reject) => {
        const { signal } = options;
        if (signal?.aborted) return reject(abortError(signal));
        const onAbort = () => {
          this.#timers.delete(id);
          reject(abortError(signal as AbortSignal));
        };
        const id = this.#add(
          () => {
            signal?.removeEventListener("abort", onAbort);
            resolve(value);
          },
          Math.max(1, ms ?? 1),
        );
        signal?.addEventListener("abort", onAbort, { once: true });
      });
  }

  /** Gives the process its real timers and clocks back. */
  uninstall(): void {
    Object.assign(globalThis, {
      setTimeout: real.setTimeout,
      clearTimeout: real.clearTimeout,
      setInterval: real.setInterval,
      clearInterval: real.clearInterval,
      setImmediate: real.setImmediate,
      clearImmediate: real.clearImmediate,
    });
    Date.now = real.dateNow;
    performance.now = real.performanceNow;
    Math.random = real.random;
    (timersPromises as { setTimeout: unknown }).setTimeout = real.sleep;
  }

  /** Forgets every timer (between schedules: nothing of the last one may fire in the next). */
  reset(seed: number): void {
    this.#timers.clear();
    this.#now = EPOCH;
    Math.random = seeded(seed);
  }

  /** When the next timer is due, or undefined when none is set. */
  nextAt(): number | undefined {
    return this.#earliest()?.at;
  }

  /**
   * Lets every promise chain run, then every timer already due, oldest first, until
   * nothing is due: the process is then idle until time moves or something is released.
   */
  async settle(): Promise<void> {
    for (;;) {
      await realTurn();
      const due = this.#earliest();
      if (!due || due.at > this.#now) return;
      this.#fire(due);
    }
  }

  /** Moves time to the next timer and runs what is due then; false when no timer is set. */
  async advance(): Promise<boolean> {
    const next = this.#earliest();
    if (!next) return false;
    this.#now = Math.max(this.#now, next.at);
    await this.settle();
    return true;
  }

  /** Lets `ms` of virtual time pass, running each timer due in it in order. */
  async pass(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      await this.settle();
      const next = this.#earliest();
      if (!next || next.at > until) break;
      this.#now = next.at;
    }
    this.#now = until;
    await this.settle();
  }

  #add(fn: () => void, delay: number, every?: number): number {
    const id = this.#nextId++;
    // Bound to the async context that set it, as Node's timers are (AsyncLocalStorage).
    const run = AsyncResource.bind(fn);
    this.#timers.set(id, { id, at: this.#now + delay, seq: this.#seq++, run, ...(every ? { every } : {}) });
    return id;
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers.values())
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  #fire(timer: Timer): void {
    if (timer.every) {
      timer.at += timer.every;
      timer.seq = this.#seq++;
    } else this.#timers.delete(timer.id);
    try {
      timer.run();
    } catch (err) {
      this.errors.push(err);
    }
  }
}
