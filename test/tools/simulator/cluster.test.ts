import { expect } from "chai";
import { type Answer, call, field } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";

describe("simulator: cluster, SVMs and licenses", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({
      http: true,
      version: "9.14.1",
      svms: [
        { name: "svm1", uuid: "11111111-1111-4111-8111-111111111111", service: {} },
        { name: "svm2", state: "stopped", iscsiAllowed: false },
        { name: "nv", nvmeConfigured: true },
      ],
    });
  });
  afterEach(() => sim.stop());
  const names = (a: Answer) =>
    (field(a.json, "records") as Array<{ name: string }>).map((r) => r.name).sort();

  it("GET /api/cluster?fields=version answers the release", async () => {
    const a = await call(sim, "GET", "/api/cluster?fields=version");
    expect(a.status).to.equal(200);
    expect(field(a.json, "version")).to.deep.include({ generation: 9, major: 14, minor: 1 });
    expect(field(a.json, "version.full")).to.match(/9\.14\.1/);
    expect(a.json).to.not.have.property("name");
    const all = await call(sim, "GET", "/api/cluster");
    expect(all.json).to.include.keys("name", "uuid", "version", "_links");
  });

  it("GET /api/svm/svms resolves a name to its UUID and state", async () => {
    const a = await call(sim, "GET", "/api/svm/svms?name=svm1&fields=uuid,name,state");
    expect(field(a.json, "records")).to.deep.equal([
      {
        uuid: "11111111-1111-4111-8111-111111111111",
        name: "svm1",
        state: "running",
        _links: { self: { href: "/api/svm/svms/11111111-1111-4111-8111-111111111111" } },
      },
    ]);
    expect(names(await call(sim, "GET", "/api/svm/svms"))).to.deep.equal(["nv", "svm1", "svm2"]);
    expect(names(await call(sim, "GET", "/api/svm/svms?name=svm*"))).to.deep.equal(["svm1", "svm2"]);
    expect(names(await call(sim, "GET", `/api/svm/svms?uuid=${sim.svm("nv")?.uuid}`))).to.deep.equal(["nv"]);
    expect(names(await call(sim, "GET", "/api/svm/svms?state=stopped"))).to.deep.equal(["svm2"]);
  });

  it("GET /api/svm/svms/{uuid} tells which protocols are allowed, and which services run", async () => {
    const nv = await call(sim, "GET", `/api/svm/svms/${sim.svm("nv")?.uuid}?fields=nvme,iscsi.allowed`);
    expect(field(nv.json, "nvme")).to.deep.equal({ allowed: true, enabled: true });
    expect(field(nv.json, "iscsi.allowed")).to.equal(true);
    const one = await call(sim, "GET", `/api/svm/svms/${sim.svm("svm1")?.uuid}?fields=iscsi,nvme`);
    expect(field(one.json, "iscsi")).to.deep.equal({ allowed: true, enabled: true });
    expect(field(one.json, "nvme")).to.deep.equal({ allowed: true, enabled: false });
  });

  it("a stopped SVM's record has no protocol objects", async () => {
    const a = await call(sim, "GET", `/api/svm/svms/${sim.svm("svm2")?.uuid}`);
    expect(a.json).to.deep.include({ name: "svm2", state: "stopped" });
    expect(a.json).to.not.have.any.keys("iscsi", "nvme", "fcp");
    const named = await call(sim, "GET", `/api/svm/svms?name=svm2&fields=state,iscsi.allowed,nvme.enabled`);
    expect(field(named.json, "records.0")).to.have.all.keys("uuid", "name", "state", "_links");
    sim.outOfBand.setSvmState("svm2", "running");
    const started = await call(sim, "GET", `/api/svm/svms/${sim.svm("svm2")?.uuid}?fields=iscsi`);
    expect(field(started.json, "iscsi")).to.deep.equal({ allowed: false, enabled: false });
  });

  it("GET /api/svm/svms/{uuid} of an unknown SVM answers 404 code 4", async () => {
    const a = await call(sim, "GET", "/api/svm/svms/00000000-0000-4000-8000-000000000000");
    expect(a.status).to.equal(404);
    expect(a.json).to.have.nested.property("error.code", "4");
  });

  it("shows the iSCSI license as compliant, and unlicensed once removed", async () => {
    const a = await call(sim, "GET", "/api/cluster/licensing/licenses?name=iscsi&fields=state");
    expect(field(a.json, "records.0")).to.deep.include({ name: "iscsi", state: "compliant" });
    const one = await call(sim, "GET", "/api/cluster/licensing/licenses/iscsi");
    expect(one.json).to.include({ name: "iscsi", state: "compliant" });
    sim.outOfBand.setIscsiLicensed(false);
    const none = await call(sim, "GET", "/api/cluster/licensing/licenses?name=iscsi");
    expect(none.json).to.have.property("num_records", 0);
    expect((await call(sim, "GET", "/api/cluster/licensing/licenses/iscsi")).status).to.equal(404);
    expect(names(await call(sim, "GET", "/api/cluster/licensing/licenses"))).to.deep.equal([
      "cifs",
      "fcp",
      "nfs",
    ]);
    const unlicensed = await call(
      sim,
      "GET",
      "/api/cluster/licensing/licenses?state=unlicensed&fields=entitlement",
    );
    expect(names(unlicensed)).to.deep.equal(["iscsi", "snaplock"]);
    expect(field(unlicensed.json, "records.0")).to.deep.include({
      state: "unlicensed",
      entitlement: { action: "acquire_license", risk: "unlicensed" },
    });
    const byName = await call(sim, "GET", "/api/cluster/licensing/licenses?name=iscsi&state=!compliant");
    expect(names(byName)).to.deep.equal(["iscsi"]);
  });

  it("accepts a trailing slash and rejects paths outside the API", async () => {
    expect((await call(sim, "GET", "/api/cluster/")).status).to.equal(200);
    const lines: string[] = [];
    const quiet = await startSimulator({ http: true, onUnexpected: (line) => lines.push(line) });
    try {
      const a = await call(quiet, "GET", "/api/storage/volumes");
      expect(a.status).to.equal(404);
      expect(a.json).to.deep.equal({ error: { message: "API not found", code: "3" } });
      expect((await call(quiet, "DELETE", "/api/cluster")).status).to.equal(405);
      expect((await call(quiet, "GET", "/index.html")).status).to.equal(404);
      expect(lines).to.have.length(3);
      expect(lines[0]).to.include("GET /api/storage/volumes");
    } finally {
      await quiet.stop();
    }
  });
});
