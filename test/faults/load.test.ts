import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../provider";
import type { TestCluster } from "../support/cluster";
import { fastCluster, inputs, settle } from "./helpers";
import { type CountingProxy, startCountingProxy } from "./load-proxy";

const SVMS = 500;
/** The provider's default per-cluster cap, above the cluster's: the cluster sheds load with 429. */
const CLIENT_CAP = 8;
const CLUSTER_CAP = 4;
/**
 * Above the default 5, for margin only: the client halves its cap when the cluster sheds
 * load and earns it back one slot per period (provider/ontap/semaphore.ts); in our runs that
 * cut the 429s from ~900 to ~300-500 and the worst request needed 4 retries.
 */
const RETRIES = 8;
const LOAD_CONFIG = {
  "ontap:maxConcurrent": String(CLIENT_CAP),
  "ontap:timeoutMs": "5000",
  "ontap:retries": String(RETRIES),
  "ontap:retryMinDelayMs": "5",
  // Caps the simulator's `Retry-After: 1` at 100 ms, so 500 operations finish in seconds.
  "ontap:retryMaxDelayMs": "100",
  "ontap:retryMaxTotalMs": "30000",
};

/** What one phase cost. */
interface PhaseStats {
  phase: string;
  operations: number;
  requests: number;
  tooMany: number;
  /** The most retries any one request needed. */
  worstRetries: number;
  otherErrors: number;
  clusterPeak: number;
  clientPeak: number;
  ms: number;
}

const names = Array.from({ length: SVMS }, (_, i) => `svm${i}`);

describe(`load: ${SVMS} SVMs, client cap ${CLIENT_CAP}, cluster cap ${CLUSTER_CAP} (429 beyond it)`, () => {
  let c: TestCluster;
  let proxy: CountingProxy;
  const stats: PhaseStats[] = [];
  const outs = new Map<string, IscsiServiceOutputs>();

  before(async () => {
    c = await fastCluster({ svms: names }, LOAD_CONFIG);
    proxy = await startCountingProxy(c.sim.host);
    await c.reconfigure({ "ontap:host": proxy.host });
    c.sim.setMaxConcurrent(CLUSTER_CAP);
    // A little service time, so that requests overlap at the cluster as they do on a real one.
    c.sim.setLatency(5);
  });
  after(async () => {
    await proxy?.stop();
    await c?.stop();
  });

  /** Runs `ops` at once; every one must succeed. */
  async function phase(name: string, ops: Array<() => Promise<unknown>>): Promise<void> {
    c.sim.clearRequests();
    c.logs.length = 0;
    proxy.resetPeak();
    const start = performance.now();
    const results = await Promise.all(ops.map((op) => settle(op())));
    const ms = performance.now() - start;
    const failed = results.flatMap((r) => (r.ok ? [] : [r.error.message]));
    const requests = c.sim.requests;
    stats.push({
      phase: name,
      operations: ops.length,
      requests: requests.length,
      tooMany: requests.filter((r) => r.status === 429).length,
      worstRetries: Math.max(0, ...c.logs.map((l) => Number(/on attempt (\d+); retrying/.exec(l)?.[1] ?? 0))),
      otherErrors: requests.filter((r) => r.status >= 400 && r.status !== 429).length,
      clusterPeak: c.sim.peakConcurrency,
      clientPeak: proxy.peak,
      ms,
    });
    expect(failed.slice(0, 3), `${failed.length} of ${ops.length} failed`).to.deep.equal([]);
    const last = stats[stats.length - 1];
    expect(last.otherErrors, "no answer but 429 was an error").to.equal(0);
    expect(last.clientPeak, "requests in flight at the client").to.be.at.most(CLIENT_CAP);
    expect(last.clusterPeak, "requests in flight at the cluster").to.be.at.most(CLUSTER_CAP);
    // Bounded by the policy: no request retried more than `retries` times.
    expect(last.worstRetries, "retries of the worst request").to.be.at.most(RETRIES);
  }

  it(`creates ${SVMS} services at once: each exactly once`, async () => {
    await phase(
      "create",
      names.map((svmName, i) => async () => {
        const { outs: o } = await c.provider.create(inputs({ svmName, targetAlias: `a${i}` }));
        outs.set(svmName, o as IscsiServiceOutputs);
      }),
    );
    expect(c.sim.requests.filter((r) => r.method === "POST" && r.applied)).to.have.length(SVMS);
    expect(c.sim.services()).to.have.length(SVMS);
    for (const [i, name] of names.entries()) {
      const live = c.sim.service(name);
      expect(live).to.include({ enabled: true, alias: `a${i}` });
      expect(outs.get(name)).to.include({ svmUuid: live?.svmUuid, targetName: live?.iqn });
    }
  });

  it(`runs ${SVMS} mixed operations at once: reads, alias updates, disables, deletes`, async () => {
    const quarter = SVMS / 4;
    const kind = (i: number) => ["read", "alias", "disable", "delete"][Math.floor(i / quarter)];
    const read = new Map<string, unknown>();
    await phase(
      "mixed",
      names.map((name, i) => async () => {
        const olds = outs.get(name) as IscsiServiceOutputs;
        if (kind(i) === "read") read.set(name, (await c.provider.read(olds.svmUuid, olds)).props);
        if (kind(i) === "alias")
          outs.set(
            name,
            (await c.provider.update(olds.svmUuid, olds, inputs({ svmName: name, targetAlias: `b${i}` })))
              .outs as IscsiServiceOutputs,
          );
        if (kind(i) === "disable")
          outs.set(
            name,
            (
              await c.provider.update(
                olds.svmUuid,
                olds,
                inputs({ svmName: name, targetAlias: `a${i}`, enabled: false }),
              )
            ).outs as IscsiServiceOutputs,
          );
        if (kind(i) === "delete") {
          await c.provider.delete(olds.svmUuid, olds);
          outs.delete(name);
        }
      }),
    );
    for (const [i, name] of names.entries()) {
      const live = c.sim.service(name);
      const expected = {
        read: { enabled: true, alias: `a${i}` },
        alias: { enabled: true, alias: `b${i}` },
        disable: { enabled: false, alias: `a${i}` },
        delete: undefined,
      }[kind(i) as "read" | "alias" | "disable" | "delete"];
      if (expected === undefined) expect(live, name).to.equal(undefined);
      else expect(live, name).to.include(expected);
      if (kind(i) === "read") expect(read.get(name)).to.deep.equal(outs.get(name));
    }
    expect(c.sim.services()).to.have.length(SVMS - quarter);
  });

  it("deletes the rest at once: nothing left", async () => {
    const rest = [...outs.values()];
    await phase(
      "delete",
      rest.map((olds) => () => c.provider.delete(olds.svmUuid, olds)),
    );
    expect(c.sim.requests.filter((r) => r.method === "DELETE" && r.applied)).to.have.length(rest.length);
    expect(c.sim.services()).to.deep.equal([]);
  });

  it("needed a bounded number of retries in all, and reports them", () => {
    const total = stats.reduce(
      (t, s) => ({
        operations: t.operations + s.operations,
        requests: t.requests + s.requests,
        tooMany: t.tooMany + s.tooMany,
        ms: t.ms + s.ms,
      }),
      { operations: 0, requests: 0, tooMany: 0, ms: 0 },
    );
    const peak = (key: "clusterPeak" | "clientPeak" | "worstRetries") =>
      Math.max(...stats.map((s) => s[key]));
    console.log(
      `\n  load: ${total.operations} operations (${stats.map((s) => `${s.phase} ${s.operations}`).join(", ")}), ` +
        `${total.requests} requests, ${total.tooMany} answered 429 (262160) and retried ` +
        `(at most ${peak("worstRetries")} retries for one request; policy ${RETRIES}), ` +
        `peak in flight ${peak("clientPeak")} (cap ${CLIENT_CAP}) at the client, ${peak("clusterPeak")} (cap ${CLUSTER_CAP}) admitted by the cluster, ` +
        `${Math.round(total.ms)} ms\n  ${stats.map((s) => JSON.stringify(s)).join("\n  ")}`,
    );
    expect(stats.map((s) => s.phase)).to.deep.equal(["create", "mixed", "delete"]);
    expect(total.tooMany, "the cluster shed load: the retries were exercised").to.be.greaterThan(0);
    expect(peak("worstRetries")).to.be.at.most(RETRIES);
  });
});
