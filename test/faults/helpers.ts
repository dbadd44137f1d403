/**
 * What the fault tests share: a provider on a simulator with a short timeout and a fast
 * retry policy (set through stack config, as a user would), settling a promise into a
 * value, and the cluster facts every test asserts on.
 */
import { expect } from "chai";
import type { IscsiServiceInputs, IscsiServiceOutputs } from "../../provider";
import type { ServiceState, Simulator, SimulatorOptions } from "../../tools/simulator/types";
import { startCluster, type TestCluster } from "../support/cluster";

/** The iSCSI services collection. */
export { SERVICES } from "../../tools/simulator/client";

/**
 * Stack config that makes faults cheap: a 300 ms request timeout and retries after a few
 * ms. The 1 s delay cap still honors a `Retry-After: 1` in full.
 */
export const FAST_CONFIG: Readonly<Record<string, string>> = Object.freeze({
  "ontap:timeoutMs": "300",
  "ontap:retries": "3",
  "ontap:retryMinDelayMs": "5",
  "ontap:retryMaxDelayMs": "1000",
  "ontap:retryMaxTotalMs": "5000",
});

/** A simulator and a provider configured with FAST_CONFIG plus `extra`. */
export function fastCluster(
  options: SimulatorOptions = {},
  extra: Record<string, unknown> = {},
): Promise<TestCluster> {
  return startCluster(options, { ...FAST_CONFIG, ...extra });
}

/** What a call produced: its value, or what it threw. */
export type Settled<T> = { ok: true; value: T; ms: number } | { ok: false; error: Error; ms: number };

/** Runs `promise` to its end without throwing. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  const start = performance.now();
  try {
    const value = await promise;
    return { ok: true, value, ms: performance.now() - start };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(`non-Error thrown: ${String(err)}`);
    return { ok: false, error, ms: performance.now() - start };
  }
}

export { inputs } from "../support/cluster";
export { rejectionOf as rejection } from "../support/rejection";

/** Runs `check` for a new resource as the engine does, expecting it to pass; returns the checked inputs. */
export async function checked(c: TestCluster, raw: Record<string, unknown>): Promise<IscsiServiceInputs> {
  const result = await c.provider.check({}, raw);
  expect(result.failures ?? [], "check failures").to.deep.equal([]);
  return result.inputs as IscsiServiceInputs;
}

/** Creates a service through the provider (check, then create) in a run of its own, and forgets the requests it took. */
export async function seeded(c: TestCluster, raw: Record<string, unknown>): Promise<IscsiServiceOutputs> {
  const { outs } = await c.provider.create(await checked(c, raw));
  await c.newRun();
  c.sim.clearRequests();
  return outs as IscsiServiceOutputs;
}

/** Writes that changed the cluster, by method. */
export function appliedWrites(sim: Simulator, method: "POST" | "PATCH" | "DELETE"): number {
  return sim.requests.filter((r) => r.method === method && r.applied).length;
}

/** Asserts that outputs say exactly what the cluster holds. */
export function expectTruthful(outs: IscsiServiceOutputs | undefined, live: ServiceState | undefined): void {
  expect(live, "the service the outputs describe exists").to.not.equal(undefined);
  expect(outs, "outputs").to.not.equal(undefined);
  if (!outs || !live) return;
  expect({
    svmUuid: outs.svmUuid,
    svmName: outs.svmName,
    enabled: outs.enabled,
    targetAlias: outs.targetAlias,
    targetName: outs.targetName,
  }).to.deep.equal({
    svmUuid: live.svmUuid,
    svmName: live.svmName,
    enabled: live.enabled,
    targetAlias: live.alias,
    targetName: live.iqn,
  });
}
