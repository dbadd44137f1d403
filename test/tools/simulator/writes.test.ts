import { expect } from "chai";
import { call, field, SERVICES } from "../../../tools/simulator/client";
import { expectError, type Strict, startStrict, stopStrict } from "./helpers";

describe("simulator: methods, bulk writes and lenient bodies", () => {
  let s: Strict;
  beforeEach(async () => {
    s = await startStrict({
      svms: [
        { name: "vs1", service: {} },
        { name: "vs2", service: {} },
        { name: "other", service: { enabled: false, alias: "keep" } },
        "none",
      ],
    });
  });
  afterEach(() => stopStrict(s));
  const path = (svm: string) => `${SERVICES}/${s.sim.svm(svm)?.uuid}`;

  describe("HEAD and OPTIONS", () => {
    it("HEAD answers GET's status and headers without a body", async () => {
      const get = await call(s.sim, "GET", path("vs1"));
      const head = await call(s.sim, "HEAD", path("vs1"));
      expect(head.status).to.equal(200);
      expect(head.text).to.equal("");
      expect(head.headers["content-type"]).to.equal(get.headers["content-type"]);
      expect(head.headers["content-length"]).to.equal(get.headers["content-length"]);
      expect((await call(s.sim, "HEAD", path("none"))).status).to.equal(404);
      expect(s.sim.requests.map((r) => r.method)).to.deep.equal(["GET", "HEAD", "HEAD"]);
    });

    it("OPTIONS lists an endpoint's methods in Allow", async () => {
      const collection = await call(s.sim, "OPTIONS", SERVICES);
      expect(collection.status).to.equal(200);
      expect(collection.text).to.equal("");
      expect(collection.headers.allow).to.equal("GET, POST, PATCH, DELETE, HEAD, OPTIONS");
      expect((await call(s.sim, "OPTIONS", path("vs1"))).headers.allow).to.equal(
        "GET, PATCH, DELETE, HEAD, OPTIONS",
      );
      expect((await call(s.sim, "OPTIONS", "/api/cluster")).headers.allow).to.equal("GET, HEAD, OPTIONS");
    });
  });

  describe("PATCH and DELETE on the collection with a query", () => {
    it("PATCH changes every service the query selects, and only those", async () => {
      const a = await call(s.sim, "PATCH", `${SERVICES}?svm.name=vs*`, { body: { enabled: false } });
      expect(a.status).to.equal(200);
      expect(a.json).to.deep.equal({ num_records: 2 });
      expect(
        s.sim
          .services()
          .map((x) => [x.svmName, x.enabled])
          .sort(),
      ).to.deep.equal([
        ["other", false],
        ["vs1", false],
        ["vs2", false],
      ]);
      const alias = await call(s.sim, "PATCH", `${SERVICES}?enabled=false&svm.name=!other`, {
        body: { target: { alias: "bulk" } },
      });
      expect(alias.json).to.deep.equal({ num_records: 2 });
      expect(s.sim.service("vs2")?.alias).to.equal("bulk");
      expect(s.sim.service("other")?.alias).to.equal("keep");
    });

    it("a bulk PATCH that one service refuses changes none", async () => {
      const a = await call(s.sim, "PATCH", `${SERVICES}?svm.name=vs1|other`, {
        body: { enabled: true, target: { alias: "x" } },
      });
      expectError(a, 400, "5374081");
      expect(s.sim.service("vs1")?.alias).to.equal("vs1");
      expect(s.sim.service("other")?.enabled).to.equal(false);
    });

    it("DELETE removes the disabled services the query selects; one enabled one refuses them all", async () => {
      expectError(await call(s.sim, "DELETE", `${SERVICES}?svm.name=*`), 409, "5373960");
      expect(s.sim.services()).to.have.length(3);
      const a = await call(s.sim, "DELETE", `${SERVICES}?enabled=false`);
      expect(a.json).to.deep.equal({ num_records: 1 });
      expect(s.sim.service("other")).to.equal(undefined);
      expect(s.sim.services()).to.have.length(2);
    });

    it("rejects an unknown filter or parameter (262179)", async () => {
      expectError(
        await call(s.sim, "PATCH", `${SERVICES}?colour=red`, { body: { enabled: true } }),
        400,
        "262179",
        "colour",
      );
      expectError(await call(s.sim, "DELETE", `${SERVICES}?continue_on_failure=true`), 400, "262179");
    });
  });

  describe("request forms real clients send", () => {
    it("accepts return_records on PATCH (and an empty svm object, as NetApp's Terraform provider sends)", async () => {
      const a = await call(s.sim, "PATCH", `${path("vs1")}?return_records=true`, {
        body: { svm: {}, enabled: false },
      });
      expect(a.status).to.equal(200);
      expect(s.sim.service("vs1")?.enabled).to.equal(false);
      expectError(
        await call(s.sim, "PATCH", `${path("vs1")}?return_records=maybe`, { body: {} }),
        400,
        "262185",
      );
    });

    it('accepts the strings "true" and "false" for enabled, as NetApp\'s own example sends them', async () => {
      expect((await call(s.sim, "PATCH", path("vs1"), { body: { enabled: "false" } })).status).to.equal(200);
      expect(s.sim.service("vs1")?.enabled).to.equal(false);
      expect((await call(s.sim, "PATCH", path("vs1"), { body: { enabled: "true" } })).status).to.equal(200);
      expect(s.sim.service("vs1")?.enabled).to.equal(true);
      const created = await call(s.sim, "POST", SERVICES, {
        body: { svm: { name: "none" }, enabled: "false" },
      });
      expect(created.status).to.equal(201);
      expect(s.sim.service("none")?.enabled).to.equal(false);
      expectError(
        await call(s.sim, "PATCH", path("vs1"), { body: { enabled: "no" } }),
        400,
        "262185",
        "enabled",
      );
    });
  });

  describe("error bodies", () => {
    it("5374081 in ONTAP's wording, with arguments", async () => {
      const a = await call(s.sim, "PATCH", path("vs1"), { body: { enabled: false, target: { alias: "y" } } });
      expect(a.json).to.deep.equal({
        error: {
          message: "Cannot modify ISCSI service status-admin and other parameters simultaneously",
          code: "5374081",
          arguments: [{ code: "", message: "vs1" }],
          target: "enabled",
        },
      });
    });

    it("errors that name a value carry it in arguments", async () => {
      const ghost = await call(s.sim, "POST", SERVICES, { body: { svm: { name: "ghost" } } });
      expect(field(ghost.json, "error.arguments")).to.deep.equal([{ code: "", message: "ghost" }]);
      const unknown = await call(s.sim, "GET", `${SERVICES}?colour=red`);
      expect(field(unknown.json, "error.arguments")).to.deep.equal([{ code: "", message: "colour" }]);
      const exists = await call(s.sim, "POST", SERVICES, { body: { svm: { name: "vs1" } } });
      expect(field(exists.json, "error.arguments")).to.deep.equal([{ code: "", message: "vs1" }]);
    });
  });
});

describe("simulator: NVMe allowed vs enabled", () => {
  let s: Strict;
  beforeEach(async () => {
    s = await startStrict({
      svms: [
        "plain",
        { name: "nvme-on", nvmeService: {} },
        { name: "nvme-off", nvmeService: { enabled: false } },
        { name: "legacy", nvmeConfigured: true },
        { name: "no-nvme", nvmeAllowed: false },
      ],
    });
  });
  afterEach(() => stopStrict(s));
  const nvme = async (name: string) =>
    field((await call(s.sim, "GET", `/api/svm/svms/${s.sim.svm(name)?.uuid}?fields=nvme`)).json, "nvme");
  const create = (name: string) => call(s.sim, "POST", SERVICES, { body: { svm: { name } } });

  it("nvme.allowed is the allowed-protocols flag (normally true); nvme.enabled is the NVMe service running", async () => {
    expect(await nvme("plain")).to.deep.equal({ allowed: true, enabled: false });
    expect(await nvme("nvme-on")).to.deep.equal({ allowed: true, enabled: true });
    expect(await nvme("nvme-off")).to.deep.equal({ allowed: true, enabled: false });
    expect(await nvme("legacy")).to.deep.equal({ allowed: true, enabled: true });
    expect(await nvme("no-nvme")).to.deep.equal({ allowed: false, enabled: false });
  });

  it("an NVMe service blocks iSCSI with 5373966 whether it is enabled or not", async () => {
    for (const name of ["nvme-on", "nvme-off", "legacy"]) expectError(await create(name), 400, "5373966");
    expect((await create("plain")).status).to.equal(201);
    expect((await create("no-nvme")).status).to.equal(201);
  });

  it("outOfBand.setNvmeService adds, changes and removes the NVMe service", async () => {
    s.sim.outOfBand.setNvmeService("plain", { enabled: false });
    expect(s.sim.svm("plain")).to.deep.include({ nvmeConfigured: true, nvmeService: { enabled: false } });
    expectError(await create("plain"), 400, "5373966");
    s.sim.outOfBand.setNvmeService("plain", undefined);
    expect(s.sim.svm("plain")?.nvmeConfigured).to.equal(false);
    expect((await create("plain")).status).to.equal(201);
  });
});
