import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../provider";
import { startCluster, type TestCluster, writes } from "../support/cluster";
import { rejectionOf } from "../support/rejection";
import { until } from "../support/until";

/** Runs check then create, as the engine does for a new resource; returns the outputs. */
async function created(c: TestCluster, raw: Record<string, unknown>): Promise<IscsiServiceOutputs> {
  const checked = await c.provider.check({}, raw);
  expect(checked.failures ?? []).to.deep.equal([]);
  return (await c.provider.create(checked.inputs as never)).outs as IscsiServiceOutputs;
}

describe("ownership across runs, and the session guard against stale state", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it("a rename + adopt finished over two runs: the old resource's later delete leaves the service to the new one", async () => {
    c = await startCluster();
    const db = await created(c, { svmName: "svm1" });
    await c.newRun();
    // Run 1: the renamed resource adopts the service; the run stops before the old one's delete.
    await created(c, { svmName: "svm1", adopt: true });
    await c.newRun();
    // Run 2: the new resource is checked (unchanged), the old one is deleted.
    const newInputs = { svmName: "svm1", adopt: true, enabled: true };
    expect((await c.provider.check(newInputs, newInputs)).failures).to.deep.equal([]);
    c.sim.clearRequests();
    await c.provider.delete(db.svmUuid, db);
    expect(writes(c.sim)).to.deep.equal([]);
    expect(c.sim.service("svm1")).to.include({ enabled: true });
    expect(c.logs.join("\n")).to.include("managed by another resource of this stack that stays on it");
  });

  it("a resource that stays on its SVM through another address of the cluster (its profile changed) keeps it from the old twin's delete", async () => {
    c = await startCluster();
    const alt = c.sim.host.replace("127.0.0.1", "localhost");
    const profiles = { alt: { host: alt, username: "admin", password: "netapp123", caCert: c.sim.caCert } };
    await c.reconfigure({ "ontap:clusters": JSON.stringify(profiles) });
    const db = await created(c, { svmName: "svm1" });
    await c.newRun();
    const db2 = await created(c, { svmName: "svm1", adopt: true });
    await c.newRun();
    // The new resource now reaches the cluster by its other address: Check compares profile
    // names (they differ); Diff finds the same cluster, no replacement: it stays on svm1.
    const olds = { svmName: "svm1", adopt: true, enabled: true };
    const checked = await c.provider.check(olds, { ...olds, cluster: "alt" });
    expect(checked.failures ?? []).to.deep.equal([]);
    const diff = await c.provider.diff(db2.svmUuid, db2, checked.inputs as never);
    expect(diff.replaces ?? []).to.deep.equal([]);
    c.sim.clearRequests();
    await c.provider.delete(db.svmUuid, db);
    expect(writes(c.sim)).to.deep.equal([]);
    expect(c.sim.service("svm1")).to.include({ enabled: true });
    expect(c.logs.join("\n")).to.include("managed by another resource of this stack that stays on it");
  });

  it("a delete of an SVM's old service waits for this run's create on that SVM, and leaves the service the create made", async () => {
    c = await startCluster({}, { "ontap:jobTimeoutMs": "60000" });
    const db = await created(c, { svmName: "svm1" });
    await c.newRun();
    // An administrator deleted db's service; another resource's create on svm1 runs as a job.
    c.sim.outOfBand.deleteService("svm1");
    c.sim.setAsyncJobs(true, 0, { held: true });
    c.sim.clearRequests();
    const cluster = c;
    const making = created(cluster, { svmName: "svm1", adopt: true });
    await until(() => cluster.sim.requests.some((r) => r.method === "POST"), "the create's POST");
    const deleting = cluster.provider.delete(db.svmUuid, db);
    // The delete waits for the create in flight: nothing written while its job runs.
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes(cluster.sim).filter((w) => !w.startsWith("POST"))).to.deep.equal([]);
    expect(cluster.sim.finishJobs()).to.equal(1);
    await making;
    await deleting;
    expect(writes(cluster.sim).filter((w) => !w.startsWith("POST"))).to.deep.equal([]);
    expect(cluster.sim.service("svm1")).to.include({ enabled: true });
    expect(cluster.logs.join("\n")).to.include("created by another resource of this run");
  });

  it("without such a resource in the run, the delete goes ahead (disable, then DELETE)", async () => {
    c = await startCluster();
    const db = await created(c, { svmName: "svm1" });
    await c.newRun();
    c.sim.clearRequests();
    await c.provider.delete(db.svmUuid, db);
    expect(writes(c.sim)).to.deep.equal(['PATCH {"enabled":false}', "DELETE"]);
  });

  it("protectActiveSessions refuses a delete when state says disabled but hosts logged in since", async () => {
    c = await startCluster({ sessions: { svm1: 2 } });
    const outs = await created(c, { svmName: "svm1", enabled: false, protectActiveSessions: true });
    await c.newRun();
    c.sim.outOfBand.setEnabled("svm1", true);
    expect(c.sim.sessions("svm1")).to.have.length(2);
    c.sim.clearRequests();
    const err = await rejectionOf(c.provider.delete(outs.svmUuid, outs));
    expect(err.message).to.include("Refused: protectActiveSessions is true");
    expect(writes(c.sim)).to.deep.equal([]);
    expect(c.sim.sessions("svm1")).to.have.length(2);
  });

  it("the guard a replacement's program sets is that resource's own: another resource's delete of the same SVM keeps its state's", async () => {
    c = await startCluster({ sessions: { svm1: 2 } });
    const olds = { svmName: "svm1", protectActiveSessions: false, enabled: true, adopt: false };
    const outs = await created(c, olds);
    // A twin recording the same service with its guard on (two records an up without its
    // preview can leave): its own claim id.
    const twin = { ...outs, protectActiveSessions: true, claimId: "0123456789ab" };
    await c.newRun();
    const moved = await c.provider.check(olds, { svmName: "svm2", protectActiveSessions: false });
    await c.provider.diff(outs.svmUuid, outs, moved.inputs);
    c.sim.clearRequests();
    const err = await rejectionOf(c.provider.delete(twin.svmUuid, twin));
    expect(err.message).to.include("Refused: protectActiveSessions is true");
    expect(writes(c.sim)).to.deep.equal([]);
    await c.provider.delete(outs.svmUuid, outs);
    expect(c.sim.service("svm1")).to.equal(undefined);
  });

  it("a replacement whose program turns the guard off in the same change goes ahead", async () => {
    c = await startCluster({ sessions: { svm1: 2 } });
    const olds = { svmName: "svm1", protectActiveSessions: true, enabled: true, adopt: false };
    const outs = await created(c, olds);
    await c.newRun();
    const moved = await c.provider.check(olds, { svmName: "svm2", protectActiveSessions: false });
    expect(moved.failures).to.deep.equal([]);
    // The engine diffs the resource right after its Check: the replacement is decided there.
    const diff = await c.provider.diff(outs.svmUuid, outs, moved.inputs);
    expect(diff.replaces).to.not.deep.equal([]);
    await c.provider.delete(outs.svmUuid, outs);
    expect(c.sim.service("svm1")).to.equal(undefined);
  });
});
