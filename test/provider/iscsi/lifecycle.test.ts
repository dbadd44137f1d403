import { expect } from "chai";
import type { IscsiServiceInputs, IscsiServiceOutputs } from "../../../provider";
import { startSimulator } from "../../../tools/simulator";
import { inputs, startCluster, type TestCluster, writes } from "../../support/cluster";
import { rejectionOf } from "../../support/rejection";

const SERVICES = "/api/protocols/san/iscsi/services";

describe("lifecycle against the simulator", () => {
  let c: TestCluster;
  afterEach(async () => c?.stop());

  async function created(extra: Partial<IscsiServiceInputs> = {}): Promise<IscsiServiceOutputs> {
    const { outs } = await c.provider.create(inputs(extra));
    await c.newRun();
    c.sim.clearRequests();
    return outs as IscsiServiceOutputs;
  }

  describe("create", () => {
    it("creates with one POST and returns the IQN, the SVM UUID and the host", async () => {
      c = await startCluster();
      const { id, outs } = await c.provider.create(inputs({ targetAlias: "db" }));
      expect(c.sim.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([`POST ${SERVICES}`]);
      const live = c.sim.service("svm1");
      expect(live).to.include({ enabled: true, alias: "db" });
      expect(id).to.equal(live?.svmUuid);
      expect(outs).to.include({
        svmName: "svm1",
        svmUuid: live?.svmUuid,
        targetName: live?.iqn,
        host: c.sim.host,
        enabled: true,
      });
      expect(outs?.targetName).to.match(/^iqn\.1992-08\.com\.netapp:sn\.[0-9a-f]{32}:vs\.\d+$/);
    });

    it("creates a disabled service with ONTAP's default alias when none is given", async () => {
      c = await startCluster();
      const { outs } = await c.provider.create(inputs({ enabled: false }));
      expect(c.sim.service("svm1")).to.include({ enabled: false, alias: "svm1" });
      expect(outs).to.include({ enabled: false, targetAlias: "svm1" });
    });

    it("refuses an SVM that already has a service unless adopt is set, explaining adopt", async () => {
      c = await startCluster({ svms: [{ name: "svm1", service: { enabled: false, alias: "old" } }] });
      const err = await rejectionOf(c.provider.create(inputs()));
      expect(err.message)
        .to.match(/svm1/)
        .and.match(/adopt: true/)
        .and.match(/5374077/);
      expect(c.sim.service("svm1")).to.include({ enabled: false, alias: "old" });
    });

    it("adopts an existing service and brings enabled and the alias to the inputs", async () => {
      c = await startCluster({ svms: [{ name: "svm1", service: { enabled: false, alias: "old" } }] });
      const { outs } = await c.provider.create(inputs({ adopt: true, targetAlias: "new" }));
      expect(c.sim.service("svm1")).to.include({ enabled: true, alias: "new" });
      expect(outs).to.include({ adopted: true, enabled: true, targetAlias: "new" });
      const patches = c.sim.requests.filter((r) => r.method === "PATCH").map((r) => r.body);
      expect(patches).to.deep.equal([{ target: { alias: "new" } }, { enabled: true }]);
      expect(c.logs.join("\n")).to.match(/Adopted the existing iSCSI service on SVM "svm1"/);
    });

    it("names the SVM and the fix when ONTAP refuses (iSCSI not allowed)", async () => {
      c = await startCluster({ svms: [{ name: "svm1", iscsiAllowed: false }] });
      const err = await rejectionOf(c.provider.create(inputs()));
      expect(err.message)
        .to.match(/svm1/)
        .and.match(/vserver add-protocols -vserver svm1 -protocols iscsi/);
      expect(c.sim.services()).to.deep.equal([]);
    });
  });

  describe("read (refresh)", () => {
    it("reads with one GET asking only for the needed fields", async () => {
      c = await startCluster();
      const outs = await created();
      const result = await c.provider.read(outs.svmUuid, outs);
      expect(c.sim.requests).to.have.length(1);
      expect(c.sim.requests[0].query.fields).to.not.match(/metric|statistics/);
      expect(result.id).to.equal(outs.svmUuid);
      expect(result.props).to.deep.equal(outs);
    });

    it("drops a service deleted out of band (empty id)", async () => {
      c = await startCluster();
      const outs = await created();
      c.sim.outOfBand.deleteService("svm1");
      expect((await c.provider.read(outs.svmUuid, outs)).id).to.equal("");
    });

    it("reports a service disabled and re-aliased out of band as drift in props and inputs", async () => {
      c = await startCluster();
      const outs = await created();
      c.sim.outOfBand.setEnabled("svm1", false);
      c.sim.outOfBand.setAlias("svm1", "changed");
      const result = await c.provider.read(outs.svmUuid, outs);
      expect(result.props).to.include({ enabled: false, targetAlias: "changed" });
      expect(result.inputs).to.include({ enabled: false, targetAlias: "changed", svmName: "svm1" });
      // Named as the program named it: no phantom svmUuid input on the next diff.
      expect(result.inputs).to.not.have.property("svmUuid");
    });

    it("coalesces concurrent reads of one cluster into one collection GET, each getting its own record or gone", async () => {
      const svms = Array.from({ length: 30 }, (_, i) => ({ name: `svm${i}`, service: { alias: `a${i}` } }));
      c = await startCluster({ svms });
      const olds = svms.map((s) => {
        const live = c.sim.service(s.name);
        if (!live) throw new Error("seed failed");
        return {
          svmName: s.name,
          svmUuid: live.svmUuid,
          enabled: true,
          targetAlias: s.service.alias,
          targetAliasDefault: false,
          targetName: live.iqn,
          host: c.sim.host,
          adopt: false,
          adopted: false,
          asaR2: false,
        };
      });
      c.sim.outOfBand.deleteService("svm7");
      const results = await Promise.all(olds.map((o) => c.provider.read(o.svmUuid, o)));
      // One collection GET; the one service missing costs one look at the SVMs (is its SVM
      // still there, or does another cluster answer here?).
      expect(c.sim.requests.map((r) => r.path)).to.deep.equal([
        "/api/protocols/san/iscsi/services",
        "/api/svm/svms",
      ]);
      results.forEach((r, i) => {
        expect(r.id).to.equal(i === 7 ? "" : olds[i].svmUuid);
        if (i !== 7) expect(r.props?.targetAlias).to.equal(`a${i}`);
      });
    });
  });

  describe("update", () => {
    it("changes only the alias with one PATCH", async () => {
      c = await startCluster();
      const outs = await created();
      const { outs: next } = await c.provider.update(outs.svmUuid, outs, inputs({ targetAlias: "db" }));
      expect(writes(c.sim)).to.deep.equal(['PATCH {"target":{"alias":"db"}}']);
      expect(next).to.include({ targetAlias: "db", targetName: outs.targetName });
      expect(c.sim.service("svm1")?.alias).to.equal("db");
    });

    it("changes enabled and the alias in two separate PATCH calls (5374081)", async () => {
      c = await startCluster();
      const outs = await created();
      await c.provider.update(outs.svmUuid, outs, inputs({ targetAlias: "db", enabled: false }));
      expect(writes(c.sim)).to.deep.equal(['PATCH {"target":{"alias":"db"}}', 'PATCH {"enabled":false}']);
      expect(c.sim.service("svm1")).to.include({ enabled: false, alias: "db" });
    });
  });

  describe("delete", () => {
    it("disables an enabled service, then deletes it", async () => {
      c = await startCluster();
      const outs = await created();
      await c.provider.delete(outs.svmUuid, outs);
      expect(writes(c.sim)).to.deep.equal(['PATCH {"enabled":false}', "DELETE"]);
      expect(c.sim.service("svm1")).to.equal(undefined);
    });

    it("deletes a disabled service with one DELETE", async () => {
      c = await startCluster();
      const outs = await created({ enabled: false });
      await c.provider.delete(outs.svmUuid, outs);
      expect(writes(c.sim)).to.deep.equal(["DELETE"]);
      expect(c.sim.services()).to.deep.equal([]);
    });

    it("re-enables the service when the DELETE after disabling fails", async () => {
      c = await startCluster();
      const outs = await created();
      c.sim.injectFault({ kind: "http-error", status: 500, code: "262145", method: "DELETE" });
      const err = await rejectionOf(c.provider.delete(outs.svmUuid, outs));
      expect(err.message).to.match(/svm1/);
      expect(writes(c.sim)).to.deep.equal(['PATCH {"enabled":false}', "DELETE", 'PATCH {"enabled":true}']);
      expect(c.sim.service("svm1")?.enabled).to.equal(true);
    });

    it("a disable still running as a job when the wait ends, and a re-enable that is too: the error says the disable may still apply, with the command that starts the service", async () => {
      c = await startCluster({}, { "ontap:jobTimeoutMs": "50" });
      const outs = await created();
      // Every job held: neither the disable nor the re-enable ends within the wait.
      c.sim.setAsyncJobs(true, 0, { held: true });
      c.sim.clearRequests();
      const err = await rejectionOf(c.provider.delete(outs.svmUuid, outs));
      expect(writes(c.sim)).to.deep.equal(['PATCH {"enabled":false}', 'PATCH {"enabled":true}']);
      expect(err.message)
        .to.include(
          "MAY BE LEFT DISABLED (the disable is still running as an ONTAP job, and may end after any re-enable)",
        )
        .and.include("Fix now: vserver iscsi start -vserver svm1");
      expect(c.sim.finishJobs()).to.equal(2);
    });

    it("treats a service that is already gone as deleted", async () => {
      c = await startCluster();
      const outs = await created();
      c.sim.outOfBand.deleteService("svm1");
      await c.provider.delete(outs.svmUuid, outs);
      // The disabling PATCH finds no service (5374078): done, nothing else sent, nothing to warn about.
      expect(writes(c.sim)).to.deep.equal(['PATCH {"enabled":false}']);
      expect(c.sim.requests.find((r) => r.method === "PATCH")?.status).to.equal(404);
      expect(c.logs.filter((l) => l.startsWith("warn:"))).to.deep.equal([]);
    });

    it("disables and deletes a service that state thought disabled but was enabled out of band", async () => {
      c = await startCluster();
      const outs = await created({ enabled: false });
      c.sim.outOfBand.setEnabled("svm1", true);
      await c.provider.delete(outs.svmUuid, outs);
      expect(c.sim.services()).to.deep.equal([]);
    });
  });

  describe("ASA r2", () => {
    it("adopts the always-present service and leaves it in place on delete, with a warning", async () => {
      c = await startCluster({ asaR2: true });
      const refused = await rejectionOf(c.provider.create(inputs()));
      expect(refused.message)
        .to.match(/5376452/)
        .and.match(/adopt/);
      const { outs } = await c.provider.create(inputs({ adopt: true, targetAlias: "asa" }));
      expect(outs).to.include({ asaR2: true, adopted: true });
      if (!outs) throw new Error("no outputs");
      c.sim.clearRequests();
      await c.provider.delete(outs.svmUuid, outs as IscsiServiceOutputs);
      expect(writes(c.sim)).to.deep.equal([]);
      expect(c.sim.service("svm1")).to.include({ enabled: true });
      expect(c.logs.join("\n")).to.match(/ASA r2/);
    });
  });

  describe("cluster pinning", () => {
    it("refuses to act when the connection now points at another cluster, naming both", async () => {
      c = await startCluster();
      const other = await startSimulator({ http: false });
      try {
        const outs = await created();
        await c.reconfigure({ "ontap:host": other.host });
        for (const attempt of [
          () => c.provider.delete(outs.svmUuid, outs),
          () => c.provider.read(outs.svmUuid, outs),
          () => c.provider.diff(outs.svmUuid, outs, inputs()),
        ]) {
          const err = await rejectionOf(attempt());
          expect(err.name, err.message).to.equal("ClusterMismatchError");
          expect(err.message).to.include(`lives on cluster ${c.sim.host}`).and.include(other.host);
        }
        expect(c.sim.service("svm1")).to.not.equal(undefined);
        expect(other.requests.filter((r) => r.method !== "GET")).to.deep.equal([]);
      } finally {
        await other.stop();
      }
    });

    it("follows the same cluster reached by another address: an update of host with no write", async () => {
      c = await startCluster();
      const outs = await created();
      const localhost = c.sim.host.replace("127.0.0.1", "localhost");
      await c.reconfigure({ "ontap:host": localhost });
      const diff = await c.provider.diff(outs.svmUuid, outs, inputs());
      expect(diff).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: true });
      const { outs: updated } = await c.provider.update(outs.svmUuid, outs, inputs());
      expect(updated).to.deep.equal({ ...outs, host: localhost });
      expect(writes(c.sim)).to.deep.equal([]);
      expect(
        (await c.provider.diff(outs.svmUuid, updated as IscsiServiceOutputs, inputs())).changes,
      ).to.equal(false);
    });

    it("says it cannot tell when the new address does not answer, and writes nothing", async () => {
      c = await startCluster({}, { "ontap:retries": "0" });
      const outs = await created();
      await c.reconfigure({ "ontap:host": "127.0.0.1:1" });
      const err = await rejectionOf(c.provider.delete(outs.svmUuid, outs));
      expect(err.message).to.include(`whether 127.0.0.1:1 is the cluster ${c.sim.host}`);
      expect(c.sim.service("svm1")).to.include({ enabled: true });
    });
  });
});
