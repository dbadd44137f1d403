import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../provider";
import { SNAPSHOT_MAX_AGE_MS } from "../../provider/iscsi/batch";
import { recordedState } from "../../tools/bench/recorded-state";
import { SERVICES } from "../../tools/simulator/client";
import { startCluster, type TestCluster } from "../support/cluster";

/** Services seeded on `count` SVMs, and the state Pulumi would hold for each. */
async function seeded(
  count: number,
  latencyMs: number,
  config: Record<string, unknown> = {},
): Promise<{ c: TestCluster; olds: IscsiServiceOutputs[] }> {
  const svms = Array.from({ length: count }, (_, i) => ({ name: `svm${i}`, service: { alias: `a${i}` } }));
  const c = await startCluster({ svms, latencyMs }, config);
  const olds = c.sim.services().map((s) => recordedState(s, c.sim.host));
  return { c, olds };
}

describe("read batching (provider/iscsi/batch.ts) under the arrival patterns of a refresh", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it("sends a lone read as one GET of that service", async () => {
    const setup = await seeded(3, 0);
    c = setup.c;
    const result = await c.provider.read(setup.olds[1].svmUuid, setup.olds[1]);
    expect(result.id).to.equal(setup.olds[1].svmUuid);
    expect(c.sim.requests.map((r) => r.path)).to.deep.equal([`${SERVICES}/${setup.olds[1].svmUuid}`]);
  });

  it("coalesces reads that arrive in clumps more than 3 ms apart while earlier batches are in flight", async () => {
    const setup = await seeded(299, 20);
    c = setup.c;
    const reads: Array<ReturnType<TestCluster["provider"]["read"]>> = [];
    // As the dynamic provider host delivers a refresh: 13 Read calls at a time, 6 ms apart.
    for (let i = 0; i < setup.olds.length; i += 13) {
      for (const old of setup.olds.slice(i, i + 13)) reads.push(c.provider.read(old.svmUuid, old));
      await sleep(6);
    }
    const results = await Promise.all(reads);
    results.forEach((result, i) => {
      expect(result.id).to.equal(setup.olds[i].svmUuid);
    });
    // 23 clumps; a fixed 3 ms window would send one request per clump.
    expect(c.sim.requests.length).to.be.at.most(8);
  });

  it("answers a bounded --parallel refresh from one snapshot: one whole-collection GET for all waves", async () => {
    const setup = await seeded(40, 5);
    c = setup.c;
    const olds = setup.olds;
    let next = 0;
    const worker = async () => {
      while (next < olds.length) {
        const old = olds[next++];
        expect((await c?.provider.read(old.svmUuid, old))?.id).to.equal(old.svmUuid);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(c.sim.requests.map((r) => r.path)).to.deep.equal([SERVICES]);
    expect(Object.keys(c.sim.requests[0].query)).to.deep.equal(["fields"]);
  });

  it("reads one after another (--parallel 1): one GET for the first, then one snapshot for the rest", async () => {
    const setup = await seeded(20, 2);
    c = setup.c;
    for (const old of setup.olds) {
      const result = await c.provider.read(old.svmUuid, old);
      expect(result.props?.targetAlias).to.equal(old.targetAlias);
    }
    expect(c.sim.requests.map((r) => r.path)).to.deep.equal([
      `${SERVICES}/${setup.olds[0].svmUuid}`,
      SERVICES,
    ]);
  });

  it(`reports what changed outside once the snapshot is older than ${SNAPSHOT_MAX_AGE_MS} ms`, async function () {
    this.timeout(10_000);
    const setup = await seeded(10, 0);
    c = setup.c;
    const olds = setup.olds;
    await Promise.all(olds.map((o) => c?.provider.read(o.svmUuid, o)));
    c.sim.outOfBand.setEnabled("svm3", false);
    // Within the bound, a read may still answer from the snapshot (the documented staleness)...
    expect((await c.provider.read(olds[3].svmUuid, olds[3])).props?.enabled).to.equal(true);
    await sleep(SNAPSHOT_MAX_AGE_MS + 50);
    // ...past it, never.
    expect((await c.provider.read(olds[3].svmUuid, olds[3])).props?.enabled).to.equal(false);
    expect(c.sim.requests).to.have.length(2);
  });

  it("ends the snapshot with every write of this provider: a read after an update sees it", async () => {
    const setup = await seeded(10, 0);
    c = setup.c;
    const olds = setup.olds;
    await Promise.all(olds.map((o) => c?.provider.read(o.svmUuid, o)));
    const { outs } = await c.provider.update(olds[4].svmUuid, olds[4], {
      svmName: olds[4].svmName,
      enabled: true,
      targetAlias: "changed",
      adopt: false,
    });
    expect(outs?.targetAlias).to.equal("changed");
    c.sim.clearRequests();
    const again = await Promise.all(olds.map((o) => c?.provider.read(o.svmUuid, o)));
    expect(again[4]?.props?.targetAlias).to.equal("changed");
    expect(c.sim.requests.map((r) => r.path)).to.deep.equal([SERVICES]);
  });

  it("reads more SVMs than fit in one URL with one GET of the whole collection; absent ones are gone", async () => {
    const setup = await seeded(400, 0);
    c = setup.c;
    c.sim.outOfBand.deleteService("svm7");
    const results = await Promise.all(setup.olds.map((o) => c?.provider.read(o.svmUuid, o)));
    results.forEach((result, i) => {
      expect(result?.id).to.equal(i === 7 ? "" : setup.olds[i].svmUuid);
    });
    // One whole-collection GET; the missing service costs one look at the SVM list (its SVM
    // is gone, so it is deleted; had another cluster answered, the read would refuse).
    expect(c.sim.requests.map((r) => r.path)).to.deep.equal([SERVICES, "/api/svm/svms"]);
    expect(Object.keys(c.sim.requests[0].query)).to.deep.equal(["fields"]);
  });

  it("falls back to URL-sized filtered GETs when the whole-collection GET fails", async () => {
    const setup = await seeded(400, 0);
    c = setup.c;
    c.sim.injectFault({ kind: "http-error", status: 500, method: "GET", path: SERVICES, times: 1 });
    const results = await Promise.all(setup.olds.map((o) => c?.provider.read(o.svmUuid, o)));
    results.forEach((result, i) => {
      expect(result?.id).to.equal(setup.olds[i].svmUuid);
    });
    const [whole, ...chunks] = c.sim.requests;
    expect(whole.status).to.equal(500);
    expect(chunks.length).to.be.within(2, 3);
    expect(chunks.reduce((n, r) => n + (r.query["svm.uuid"]?.split("|").length ?? 0), 0)).to.equal(400);
  });

  it("gives every read of a batch the cluster's 'not now' without one GET per service", async () => {
    const setup = await seeded(30, 0, { "ontap:retries": "0" });
    c = setup.c;
    c.sim.injectFault({ kind: "http-error", status: 503, method: "GET", path: SERVICES, times: 1 });
    const outcomes = await Promise.allSettled(setup.olds.map((o) => c?.provider.read(o.svmUuid, o)));
    expect(outcomes.every((o) => o.status === "rejected")).to.equal(true);
    expect(c.sim.requests).to.have.length(1);
  });

  it("falls back to one GET per service when a batch fails with an error that may be one record's", async () => {
    const setup = await seeded(30, 0, { "ontap:retries": "0" });
    c = setup.c;
    // The whole collection fails, then the svm.uuid=a|b|… GET of the same 30 SVMs.
    c.sim.injectFault({ kind: "http-error", status: 500, method: "GET", path: SERVICES, times: 2 });
    const results = await Promise.all(setup.olds.map((o) => c?.provider.read(o.svmUuid, o)));
    results.forEach((result, i) => {
      expect(result?.id).to.equal(setup.olds[i].svmUuid);
    });
    expect(c.sim.requests).to.have.length(32);
  });
});
