import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../provider";
import type { TestCluster } from "../support/cluster";
import { until } from "../support/until";
import {
  appliedWrites,
  checked,
  expectTruthful,
  fastCluster,
  inputs,
  rejection,
  SERVICES,
  seeded,
} from "./helpers";

const JOBS = "/api/cluster/jobs";

/** The requests after the first one with `method`, as "METHOD path" (the service UUID shown as {uuid}). */
function requestsAfterFirst(c: TestCluster, method: string): string[] {
  const start = c.sim.requests.findIndex((r) => r.method === method);
  const uuid = c.sim.svm("svm1")?.uuid ?? "";
  return c.sim.requests.slice(start + 1).map((r) => `${r.method} ${r.path.replace(uuid, "{uuid}")}`);
}

describe("lost responses", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  describe("create", () => {
    it("reads first after a lost answer, and takes over the service its own POST made (preflight proof)", async () => {
      c = await fastCluster();
      const checkedInputs = await checked(c, { svmName: "svm1", targetAlias: "web" });
      c.sim.clearRequests();
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      const { outs } = await c.provider.create(checkedInputs);
      expect(requestsAfterFirst(c, "POST")).to.deep.equal([`GET ${SERVICES}`]);
      expect(appliedWrites(c.sim, "POST")).to.equal(1);
      expect(c.sim.requests.filter((r) => r.method === "POST")).to.have.length(1);
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
      expect(outs).to.include({ adopted: false, targetAlias: "web" });
      expect(c.logs.join("\n")).to.not.match(/Adopted/);
    });

    it("does not take for its own a service with other settings that an administrator made before the lost POST's read", async () => {
      c = await fastCluster();
      const checkedInputs = await checked(c, { svmName: "svm1", targetAlias: "web" });
      // After the preflight saw svm1 without a service: an administrator makes one, then the
      // POST (refused: 5374077) loses its answer.
      c.sim.outOfBand.createService("svm1", { enabled: false, alias: "theirs" });
      c.sim.clearRequests();
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      const err = await rejection(c.provider.create(checkedInputs));
      expect(err.name).to.equal("LostCreateError");
      expect(err.message).to.include("set adopt: true");
      expect(c.sim.requests.filter((r) => r.method === "PATCH")).to.deep.equal([]);
      expect(c.sim.service("svm1")).to.include({ enabled: false, alias: "theirs" });
    });

    it("POSTs once more only when the read after a lost answer finds nothing", async () => {
      c = await fastCluster();
      const checkedInputs = await checked(c, { svmName: "svm1" });
      c.sim.clearRequests();
      c.sim.injectFault({ kind: "reset-before", method: "POST", path: SERVICES });
      const { outs } = await c.provider.create(checkedInputs);
      expect(c.sim.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        `POST ${SERVICES}`,
        `GET ${SERVICES}`,
        `POST ${SERVICES}`,
      ]);
      expect(appliedWrites(c.sim, "POST")).to.equal(1);
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
    });

    it("reconciles again when the second POST's answer is lost too", async () => {
      c = await fastCluster();
      const checkedInputs = await checked(c, { svmName: "svm1", targetAlias: "web" });
      c.sim.injectFault({ kind: "reset-before", method: "POST", path: SERVICES });
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      const { outs } = await c.provider.create(checkedInputs);
      expect(appliedWrites(c.sim, "POST")).to.equal(1);
      expect(c.sim.services()).to.have.length(1);
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
      expect(outs).to.include({ adopted: false });
    });

    it("reconciles an async create whose job could not be polled, when the first job refuses the second POST", async () => {
      const cluster = await fastCluster();
      c = cluster;
      const checkedInputs = await checked(c, { svmName: "svm1", targetAlias: "web" });
      // Jobs run until the test ends them: the first is still running when the read back comes.
      c.sim.setAsyncJobs(true, 0, { held: true });
      // Every poll of the first job fails (4 attempts = 1 + 3 retries): the POST's outcome is unknown.
      c.sim.injectFault({ kind: "reset-before", method: "GET", path: JOBS, times: 4 });
      const creating = c.provider.create(checkedInputs);
      const posts = () => cluster.sim.requests.filter((r) => r.method === "POST").length;
      // The read back found no service: a second POST went out. Then both jobs end, in order:
      // the first makes the service, the second is refused.
      await until(() => posts() === 2, "the second POST");
      expect(c.sim.finishJobs()).to.equal(2);
      const { outs } = await creating;
      expect(posts()).to.equal(2);
      expect(appliedWrites(c.sim, "POST")).to.equal(1);
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
      expect(outs).to.include({ adopted: false, targetAlias: "web" });
    });

    it("without proof (preflight off), fails with LostCreateError advice and does not POST again", async () => {
      c = await fastCluster({}, { "ontap:preflight": "false" });
      const checkedInputs = await checked(c, { svmName: "svm1" });
      expect(c.sim.requests, "preflight off: check sends nothing").to.have.length(0);
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      const err = await rejection(c.provider.create(checkedInputs));
      expect(err.name).to.equal("LostCreateError");
      expect(err.message)
        .to.include('SVM "svm1"')
        .and.include(c.sim.host)
        .and.include("vserver iscsi show -vserver svm1")
        .and.include("adopt: true");
      expect(c.sim.requests.filter((r) => r.method === "POST")).to.have.length(1);
      expect(c.sim.services()).to.have.length(1);

      // The re-run the advice asks for: adopt: true takes the service over; nothing is duplicated.
      await c.newRun();
      const { outs } = await c.provider.create(await checked(c, { svmName: "svm1", adopt: true }));
      expect(appliedWrites(c.sim, "POST")).to.equal(1);
      expect(c.sim.services()).to.have.length(1);
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
      expect(outs).to.include({ adopted: true });
    });

    it("says the outcome is unknown when the read after a lost answer fails too", async () => {
      c = await fastCluster();
      const checkedInputs = await checked(c, { svmName: "svm1" });
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      c.sim.injectFault({ kind: "http-error", status: 503, method: "GET", path: SERVICES, times: 10 });
      const err = await rejection(c.provider.create(checkedInputs));
      expect(err.name).to.equal("LostCreateError");
      expect(err.message)
        .to.include("reading the cluster back failed too, so the service may or may not exist now")
        .and.include("resource limit exceeded [ONTAP 7, GET")
        .and.include("adopt: true");
      expect(c.sim.requests.filter((r) => r.method === "POST")).to.have.length(1);
    });

    it("on ASA r2, adopts after a lost answer knowing it is ASA r2, so destroy leaves the service in place", async () => {
      c = await fastCluster({ asaR2: true });
      const wanted = await checked(c, { svmName: "svm1", adopt: true });
      c.sim.clearRequests();
      // ONTAP refuses the POST (5376452: every SVM has its service), and that answer is lost.
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      const { outs } = await c.provider.create(wanted);
      expect(outs).to.include({ adopted: true, asaR2: true });
      c.sim.clearRequests();
      await c.provider.delete(outs?.svmUuid ?? "", outs as IscsiServiceOutputs);
      expect(
        c.sim.requests.filter((r) => r.method !== "GET"),
        "no write: no outage",
      ).to.deep.equal([]);
      expect(c.sim.service("svm1")).to.include({ enabled: true });
    });

    it("does not claim preflight was off when the preflight could not look for a service", async () => {
      c = await fastCluster();
      // The preflight's service lookup fails: check passes with a warning but records no proof.
      c.sim.injectFault({ kind: "http-error", status: 500, method: "GET", path: SERVICES });
      const checkedInputs = await checked(c, { svmName: "svm1" });
      expect(c.logs.join("\n")).to.match(/cannot check for an existing iSCSI service/);
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      const err = await rejection(c.provider.create(checkedInputs));
      expect(err.name).to.equal("LostCreateError");
      expect(err.message).to.not.match(/was not looked up/);
      expect(err.message).to.include("did not see this SVM without a service").and.include("adopt: true");
      expect(c.sim.requests.filter((r) => r.method === "POST")).to.have.length(1);
      expect(appliedWrites(c.sim, "POST")).to.equal(1);
    });

    it("never lets a second resource on the same SVM take over the service another create of this run made", async () => {
      c = await fastCluster();
      // Two resources name svm1 (a mistake). The second one's check already refuses it ...
      const first = await checked(c, { svmName: "svm1", targetAlias: "a" });
      const refused = await c.provider.check({}, { svmName: "svm1", targetAlias: "b" });
      expect(refused.failures?.map((f) => f.property)).to.deep.equal(["svmName"]);
      expect(refused.failures?.[0]?.reason).to.include(
        'Another IscsiService resource in this stack names the same SVM "svm1"',
      );
      // ... and should its create run anyway (an untargeted resource of a `--target` run is not checked):
      const second = inputs({ targetAlias: "b" });
      const { outs } = await c.provider.create(first);
      // The second POST is refused (5374077), and that answer is lost.
      c.sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES });
      const err = await rejection(c.provider.create(second));
      expect(err.message).to.include('SVM "svm1"');
      expect(appliedWrites(c.sim, "POST"), "only the first create's POST was applied").to.equal(1);
      expect(c.sim.service("svm1")?.alias, "the first resource's service is untouched").to.equal("a");
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
    });
  });

  describe("half-done create", () => {
    it("records a created service whose follow-up PATCH failed (id, properties), so a re-run finishes it", async () => {
      c = await fastCluster();
      const wanted = await checked(c, { svmName: "svm1", targetAlias: "" });
      // The POST cannot send an empty alias: a PATCH clears it after the create, and that PATCH fails.
      c.sim.injectFault({ kind: "http-error", status: 500, method: "PATCH" });
      const err = (await rejection(c.provider.create(wanted))) as Error & {
        id?: string;
        properties?: IscsiServiceOutputs;
        reasons?: string[];
      };
      const live = c.sim.service("svm1");
      expect(err.name).to.equal("PartialCreateError");
      expect(err.message).to.include('SVM "svm1"').and.include("recorded in the stack");
      expect(err.id, "id: the engine records the resource").to.equal(live?.svmUuid);
      expect(err.reasons).to.have.length(1);
      expectTruthful(err.properties, live);

      // The next pulumi up: the recorded resource differs from its inputs, so the engine updates it.
      const recorded = err.properties as IscsiServiceOutputs;
      expect((await c.provider.diff(recorded.svmUuid, recorded, wanted)).changes).to.equal(true);
      const { outs } = await c.provider.update(recorded.svmUuid, recorded, wanted);
      expect(c.sim.service("svm1")?.alias).to.equal("");
      expect(appliedWrites(c.sim, "POST")).to.equal(1);
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
    });
  });

  describe("update", () => {
    it("repeats a PATCH whose answers were lost twice, and converges", async () => {
      c = await fastCluster();
      const olds = await seeded(c, { svmName: "svm1", targetAlias: "web" });
      c.sim.injectFault({ kind: "reset-after", method: "PATCH", times: 2 });
      const { outs } = await c.provider.update(olds.svmUuid, olds, inputs({ targetAlias: "db" }));
      expect(c.sim.requests.filter((r) => r.method === "PATCH").map((r) => r.applied)).to.deep.equal([
        true,
        true,
        true,
      ]);
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
    });

    it("after answers lost beyond the retries, a re-run from the old outputs converges", async () => {
      c = await fastCluster();
      const olds = await seeded(c, { svmName: "svm1", targetAlias: "web" });
      c.sim.injectFault({ kind: "reset-after", method: "PATCH", times: 10 });
      const err = await rejection(
        c.provider.update(olds.svmUuid, olds, inputs({ enabled: false, targetAlias: "web" })),
      );
      expect(err.message).to.include('SVM "svm1"');
      c.sim.clearFaults();
      const { outs } = await c.provider.update(
        olds.svmUuid,
        olds,
        inputs({ enabled: false, targetAlias: "web" }),
      );
      expect(c.sim.service("svm1")).to.include({ enabled: false, alias: "web" });
      expectTruthful(outs as IscsiServiceOutputs, c.sim.service("svm1"));
    });
  });

  describe("delete", () => {
    it("treats a DELETE whose answer was lost as done once the retry finds the service gone", async () => {
      c = await fastCluster();
      const olds = await seeded(c, { svmName: "svm1" });
      c.sim.injectFault({ kind: "reset-after", method: "DELETE" });
      await c.provider.delete(olds.svmUuid, olds);
      expect(requestsAfterFirst(c, "DELETE")).to.deep.equal([`DELETE ${SERVICES}/{uuid}`]);
      expect(c.sim.services()).to.deep.equal([]);
    });

    it("after DELETE answers lost beyond the retries, finds the service gone instead of reporting a failure", async () => {
      c = await fastCluster();
      const olds = await seeded(c, { svmName: "svm1" });
      c.sim.injectFault({ kind: "reset-after", method: "DELETE", times: 10 });
      await c.provider.delete(olds.svmUuid, olds);
      expect(appliedWrites(c.sim, "DELETE")).to.equal(1);
      expect(c.sim.services()).to.deep.equal([]);
      expect(c.logs.join("\n")).to.not.match(/re-enabled/);
    });

    it("repeats a disabling PATCH whose answer was lost, then deletes", async () => {
      c = await fastCluster();
      const olds = await seeded(c, { svmName: "svm1" });
      c.sim.injectFault({ kind: "reset-after", method: "PATCH" });
      await c.provider.delete(olds.svmUuid, olds);
      expect(c.sim.requests.filter((r) => r.method !== "GET").map((r) => r.method)).to.deep.equal([
        "PATCH",
        "PATCH",
        "DELETE",
      ]);
      expect(c.sim.services()).to.deep.equal([]);
    });
  });
});
