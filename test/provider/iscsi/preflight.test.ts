import { createServer } from "node:net";
import * as path from "node:path";
import { expect } from "chai";
import type { IscsiServiceInputs, IscsiServiceOutputs } from "../../../provider";
import { validateInputs } from "../../../provider/iscsi/validate";
import { CheckFailedError, DeploymentError, Engine } from "../../../tools/engine";
import { repoRoot } from "../../../tools/paths";
import type { SimulatorOptions, SvmSeed } from "../../../tools/simulator/types";
import { startCluster, type TestCluster } from "../../support/cluster";
import { rejectionOf } from "../../support/rejection";

const BASIC = path.join(repoRoot, "examples/basic");

/** Creates the service in a run of its own; what follows is the next run. */
async function created(c: TestCluster, inputs: IscsiServiceInputs): Promise<IscsiServiceOutputs> {
  const { outs } = await c.provider.create(inputs);
  if (!outs) throw new Error("create returned no outputs");
  await c.newRun();
  return outs;
}

/** A TCP port that nothing listens on. */
/** A port that accepts TCP connections, counts them, and drops each at once: a cluster that cannot answer. */
async function droppingPort(): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  return {
    port,
    connections: () => connections,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe("preflight in check", () => {
  let c: TestCluster;
  afterEach(async () => c?.stop());

  const requests = () => c.sim.requests.map((r) => `${r.method} ${r.path}`);
  const onlyReads = () => c.sim.requests.every((r) => r.method === "GET");

  describe("failures a create would hit, with the create's own diagnostic", () => {
    const stopped: SvmSeed = { name: "svm1", state: "stopped" };
    const cases: Array<[string, SimulatorOptions, Record<string, unknown>, string, string, RegExp]> = [
      ["the SVM does not exist", {}, { svmName: "nosuch" }, "svmName", "2621462", /vserver show/],
      [
        "the SVM is stopped",
        { svms: [stopped] },
        { svmName: "svm1" },
        "svmName",
        "5374893",
        /vserver start -vserver svm1/,
      ],
      [
        "iSCSI is not an allowed protocol",
        { svms: [{ name: "svm1", iscsiAllowed: false }] },
        { svmName: "svm1" },
        "svmName",
        "2621507",
        /vserver add-protocols -vserver svm1 -protocols iscsi/,
      ],
      [
        "the SVM is configured for NVMe",
        { svms: [{ name: "svm1", nvmeConfigured: true }] },
        { svmName: "svm1" },
        "svmName",
        "5373966",
        /vserver nvme delete -vserver svm1/,
      ],
      [
        "the cluster has no iSCSI license",
        { iscsiLicensed: false },
        { svmName: "svm1" },
        "",
        "1115127",
        /system license add/,
      ],
      [
        "a service exists and adopt is not set",
        { svms: [{ name: "svm1", service: { alias: "theirs" } }] },
        { svmName: "svm1" },
        "adopt",
        "5374077",
        /adopt: true/,
      ],
      [
        "the cluster is ASA r2 and adopt is not set",
        { asaR2: true },
        { svmName: "svm1" },
        "adopt",
        "5376452",
        /adopt: true/,
      ],
    ];
    for (const [what, sim, news, property, code, fix] of cases) {
      it(`fails check when ${what} (${code}), sending only GETs`, async () => {
        c = await startCluster(sim);
        const { failures } = await c.provider.check({}, news);
        expect(failures?.map((f) => f.property)).to.deep.equal([property]);
        const reason = failures?.[0]?.reason ?? "";
        expect(reason).to.contain(`[ONTAP ${code}, POST /api/protocols/san/iscsi/services]`).and.match(fix);
        expect(onlyReads()).to.equal(true);
        // The apply would have said the same, word for word.
        const created = await rejectionOf(c.provider.create(validateInputs(news).inputs));
        expect(reason).to.contain(created.message);
      });
    }

    it("names svmUuid for an SVM given by a UUID that does not exist", async () => {
      c = await startCluster();
      const { failures } = await c.provider.check({}, { svmUuid: "00000000-0000-4000-8000-000000000000" });
      expect(failures?.map((f) => f.property)).to.deep.equal(["svmUuid"]);
      expect(failures?.[0]?.reason).to.match(/2621462/);
    });

    it("reports an SVM name and UUID that name two different SVMs (2621706)", async () => {
      c = await startCluster();
      const other = c.sim.svm("svm2")?.uuid;
      const { failures } = await c.provider.check({}, { svmName: "svm1", svmUuid: other });
      expect(failures?.map((f) => f.property)).to.deep.equal(["svmUuid"]);
      expect(failures?.[0]?.reason).to.match(/2621706/);
    });

    it("reports every problem of the SVM at once, with the SVM's name in each fix", async () => {
      const uuid = "3f2b8c1e-5a4d-4c3b-9e2f-1a2b3c4d5e6f";
      c = await startCluster({ svms: [{ name: "svm1", uuid, iscsiAllowed: false, nvmeConfigured: true }] });
      const { failures } = await c.provider.check({}, { svmUuid: uuid });
      expect(failures?.map((f) => f.property)).to.deep.equal(["svmUuid", "svmUuid"]);
      expect(failures?.[0]?.reason).to.match(/vserver nvme modify -vserver svm1/);
      expect(failures?.[1]?.reason).to.match(/vserver add-protocols -vserver svm1/);
    });

    it("reports a stopped SVM with the vserver start advice (ONTAP hides a stopped SVM's protocols)", async () => {
      const uuid = "3f2b8c1e-5a4d-4c3b-9e2f-1a2b3c4d5e6f";
      c = await startCluster({ svms: [{ name: "svm1", uuid, state: "stopped", iscsiAllowed: false }] });
      const { failures } = await c.provider.check({}, { svmUuid: uuid });
      expect(failures?.map((f) => f.property)).to.deep.equal(["svmUuid"]);
      expect(failures?.[0]?.reason).to.match(/vserver start -vserver svm1/);
    });

    it("passes an existing service with adopt, and ASA r2 with adopt", async () => {
      c = await startCluster({ svms: [{ name: "svm1", service: {} }] });
      expect((await c.provider.check({}, { svmName: "svm1", adopt: true })).failures).to.deep.equal([]);
      await c.stop();
      c = await startCluster({ asaR2: true });
      expect((await c.provider.check({}, { svmName: "svm1", adopt: true })).failures).to.deep.equal([]);
    });
  });

  describe("requests", () => {
    it("asks 4 GETs at once for the first new service on a cluster, then reads SVMs and services once for the rest", async () => {
      c = await startCluster();
      const first = await c.provider.check({}, { svmName: "svm1" });
      expect(first.failures).to.deep.equal([]);
      expect(requests().sort()).to.deep.equal([
        "GET /api/cluster",
        "GET /api/cluster/licensing/licenses",
        "GET /api/protocols/san/iscsi/services",
        "GET /api/svm/svms",
      ]);
      c.sim.clearRequests();
      await c.provider.check({}, { svmName: "svm2" });
      expect(requests().sort()).to.deep.equal(["GET /api/protocols/san/iscsi/services", "GET /api/svm/svms"]);
      // Whole collections (no name filter), kept for the run: a third new service sends nothing.
      expect(
        c.sim.requests.every((r) => r.query.name === undefined && r.query["svm.name"] === undefined),
      ).to.equal(true);
      c.sim.clearRequests();
      await c.provider.check({}, { svmName: "svm1", targetAlias: "x" }).catch(() => undefined);
      expect(c.sim.requests).to.deep.equal([]);
    });

    it("sends no request on a no-op check of an existing service, before or after a refresh", async () => {
      c = await startCluster();
      const olds = { svmName: "svm1", enabled: true, adopt: false };
      const outs = await created(c, olds);
      c.sim.clearRequests();
      expect(await c.provider.check(olds, { svmName: "svm1", targetAlias: "db" })).to.deep.include({
        failures: [],
      });
      expect(c.sim.requests).to.deep.equal([]);
      await c.newRun();
      const refreshed = await c.provider.read(outs.svmUuid, outs);
      await c.newRun();
      c.sim.clearRequests();
      const afterRefresh = refreshed.inputs as unknown as Record<string, unknown>;
      expect(afterRefresh).to.include({ svmName: "svm1" }).and.not.have.property("svmUuid");
      expect((await c.provider.check(afterRefresh, { svmName: "svm1" })).failures).to.deep.equal([]);
      expect(c.sim.requests).to.deep.equal([]);
    });

    it("does not count the resource's own service against it when its SVM is named another way", async () => {
      c = await startCluster();
      const olds: IscsiServiceInputs = { svmName: "svm1", enabled: true, adopt: false };
      const outs = await created(c, olds);
      const { failures } = await c.provider.check({ ...olds }, { svmUuid: outs.svmUuid });
      expect(failures).to.deep.equal([]);
    });

    it("looks up the new SVM when an existing resource moves to another one", async () => {
      c = await startCluster({ svms: ["svm1", { name: "svm2", state: "stopped" }] });
      const olds = { svmName: "svm1", enabled: true, adopt: false };
      await created(c, olds);
      const { failures } = await c.provider.check(olds, { svmName: "svm2" });
      expect(failures?.[0]?.reason).to.match(/vserver start -vserver svm2/);
    });

    it("is skipped when ontap:preflight is false", async () => {
      c = await startCluster({ svms: [{ name: "svm1", state: "stopped" }] }, { "ontap:preflight": "false" });
      expect((await c.provider.check({}, { svmName: "svm1" })).failures).to.deep.equal([]);
      expect(c.sim.requests).to.deep.equal([]);
    });

    it("skips a create whose SVM is not known yet (preview unknown)", async () => {
      c = await startCluster();
      const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
      expect((await c.provider.check({}, { svmName: unknown })).failures).to.deep.equal([]);
      expect(c.sim.requests).to.deep.equal([]);
    });
  });

  describe("when the cluster cannot answer", () => {
    it("fails the check on an unreachable cluster, with the preflight-off fix; later resources fail without a request", async () => {
      c = await startCluster({ svms: [{ name: "svm1", state: "stopped" }] });
      // No retries: the refused connection fails at once (the default policy retries for seconds).
      const dropping = await droppingPort();
      try {
        await c.reconfigure({ "ontap:host": `127.0.0.1:${dropping.port}`, "ontap:retries": "0" });
        const { failures } = await c.provider.check({}, { svmName: "svm1" });
        expect(failures?.map((f) => f.property)).to.deep.equal([""]);
        const [first] = (failures ?? []).map((f) => f.reason.split("\n"));
        expect(first[0]).to.equal(
          `Preflight (a read-only lookup; nothing was changed) could not ask cluster 127.0.0.1:${dropping.port} whether this service can be created, and the create would fail the same way:`,
        );
        expect(first[1]).to.match(
          /^Could not reach cluster 127\.0\.0\.1:\d+ to run the preflight lookup on SVM "svm1": /,
        );
        expect(first.at(-1)).to.match(
          /^If this runner cannot reach the cluster by design, turn the preflight off for it: pulumi config set ontap:preflight false \(or ONTAP_PREFLIGHT=false\)\./,
        );
        const tried = dropping.connections();
        expect(tried, "the first preflight did try the cluster").to.be.above(0);
        const second = await c.provider.check({}, { svmName: "svm2" });
        expect(dropping.connections(), "the second preflight did not try again").to.equal(tried);
        expect(second.failures?.[0]?.reason).to.match(
          /could not ask cluster .* \(it failed moments ago in this run, so no request was sent again\)/,
        );
        expect(c.logs.filter((l) => l.startsWith("warn:"))).to.deep.equal([]);
        expect(c.sim.requests).to.deep.equal([]);
      } finally {
        await dropping.close();
      }
    });

    it("fails the check on a host name that does not resolve, naming ontap:host, without the preflight-off fix", async () => {
      c = await startCluster();
      await c.reconfigure({ "ontap:host": "cluster1.invalid" });
      const { failures } = await c.provider.check({}, { svmName: "svm1" });
      const reason = failures?.[0]?.reason ?? "";
      expect(reason)
        .to.include("(ENOTFOUND)")
        .and.include('the host name "cluster1.invalid" does not resolve: correct ontap:host (ONTAP_HOST)')
        .and.not.include("ontap:preflight false");
    });

    it("fails the check on refused credentials (401), naming where the password came from", async () => {
      c = await startCluster();
      await c.reconfigure({ "ontap:password": "wrong-password" });
      const { failures } = await c.provider.check({}, { svmName: "svm1" });
      const reason = failures?.[0]?.reason ?? "";
      expect(reason)
        .to.include('ONTAP rejected the credentials while trying to run the preflight lookup on SVM "svm1"')
        .and.include("[HTTP 401, GET ")
        .and.include("Fix: check the user name and password from ontap:username/ontap:password")
        .and.not.include("ontap:preflight false");
      expect(c.sim.requests.filter((r) => r.method !== "GET")).to.deep.equal([]);
    });

    it("a profile's unreachable cluster fails the check under `cluster`", async () => {
      c = await startCluster();
      const dropping = await droppingPort();
      try {
        await c.reconfigure({
          "ontap:clusters": {
            lab: { host: `127.0.0.1:${dropping.port}`, username: "admin", password: "pw", retries: 0 },
          },
        });
        const { failures } = await c.provider.check({}, { svmName: "svm1", cluster: "lab" });
        expect(failures?.map((f) => f.property)).to.deep.equal(["cluster"]);
      } finally {
        await dropping.close();
      }
    });

    it("skips only the license check when the account may not read licenses, warning once", async () => {
      c = await startCluster({ svms: [{ name: "svm1", state: "stopped" }, "svm2"] });
      c.sim.injectFault({ kind: "http-error", status: 403, code: "6", path: /licensing/, times: 5 });
      const { failures } = await c.provider.check({}, { svmName: "svm1" });
      expect(failures?.map((f) => f.reason)).to.have.length(1);
      expect(failures?.[0]?.reason).to.match(/5374893/);
      await c.provider.check({}, { svmName: "svm2" });
      const warnings = c.logs.filter((l) => l.startsWith("warn:") && l.includes("the iSCSI license"));
      expect(warnings).to.have.length(1);
    });

    it("treats a release that does not know `disaggregated` (262197) as not ASA r2", async () => {
      c = await startCluster({ svms: [{ name: "svm1", service: {} }] });
      c.sim.injectFault({ kind: "http-error", status: 400, code: "262197", path: /^\/api\/cluster$/ });
      const { failures } = await c.provider.check({}, { svmName: "svm1" });
      expect(failures?.[0]?.reason).to.match(/5374077/);
      expect(c.logs.filter((l) => l.startsWith("warn:"))).to.deep.equal([]);
    });
  });

  describe("through the real dynamic provider host", () => {
    let engine: Engine | undefined;
    afterEach(async () => engine?.stop());

    /** The basic example, configured for the simulator of `c`. */
    function basic(): Engine {
      return new Engine({
        programDir: BASIC,
        packageLinks: { "pulumi-ontap-iscsi": repoRoot },
        config: {
          "ontap:host": c.sim.host,
          "ontap:username": "admin",
          "ontap:password": "netapp123",
          "ontap:caCert": c.sim.caCert ?? "",
          "ontap-iscsi-basic:svmName": "svm1",
        },
        secretKeys: ["ontap:password"],
      });
    }

    it("fails a preview of a create onto a stopped SVM at Check, with the vserver start advice and no write", async () => {
      c = await startCluster({ svms: [{ name: "svm1", state: "stopped" }] });
      engine = basic();
      const err = await rejectionOf(engine.preview());
      expect(err).to.be.instanceOf(DeploymentError);
      const cause = (err as DeploymentError).cause;
      expect(cause).to.be.instanceOf(CheckFailedError);
      const [failure] = (cause as CheckFailedError).failures;
      expect(failure?.property).to.equal("svmName");
      expect(failure?.reason)
        .to.match(/5374893/)
        .and.match(/Fix: vserver start -vserver svm1/);
      expect(onlyReads()).to.equal(true);
    });

    it("sends no request on a no-op preview after the service was created", async () => {
      c = await startCluster();
      engine = basic();
      await engine.up();
      expect(c.sim.service("svm1")).to.not.equal(undefined);
      c.sim.clearRequests();
      const preview = await engine.preview();
      expect(preview.summary).to.deep.equal({ same: 1 });
      expect(c.sim.requests).to.deep.equal([]);
    });
  });
});
