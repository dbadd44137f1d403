import { expect } from "chai";
import { type Answer, type CallOptions, call } from "../../../tools/simulator/client";
import {
  type SimulatorInstance,
  type SimulatorOptions,
  startSimulator,
} from "../../../tools/simulator/index";

/** A plain-HTTP simulator that records every request it did not expect, for `assertExpected`. */
export interface Strict {
  sim: SimulatorInstance;
  unexpected: string[];
}

/** Starts a plain-HTTP simulator that records the requests it did not expect. */
export async function startStrict(options: SimulatorOptions = {}): Promise<Strict> {
  const unexpected: string[] = [];
  const sim = await startSimulator({ http: true, ...options, onUnexpected: (line) => unexpected.push(line) });
  return { sim, unexpected };
}

/** Stops the simulator and fails the test if it saw a request it did not expect. */
export async function stopStrict(s: Strict | undefined): Promise<void> {
  if (!s) return;
  await s.sim.stop();
  expect(s.unexpected, "requests the simulator did not expect").to.deep.equal([]);
}

/** A request as the project's client sends it: `Accept: application/json`. */
export function callJson(sim: SimulatorInstance, method: string, path: string, opts: CallOptions = {}) {
  return call(sim, method, path, { ...opts, headers: { accept: "application/json", ...opts.headers } });
}

/** Asserts status, ONTAP code (a string) and, when given, the target. */
export function expectError(a: Answer, status: number, code: string, target?: string): void {
  expect(a.status, a.text).to.equal(status);
  expect(a.json).to.have.nested.property("error.code", code);
  expect(a.json).to.have.nested.property("error.message").that.is.a("string").and.not.empty;
  if (target !== undefined) expect(a.json).to.have.nested.property("error.target", target);
}

/** Resolves after `ms`. */
export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
