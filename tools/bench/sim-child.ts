/**
 * Child-process half of `startRemoteSimulator` (./remote-sim.ts): runs one simulator and
 * answers the parent's requests over the IPC channel. The benchmark keeps the simulator
 * out of its own process so that neither the simulator's CPU time nor its event loop
 * counts towards what the provider is measured to cost.
 */

import type { SimulatorInstance, SimulatorOptions } from "../simulator";
import { startSimulator } from "../simulator";

/** A request the parent sends; `id` pairs it with its reply. */
export type SimCommand =
  | { id: number; op: "start"; options: Omit<SimulatorOptions, "onUnexpected"> }
  | { id: number; op: "requests" }
  | { id: number; op: "clearRequests" }
  | { id: number; op: "setLatency"; ms: number }
  | { id: number; op: "services" }
  | { id: number; op: "stop" };

/** The child's answer to one command. */
export type SimReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

let sim: SimulatorInstance | undefined;
const unexpected: string[] = [];

function running(): SimulatorInstance {
  if (!sim) throw new Error("the simulator has not been started");
  return sim;
}

async function handle(command: SimCommand): Promise<unknown> {
  switch (command.op) {
    case "start":
      sim = await startSimulator({ ...command.options, onUnexpected: (line) => unexpected.push(line) });
      return { host: sim.host, caCert: sim.caCert };
    case "requests":
      return {
        requests: running().requests.map(({ method, path, query, body, status }) => ({
          method,
          path,
          query,
          body,
          status,
        })),
        peakConcurrency: running().peakConcurrency,
        unexpected: unexpected.splice(0),
      };
    case "clearRequests":
      running().clearRequests();
      return undefined;
    case "setLatency":
      running().setLatency(command.ms);
      return undefined;
    case "services":
      return running().services();
    case "stop":
      await sim?.stop();
      return undefined;
  }
}

function reply(message: SimReply, after: () => void = () => {}): void {
  process.send?.(message, after);
}

// Only as a forked child: test runners given the whole directory load this module too.
if (require.main === module) {
  process.on("message", (command: SimCommand) => {
    handle(command).then(
      (value) =>
        reply({ id: command.id, ok: true, value }, command.op === "stop" ? () => process.exit(0) : undefined),
      (err: unknown) => reply({ id: command.id, ok: false, error: (err as Error).stack ?? String(err) }),
    );
  });
  // The parent went away: nothing left to serve.
  process.on("disconnect", () => process.exit(0));
}
