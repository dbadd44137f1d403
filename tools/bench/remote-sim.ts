import { type ChildProcess, fork } from "node:child_process";
import * as path from "node:path";
import type { ServiceState, SimulatorOptions } from "../simulator";
import type { SimCommand, SimReply } from "./sim-child";

/** One request as the simulator saw it (the fields the benchmark reads). */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

/** What the simulator saw since the last `clearRequests`. */
export interface RequestLog {
  requests: SeenRequest[];
  /** Most requests in progress at once. */
  peakConcurrency: number;
  /** Requests the simulator did not expect (unknown paths or methods). */
  unexpected: string[];
}

/** A simulator running in a child process, with the controls the benchmark needs. */
export interface RemoteSimulator {
  /** "127.0.0.1:<port>". */
  readonly host: string;
  /** PEM of the CA that signed the simulator's certificate. */
  readonly caCert: string;
  requests(): Promise<RequestLog>;
  clearRequests(): Promise<void>;
  setLatency(ms: number): Promise<void>;
  services(): Promise<ServiceState[]>;
  stop(): Promise<void>;
}

/** Each command without the id the channel adds (distributed over the union). */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
type Command = WithoutId<SimCommand>;

/** Starts the simulator (HTTPS, port 0) in a child process; always `stop()` it. */
export async function startRemoteSimulator(
  options: Omit<SimulatorOptions, "onUnexpected" | "http">,
): Promise<RemoteSimulator> {
  const child: ChildProcess = fork(path.join(__dirname, "sim-child.js"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [],
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  child.on("message", (message: SimReply) => {
    const waiter = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(new Error(`simulator child: ${message.error}`));
  });
  child.once("exit", (code, signal) => {
    for (const waiter of waiting.values())
      waiter.reject(new Error(`simulator child exited (code ${code}, signal ${signal})`));
    waiting.clear();
  });
  const call = <T>(command: Command): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...command, id } as SimCommand);
    });

  let started: { host: string; caCert: string };
  try {
    started = await call({ op: "start", options });
  } catch (err) {
    child.kill();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    host: started.host,
    caCert: started.caCert,
    requests: () => call<RequestLog>({ op: "requests" }),
    clearRequests: () => call<void>({ op: "clearRequests" }),
    setLatency: (ms) => call<void>({ op: "setLatency", ms }),
    services: () => call<ServiceState[]>({ op: "services" }),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        call<void>({ op: "stop" }).catch(() => child.kill());
      });
      return stopped;
    },
  };
}
