import { expect } from "chai";
import { SNAPSHOT_MAX_AGE_MS } from "../../../provider/cluster-cache";
import { startCluster, type TestCluster } from "../../support/cluster";

/** SVM names svm1..svmN. */
const names = (n: number) => Array.from({ length: n }, (_, i) => `svm${i + 1}`);

describe("preflight per cluster: one snapshot of SVMs and services for many new services", () => {
  let c: TestCluster;
  const realNow = Date.now;
  afterEach(async () => {
    Date.now = realNow;
    await c?.stop();
  });

  const gets = () =>
    c.sim.requests.map((r) => `${r.method} ${r.path}${r.query.fields ? ` fields=${r.query.fields}` : ""}`);

  /** Checks new services on svm1..svmN, one at a time as the engine does, and returns the requests sent. */
  async function checkNew(n: number): Promise<number> {
    c.sim.clearRequests();
    for (const svmName of names(n))
      expect((await c.provider.check({}, { svmName })).failures).to.deep.equal([]);
    return c.sim.requests.length;
  }

  it("costs 4 GETs for one new service, and 6 for 2, 10 or 200 (one whole read of SVMs and of services)", async () => {
    const counts: Record<number, number> = {};
    for (const n of [1, 2, 10, 200]) {
      c = await startCluster({ svms: names(200) });
      counts[n] = await checkNew(n);
      if (n === 200) {
        expect(gets().filter((g) => !g.includes("/api/cluster"))).to.include.members([
          "GET /api/svm/svms fields=uuid,name,state,nvme.enabled,iscsi.allowed",
          "GET /api/protocols/san/iscsi/services fields=svm.uuid,svm.name",
        ]);
        expect(
          c.sim.requests.filter((r) => r.path === "/api/svm/svms" && r.query.name === undefined),
        ).to.have.length(1);
      }
      await c.stop();
    }
    expect(counts).to.deep.equal({ 1: 4, 2: 6, 10: 6, 200: 6 });
  });

  it("reports from the snapshot what the targeted lookups report, after confirming a failure with them", async () => {
    c = await startCluster({
      svms: ["svm1", { name: "svm2", state: "stopped" }, { name: "svm3", service: {} }],
    });
    await c.provider.check({}, { svmName: "svm1" });
    const stopped = await c.provider.check({}, { svmName: "svm2" });
    expect(stopped.failures?.[0]?.reason).to.match(/vserver start -vserver svm2/);
    const taken = await c.provider.check({}, { svmName: "svm3" });
    expect(taken.failures?.[0]?.reason).to.match(/5374077/);
    // Each failure was confirmed by a targeted lookup (filtered by name).
    expect(
      c.sim.requests.filter((r) => r.path === "/api/svm/svms" && r.query.name === "svm2"),
    ).to.have.length(1);
  });

  it("does not fail on a stale snapshot: a service deleted or an SVM added since are looked up again", async () => {
    c = await startCluster({ svms: ["svm1", { name: "svm2", service: {} }] });
    await c.provider.check({}, { svmName: "svm1" });
    await c.provider.check({}, { svmName: "svmX" }).catch(() => undefined);
    c.sim.outOfBand.deleteService("svm2");
    c.sim.addSvm({ name: "svm9" });
    expect((await c.provider.check({}, { svmName: "svm2" })).failures).to.deep.equal([]);
    expect((await c.provider.check({}, { svmName: "svm9" })).failures).to.deep.equal([]);
  });

  it(`reads the snapshot again once it is older than ${SNAPSHOT_MAX_AGE_MS / 1000} s`, async () => {
    c = await startCluster({ svms: names(5) });
    await checkNew(3);
    c.sim.clearRequests();
    const start = realNow();
    Date.now = () => start + SNAPSHOT_MAX_AGE_MS + 1;
    expect((await c.provider.check({}, { svmName: "svm4" })).failures).to.deep.equal([]);
    expect(gets().sort()).to.deep.equal([
      "GET /api/protocols/san/iscsi/services fields=svm.uuid,svm.name",
      "GET /api/svm/svms fields=uuid,name,state,nvme.enabled,iscsi.allowed",
    ]);
  });

  it("dates the absence evidence from when the snapshot was read, so a lost create is taken over only while it is fresh", async () => {
    c = await startCluster({ svms: names(3) });
    await checkNew(2);
    const start = realNow();
    Date.now = () => start + SNAPSHOT_MAX_AGE_MS - 1_000;
    await c.provider.check({}, { svmName: "svm3" });
    // The snapshot was read near `start`: the 10-minute window runs from then, not from this check.
    Date.now = () => start + 10 * 60_000 + 500;
    c.sim.injectFault({ kind: "reset-after", method: "POST", path: /iscsi\/services$/ });
    const err = await c.provider.create({ svmName: "svm3", enabled: true, adopt: false }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/adopt/);
  });

  it("shares the snapshot's SVM read with the duplicate-SVM check", async () => {
    c = await startCluster({ svms: names(4) });
    await checkNew(2);
    c.sim.clearRequests();
    const uuid = c.sim.svm("svm1")?.uuid;
    const dup = await c.provider.check({}, { svmUuid: uuid, adopt: true });
    expect(dup.failures?.[0]?.reason).to.match(
      /Another IscsiService resource in this stack names the same SVM/,
    );
    expect(c.sim.requests.filter((r) => r.path === "/api/svm/svms")).to.deep.equal([]);
  });
});
