import { expect } from "chai";
import { basic, call, field, SERVICES } from "../../../tools/simulator/client";
import { startSimulator } from "../../../tools/simulator/index";
import { atLeast, fieldExists, INTRODUCED, RELEASES, routeExists } from "../../../tools/simulator/releases";
import { expectError, type Strict, startStrict, stopStrict } from "./helpers";

const SVM1 = "11111111-1111-4111-8111-111111111111";

describe("simulator: release personalities", () => {
  let s: Strict | undefined;
  afterEach(async () => {
    await stopStrict(s);
    s = undefined;
  });
  const at = async (ontapVersion: (typeof RELEASES)[number]) => {
    s = await startStrict({ ontapVersion, svms: [{ name: "svm1", uuid: SVM1, service: {} }] });
    return s.sim;
  };

  it("defaults to the newest release", async () => {
    s = await startStrict();
    expect(s.sim.ontapVersion).to.equal("9.16.1");
    expect(RELEASES[RELEASES.length - 1]).to.equal("9.16.1");
  });

  for (const release of RELEASES) {
    it(`${release}: /api/cluster reports the release in ONTAP's version form`, async () => {
      const sim = await at(release);
      const a = await call(sim, "GET", "/api/cluster?fields=version");
      const [generation, major, minor = 0] = release.split(".").map(Number);
      expect(field(a.json, "version")).to.deep.include({ generation, major, minor });
      expect(field(a.json, "version.full")).to.match(
        new RegExp(
          `^NetApp Release ${release.replace(/\./g, "\\.")}: \\w{3} \\w{3} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4}$`,
        ),
      );
    });
  }

  it("9.12.1's version.full is the one seen on real clusters", async () => {
    const sim = await at("9.12.1");
    const a = await call(sim, "GET", "/api/cluster?fields=version.full");
    expect(field(a.json, "version.full")).to.equal("NetApp Release 9.12.1: Tue Jan 31 19:19:43 UTC 2023");
  });

  describe("SVM allowed protocols (9.9.1)", () => {
    for (const release of ["9.6", "9.8"] as const) {
      it(`${release} rejects iscsi.allowed in fields= with 262197, failing the whole request`, async () => {
        const sim = await at(release);
        const a = await call(sim, "GET", "/api/svm/svms?fields=uuid,name,state,iscsi.allowed,nvme.enabled");
        expectError(a, 400, "262197", "fields");
        expect(field(a.json, "error.message")).to.equal(
          'The value "iscsi.allowed" is invalid for field "fields" (<field,...>)',
        );
      });
    }

    it("9.8 still has iscsi.enabled / nvme.enabled, and fields=* leaves allowed out", async () => {
      const sim = await at("9.8");
      const a = await call(sim, "GET", `/api/svm/svms/${SVM1}?fields=*`);
      expect(field(a.json, "iscsi")).to.deep.equal({ enabled: true });
      expect(field(a.json, "nvme")).to.deep.equal({ enabled: false });
      expectError(await call(sim, "GET", "/api/svm/svms?iscsi.allowed=true"), 400, "262179", "iscsi.allowed");
    });

    it("9.9.1 answers iscsi.allowed and nvme.allowed", async () => {
      const sim = await at("9.9.1");
      const a = await call(sim, "GET", `/api/svm/svms?fields=iscsi.allowed,nvme.allowed`);
      expect(field(a.json, "records.0.iscsi.allowed")).to.equal(true);
      expect(field(a.json, "records.0.nvme.allowed")).to.equal(true);
    });
  });

  describe("iSCSI service performance (9.7) and metrics samples (9.14)", () => {
    it("9.6 has no metric/statistics and no /metrics endpoint (404 code 3, an expected answer)", async () => {
      const sim = await at("9.6");
      expectError(await call(sim, "GET", `${SERVICES}?fields=metric`), 400, "262197", "fields");
      const all = await call(sim, "GET", `${SERVICES}/${SVM1}?fields=**`);
      expect(all.json).to.have.all.keys("svm", "enabled", "target", "_links");
      const metrics = await call(sim, "GET", `${SERVICES}/${SVM1}/metrics`);
      expect(metrics.status).to.equal(404);
      expect(metrics.json).to.deep.equal({ error: { message: "API not found", code: "3" } });
    });

    it("9.8 has metric/statistics and /metrics, but not /metrics/{timestamp}", async () => {
      const sim = await at("9.8");
      const one = await call(sim, "GET", `${SERVICES}/${SVM1}?fields=metric.iops.total,statistics`);
      expect(one.json).to.have.nested.property("metric.iops.total");
      const list = await call(sim, "GET", `${SERVICES}/${SVM1}/metrics`);
      expect(list.status).to.equal(200);
      const ts = field(list.json, "records.0.timestamp") as string;
      const sample = await call(sim, "GET", `${SERVICES}/${SVM1}/metrics/${encodeURIComponent(ts)}`);
      expectError(sample, 404, "3");
    });

    it("9.14.1 answers /metrics/{timestamp}", async () => {
      const sim = await at("9.14.1");
      const list = await call(sim, "GET", `${SERVICES}/${SVM1}/metrics`);
      const ts = field(list.json, "records.0.timestamp") as string;
      const sample = await call(sim, "GET", `${SERVICES}/${SVM1}/metrics/${encodeURIComponent(ts)}`);
      expect(sample.status).to.equal(200);
    });
  });

  describe("cluster personality fields", () => {
    it("before 9.16.1, disaggregated is an invalid field; san_optimized exists from 9.7", async () => {
      let sim = await at("9.14.1");
      expectError(await call(sim, "GET", "/api/cluster?fields=san_optimized,disaggregated"), 400, "262197");
      expect((await call(sim, "GET", "/api/cluster?fields=san_optimized")).json).to.deep.include({
        san_optimized: false,
      });
      expect(await call(sim, "GET", "/api/cluster").then((a) => a.json)).to.not.have.property(
        "disaggregated",
      );
      await stopStrict(s);
      sim = await at("9.6");
      expectError(await call(sim, "GET", "/api/cluster?fields=san_optimized"), 400, "262197");
    });

    it("9.16.1 answers both, and ASA r2 exists only there", async () => {
      const sim = await at("9.16.1");
      const a = await call(sim, "GET", "/api/cluster?fields=san_optimized,disaggregated");
      expect(a.json).to.deep.include({ san_optimized: false, disaggregated: false });
      let error: Error | undefined;
      await startSimulator({ http: true, asaR2: true, ontapVersion: "9.14.1" }).catch((e) => (error = e));
      expect(error?.message).to.match(/ASA r2 .*9\.16\.1/);
    });
  });

  describe("licences", () => {
    it("9.9.1 rejects fields=entitlement with 262197 and lists base", async () => {
      const sim = await at("9.9.1");
      const a = await call(sim, "GET", "/api/cluster/licensing/licenses?fields=name,entitlement");
      expectError(a, 400, "262197", "fields");
      expect(field(a.json, "error.message")).to.equal(
        'The value "entitlement" is invalid for field "fields" (<field,...>)',
      );
      const names = await call(sim, "GET", "/api/cluster/licensing/licenses");
      expect((field(names.json, "records") as Array<{ name: string }>).map((r) => r.name)).to.include("base");
    });

    it("9.10.1 answers entitlement and still lists base; 9.12.1 no longer lists base", async () => {
      let sim = await at("9.10.1");
      const a = await call(sim, "GET", "/api/cluster/licensing/licenses?name=iscsi&fields=state,entitlement");
      expect(field(a.json, "records.0")).to.deep.include({
        state: "compliant",
        entitlement: { action: "none", risk: "low" },
      });
      expect((await call(sim, "GET", "/api/cluster/licensing/licenses?name=base")).json).to.have.property(
        "num_records",
        1,
      );
      await stopStrict(s);
      sim = await at("9.12.1");
      expect((await call(sim, "GET", "/api/cluster/licensing/licenses?name=base")).json).to.have.property(
        "num_records",
        0,
      );
    });
  });

  it("bearer tokens work from 9.14.1; older releases answer 401 and offer only Basic", async () => {
    s = await startStrict({ ontapVersion: "9.12.1", bearerTokens: ["tok"] });
    const old = await call(s.sim, "GET", "/api/cluster", { auth: "Bearer tok" });
    expect(old.status).to.equal(401);
    expect(String(old.headers["www-authenticate"])).to.equal('Basic realm="ONTAP"');
    expect((await call(s.sim, "GET", "/api/cluster", { auth: basic("admin", "netapp123") })).status).to.equal(
      200,
    );
    await stopStrict(s);
    s = await startStrict({ ontapVersion: "9.14.1", bearerTokens: ["tok"] });
    expect((await call(s.sim, "GET", "/api/cluster", { auth: "Bearer tok" })).status).to.equal(200);
  });

  it("refuses a release it cannot be, and versions that disagree", async () => {
    for (const options of [
      { ontapVersion: "9.13.1" },
      { version: "9.7" },
      { ontapVersion: "9.8", version: "9.6" },
    ]) {
      let error: Error | undefined;
      // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
      await startSimulator({ http: true, ...(options as any) }).catch((e) => (error = e));
      expect(error, JSON.stringify(options)).to.be.instanceOf(Error);
    }
    const legacy = await startSimulator({ http: true, version: "9.8" });
    expect(legacy.ontapVersion).to.equal("9.8");
    await legacy.stop();
  });

  describe("the table", () => {
    it("orders releases, 9.14 features included in 9.14.1", () => {
      expect(atLeast("9.14.1", "9.14")).to.equal(true);
      expect(atLeast("9.10.1", "9.9.1")).to.equal(true);
      expect(atLeast("9.8", "9.9.1")).to.equal(false);
      expect(routeExists("9.14.1", "service-metric-sample")).to.equal(true);
      expect(routeExists("9.12.1", "service-metric-sample")).to.equal(false);
      expect(fieldExists("9.6", "service", "metric.iops.total")).to.equal(false);
      expect(fieldExists("9.6", "service", "target.alias")).to.equal(true);
    });

    it("every row names a source and a release the table can order", () => {
      for (const row of INTRODUCED) {
        expect(row.note).to.match(/\[(doc|lib|ansible|obs|inferred|tf)\]/);
        expect(row.since).to.match(/^9\.\d+(\.\d+)?$/);
      }
    });
  });
});
