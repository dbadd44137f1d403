import { expect } from "chai";
import { call, SERVICES } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";
import { expectError } from "./helpers";

describe("simulator: ONTAP error codes", () => {
  let sim: SimulatorInstance;
  let unexpected: string[];
  beforeEach(async () => {
    unexpected = [];
    sim = await startSimulator({
      http: true,
      onUnexpected: (line) => unexpected.push(line),
      svms: [
        "svm1",
        { name: "on", service: {} },
        { name: "off", service: { enabled: false } },
        { name: "stopped", state: "stopped" },
        { name: "noiscsi", iscsiAllowed: false },
        { name: "nvme", nvmeConfigured: true },
      ],
    });
  });
  afterEach(() => sim.stop());
  const path = (svm: string) => `${SERVICES}/${sim.svm(svm)?.uuid}`;
  const post = (body: unknown) => call(sim, "POST", SERVICES, { body });

  it("1115127: POST without an iSCSI license", async () => {
    sim.outOfBand.setIscsiLicensed(false);
    expectError(await post({ svm: { name: "svm1" } }), 400, "1115127");
    expect(sim.service("svm1")).to.equal(undefined);
  });

  it("2621462: an unknown SVM in the body (400) or the path (404)", async () => {
    expectError(await post({ svm: { name: "ghost" } }), 400, "2621462", "svm.name");
    expectError(
      await post({ svm: { uuid: "00000000-0000-4000-8000-000000000000" } }),
      400,
      "2621462",
      "svm.uuid",
    );
    const ghost = `${SERVICES}/00000000-0000-4000-8000-000000000000`;
    expectError(await call(sim, "GET", ghost), 404, "2621462");
    expectError(await call(sim, "PATCH", ghost, { body: { enabled: false } }), 404, "2621462");
    expectError(await call(sim, "DELETE", ghost), 404, "2621462");
  });

  it("2621507: iSCSI not allowed on the SVM", async () => {
    expectError(await post({ svm: { name: "noiscsi" } }), 400, "2621507");
    expect(sim.service("noiscsi")).to.equal(undefined);
  });

  it("2621706: svm.name and svm.uuid name different SVMs", async () => {
    expectError(await post({ svm: { name: "svm1", uuid: sim.svm("on")?.uuid } }), 400, "2621706");
  });

  it("2621707: neither svm.name nor svm.uuid", async () => {
    expectError(await post({ enabled: true }), 400, "2621707");
    expectError(await call(sim, "POST", SERVICES), 400, "2621707");
  });

  it("5373966: the SVM is configured for NVMe", async () => {
    expectError(await post({ svm: { name: "nvme" } }), 400, "5373966");
  });

  it("5374077: the SVM already has a service (409), which is left as it was", async () => {
    expectError(await post({ svm: { name: "off" }, enabled: true }), 409, "5374077");
    expect(sim.service("off")?.enabled).to.equal(false);
  });

  it("5374893: the SVM is stopped", async () => {
    expectError(await post({ svm: { name: "stopped" } }), 400, "5374893");
  });

  it("5376452: POST and DELETE on ASA r2", async () => {
    const asa = await startSimulator({ http: true, asaR2: true, svms: ["a"] });
    try {
      expectError(await call(asa, "POST", SERVICES, { body: { svm: { name: "a" } } }), 400, "5376452");
      await call(asa, "PATCH", `${SERVICES}/${asa.svm("a")?.uuid}`, { body: { enabled: false } });
      expectError(await call(asa, "DELETE", `${SERVICES}/${asa.svm("a")?.uuid}`), 400, "5376452");
      expect(asa.service("a")).to.not.equal(undefined);
    } finally {
      await asa.stop();
    }
  });

  it("5373960: DELETE of an enabled service (409), which stays", async () => {
    expectError(await call(sim, "DELETE", path("on")), 409, "5373960");
    expect(sim.service("on")?.enabled).to.equal(true);
  });

  it("5374078: GET, PATCH and DELETE on an SVM without a service (404)", async () => {
    expectError(await call(sim, "GET", path("svm1")), 404, "5374078");
    expectError(await call(sim, "PATCH", path("svm1"), { body: { enabled: true } }), 404, "5374078");
    expectError(await call(sim, "DELETE", path("svm1")), 404, "5374078");
  });

  it("5374081: PATCH changing enabled and the alias together; nothing changes", async () => {
    expectError(
      await call(sim, "PATCH", path("on"), { body: { enabled: false, target: { alias: "x" } } }),
      400,
      "5374081",
    );
    expect(sim.service("on")).to.include({ enabled: true, alias: "on" });
  });

  it("8585947: metrics of a service created moments ago (404)", async () => {
    await post({ svm: { name: "svm1" } });
    expectError(await call(sim, "GET", `${path("svm1")}/metrics`), 404, "8585947");
  });

  it("8586225: reproduced by injecting it as a fault", async () => {
    sim.injectFault({ kind: "http-error", status: 500, code: "8586225", path: `${path("on")}/metrics` });
    expectError(await call(sim, "GET", `${path("on")}/metrics`), 500, "8586225");
  });

  describe("field errors", () => {
    it("262179: an unknown field, nested or dotted, names it in target", async () => {
      expectError(await post({ svm: { name: "svm1" }, color: "red" }), 400, "262179", "color");
      expectError(await post({ svm: { name: "svm1", colour: 1 } }), 400, "262179", "svm.colour");
      expectError(
        await call(sim, "PATCH", path("on"), { body: { "target.bogus": 1 } }),
        400,
        "262179",
        "target.bogus",
      );
    });

    it("262196: read-only fields, and svm.name/svm.uuid in PATCH", async () => {
      expectError(
        await post({ svm: { name: "svm1" }, target: { name: "iqn.x" } }),
        400,
        "262196",
        "target.name",
      );
      expectError(
        await call(sim, "PATCH", path("on"), { body: { svm: { name: "x" } } }),
        400,
        "262196",
        "svm.name",
      );
      expectError(
        await call(sim, "PATCH", path("on"), { body: { "svm.uuid": "x" } }),
        400,
        "262196",
        "svm.uuid",
      );
      expectError(await call(sim, "PATCH", path("on"), { body: { metric: {} } }), 400, "262196", "metric");
    });

    it("262185: invalid values (alias rules, types)", async () => {
      for (const alias of ["has space", "x".repeat(129), "tab\there", 5]) {
        expectError(
          await call(sim, "PATCH", path("on"), { body: { target: { alias } } }),
          400,
          "262185",
          "target.alias",
        );
      }
      expectError(
        await call(sim, "PATCH", path("on"), { body: { enabled: "yes" } }),
        400,
        "262185",
        "enabled",
      );
      expect(
        (await call(sim, "PATCH", path("on"), { body: { target: { alias: "x".repeat(128) } } })).status,
      ).to.equal(200);
      expect(sim.service("on")?.alias).to.equal("x".repeat(128));
    });

    it("262199: malformed JSON, or a body that is not an object", async () => {
      expectError(await call(sim, "POST", SERVICES, { raw: '{"svm": {"name": "svm1"' }), 400, "262199");
      expectError(await call(sim, "PATCH", path("on"), { raw: "[1,2]" }), 400, "262199");
      expect(sim.service("svm1")).to.equal(undefined);
    });

    it("262179: an unknown query parameter", async () => {
      expectError(await call(sim, "GET", `${SERVICES}?colour=red`), 400, "262179", "colour");
      expectError(
        await call(sim, "POST", `${SERVICES}?force=true`, { body: { svm: { name: "svm1" } } }),
        400,
        "262179",
      );
    });
  });

  it('code 3 for an unknown API path (404, ONTAP\'s "API not found") and an unsupported method (405)', async () => {
    const a = await call(sim, "GET", "/api/protocols/san/iscsi/credentials");
    expectError(a, 404, "3");
    expect(a.json).to.deep.equal({ error: { message: "API not found", code: "3" } });
    const put = await call(sim, "PUT", SERVICES, { body: {} });
    expectError(put, 405, "3");
    expect(put.headers.allow).to.equal("GET, POST, PATCH, DELETE, HEAD, OPTIONS");
    expect(unexpected).to.have.length(2);
  });
});
