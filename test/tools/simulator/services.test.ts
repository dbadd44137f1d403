import { expect } from "chai";
import { type Answer, call, codeOf, field, SERVICES } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";

describe("simulator: iSCSI services", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({
      http: true,
      svms: ["svm1", "svm2", { name: "svm3", service: { enabled: false } }],
    });
  });
  afterEach(() => sim.stop());

  const uuid = (name: string) => sim.svm(name)?.uuid as string;
  const records = (a: Answer) => field(a.json, "records") as Array<Record<string, unknown>>;

  describe("POST", () => {
    it("creates an enabled service aliased to the SVM, with 201 and a Location", async () => {
      const a = await call(sim, "POST", SERVICES, { body: { svm: { name: "svm1" } } });
      expect(a.status).to.equal(201);
      expect(a.headers.location).to.equal(`${SERVICES}/${uuid("svm1")}`);
      expect(sim.service("svm1")).to.include({ enabled: true, alias: "svm1", svmName: "svm1" });
    });

    it("generates the IQN in ONTAP's format, stable per SVM", async () => {
      await call(sim, "POST", SERVICES, { body: { "svm.uuid": uuid("svm2") } });
      const iqn = sim.service("svm2")?.iqn as string;
      expect(iqn).to.match(/^iqn\.1992-08\.com\.netapp:sn\.[0-9a-f]{32}:vs\.\d+$/);
      expect(iqn).to.include(uuid("svm2").replace(/-/g, ""));
      expect(iqn).to.not.equal(sim.service("svm3")?.iqn);
    });

    it("accepts dotted bodies and returns the record with return_records=true", async () => {
      const a = await call(sim, "POST", `${SERVICES}?return_records=true`, {
        body: { "svm.name": "svm1", enabled: false, "target.alias": "alias-1" },
      });
      expect(a.status).to.equal(201);
      expect(a.json).to.have.property("num_records", 1);
      const [r] = records(a);
      expect(r).to.deep.include({
        enabled: false,
        target: { name: sim.service("svm1")?.iqn, alias: "alias-1" },
      });
      expect(r).to.have.nested.property("_links.self.href", `${SERVICES}/${uuid("svm1")}`);
      expect(r).to.have.nested.property("svm._links.self.href", `/api/svm/svms/${uuid("svm1")}`);
    });

    it("accepts svm.name and svm.uuid together when they agree", async () => {
      const a = await call(sim, "POST", SERVICES, { body: { svm: { name: "svm1", uuid: uuid("svm1") } } });
      expect(a.status).to.equal(201);
    });
  });

  describe("GET one", () => {
    it("returns every non-expensive field by default", async () => {
      const a = await call(sim, "GET", `${SERVICES}/${uuid("svm3")}`);
      expect(a.status).to.equal(200);
      expect(a.json).to.deep.equal({
        svm: {
          uuid: uuid("svm3"),
          name: "svm3",
          _links: { self: { href: `/api/svm/svms/${uuid("svm3")}` } },
        },
        enabled: false,
        target: { name: sim.service("svm3")?.iqn, alias: "svm3" },
        _links: { self: { href: `${SERVICES}/${uuid("svm3")}` } },
      });
      expect(a.headers["content-type"]).to.equal("application/hal+json");
    });

    it("returns metric and statistics only when asked", async () => {
      const a = await call(sim, "GET", `${SERVICES}/${uuid("svm3")}?fields=metric,statistics.iops_raw`);
      expect(a.json).to.have.nested.property("metric.duration", "PT15S");
      expect(a.json).to.have.nested.property("statistics.iops_raw.total");
      expect(a.json).to.not.have.property("enabled");
      expect(a.json).to.have.nested.property("svm.uuid", uuid("svm3"));
    });
  });

  describe("PATCH", () => {
    it("enables, then re-aliases in separate calls", async () => {
      const path = `${SERVICES}/${uuid("svm3")}`;
      expect((await call(sim, "PATCH", path, { body: { enabled: true } })).status).to.equal(200);
      expect((await call(sim, "PATCH", path, { body: { target: { alias: "new" } } })).status).to.equal(200);
      expect(sim.service("svm3")).to.include({ enabled: true, alias: "new" });
    });

    it("clears the alias with an empty string; GET then omits it", async () => {
      const path = `${SERVICES}/${uuid("svm3")}`;
      expect((await call(sim, "PATCH", path, { body: { "target.alias": "" } })).status).to.equal(200);
      const a = await call(sim, "GET", path);
      expect(a.json).to.have.nested.property("target.name");
      expect(a.json).to.not.have.nested.property("target.alias");
      expect(sim.service("svm3")?.alias).to.equal("");
    });

    it("accepts enabled together with an unchanged alias", async () => {
      const a = await call(sim, "PATCH", `${SERVICES}/${uuid("svm3")}`, {
        body: { enabled: true, target: { alias: "svm3" } },
      });
      expect(a.status).to.equal(200);
      expect(sim.service("svm3")?.enabled).to.equal(true);
    });
  });

  describe("DELETE", () => {
    it("deletes a disabled service", async () => {
      const a = await call(sim, "DELETE", `${SERVICES}/${uuid("svm3")}`);
      expect(a.status).to.equal(200);
      expect(sim.service("svm3")).to.equal(undefined);
      expect(codeOf(await call(sim, "GET", `${SERVICES}/${uuid("svm3")}`))).to.equal("5374078");
    });
  });

  describe("ASA r2", () => {
    it("gives every SVM a service that can be enabled and disabled", async () => {
      const asa = await startSimulator({ http: true, asaR2: true, svms: ["a", "b"] });
      try {
        expect(asa.services().map((s) => s.svmName)).to.have.members(["a", "b"]);
        const path = `${SERVICES}/${asa.svm("a")?.uuid}`;
        expect((await call(asa, "PATCH", path, { body: { enabled: false } })).status).to.equal(200);
        expect(asa.service("a")?.enabled).to.equal(false);
        expect(asa.addSvm({ name: "c" }) && asa.service("c")?.enabled).to.equal(true);
      } finally {
        await asa.stop();
      }
    });
  });

  describe("out-of-band changes", () => {
    it("change the cluster without appearing in the request log", async () => {
      sim.outOfBand.createService("svm1", { alias: "x" });
      sim.outOfBand.setEnabled("svm3", true);
      sim.outOfBand.setAlias("svm3", "other");
      sim.outOfBand.setSvmState("svm2", "stopped");
      expect(sim.service("svm1")).to.include({ enabled: true, alias: "x" });
      expect(sim.service("svm3")).to.include({ enabled: true, alias: "other" });
      expect(sim.svm("svm2")?.state).to.equal("stopped");
      sim.outOfBand.setEnabled("svm1", false);
      sim.outOfBand.deleteService("svm1");
      expect(sim.service("svm1")).to.equal(undefined);
      expect(sim.requests).to.have.length(0);
    });

    it("returns copies of state", () => {
      const s = sim.service("svm3");
      if (s) s.enabled = true;
      expect(sim.service("svm3")?.enabled).to.equal(false);
    });
  });
});
