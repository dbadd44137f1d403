import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../provider";
import { PartialCreateError, PartialUpdateError } from "../../provider";
import { purgeNextPolledJob } from "../../tools/engine/scenario";
import type { TestCluster } from "../support/cluster";
import { until } from "../support/until";
import { appliedWrites, checked, fastCluster, rejection, seeded } from "./helpers";

/**
 * Writes whose outcome the provider cannot know (answers lost on every retry, jobs that
 * cannot be polled, ONTAP 5xx, answers that are not ONTAP's): the provider must assume the
 * worst where it is dangerous and never assume "gone" on a stranger's word.
 */
describe("writes with an unknown outcome", () => {
  let c: TestCluster;
  afterEach(async () => c?.stop());

  it("re-enables a service whose disabling PATCH lost every answer, before reporting the delete's failure", async () => {
    c = await fastCluster({}, { "ontap:retries": "2" });
    const outs = await seeded(c, { svmName: "svm1" });
    c.sim.injectFault({ kind: "reset-after", method: "PATCH", times: 3 });
    const err = await rejection(c.provider.delete(outs.svmUuid, outs));
    expect(err.message).to.match(/svm1/);
    expect(c.sim.service("svm1")).to.include({ enabled: true });
    expect(c.logs.join("\n")).to.match(/re-enabled/);
  });

  it("re-enables a service whose disabling PATCH's answer was lost, even when the retry's job then fails (the first PATCH landed)", async () => {
    c = await fastCluster({}, { "ontap:retries": "2" });
    const outs = await seeded(c, { svmName: "svm1" });
    // The first PATCH is applied and its answer lost; the retry's job fails without applying.
    c.sim.injectFault({ kind: "reset-after", method: "PATCH", times: 1 });
    c.sim.injectFault({ kind: "job-failure", method: "PATCH", times: 1 });
    const err = await rejection(c.provider.delete(outs.svmUuid, outs));
    expect(err.message).to.match(/svm1/);
    const patches = c.sim.requests.filter((r) => r.method === "PATCH").map((r) => r.body);
    expect(patches).to.deep.equal([{ enabled: false }, { enabled: false }, { enabled: true }]);
    expect(c.sim.service("svm1")).to.include({ enabled: true });
    expect(c.logs.join("\n")).to.match(/re-enabled/);
  });

  it("does not re-enable after a disabling PATCH refused on every attempt (503s change nothing)", async () => {
    c = await fastCluster({}, { "ontap:retries": "2" });
    const outs = await seeded(c, { svmName: "svm1" });
    c.sim.injectFault({ kind: "http-error", status: 503, method: "PATCH", times: 3 });
    await rejection(c.provider.delete(outs.svmUuid, outs));
    const patches = c.sim.requests.filter((r) => r.method === "PATCH").map((r) => r.body);
    expect(patches).to.deep.equal([{ enabled: false }, { enabled: false }, { enabled: false }]);
    expect(c.sim.service("svm1")).to.include({ enabled: true });
  });

  it("re-enables a service whose disabling job could not be polled (403 on /api/cluster/jobs)", async () => {
    c = await fastCluster();
    const outs = await seeded(c, { svmName: "svm1" });
    // Jobs run until the test ends them: both, once the re-enabling PATCH is out.
    c.sim.setAsyncJobs(true, 0, { held: true });
    c.sim.injectFault({
      kind: "http-error",
      status: 403,
      code: "6",
      method: "GET",
      path: "/api/cluster/jobs",
      times: 1,
    });
    const deleting = rejection(c.provider.delete(outs.svmUuid, outs));
    const patchesSent = () => c.sim.requests.filter((r) => r.method === "PATCH").length;
    await until(() => patchesSent() === 2, "the re-enabling PATCH");
    expect(c.sim.finishJobs()).to.equal(2);
    const err = await deleting;
    expect(err.message).to.match(/svm1/);
    const patches = c.sim.requests.filter((r) => r.method === "PATCH").map((r) => r.body);
    expect(patches).to.deep.equal([{ enabled: false }, { enabled: true }]);
    expect(c.logs.join("\n")).to.match(/re-enabled/);
    expect(c.sim.service("svm1")).to.include({ enabled: true });
  });

  it("does not call a service deleted on a bare 404 that carries no ONTAP code (a proxy's answer)", async () => {
    c = await fastCluster();
    const outs = await seeded(c, { svmName: "svm1", enabled: false });
    c.sim.injectFault({ kind: "http-error", status: 404, code: "", method: "DELETE" });
    const err = await rejection(c.provider.delete(outs.svmUuid, outs));
    expect(err.message).to.match(/svm1/);
    expect(c.sim.service("svm1")).to.not.equal(undefined);
  });

  it("a create whose job made the service but whose read-back fails says so and how to take the service over", async () => {
    c = await fastCluster();
    const inputs = await checked(c, { svmName: "svm1" });
    c.sim.setAsyncJobs(true, 20);
    c.sim.injectFault({
      kind: "http-error",
      status: 403,
      code: "6",
      method: "GET",
      path: "/api/protocols/san/iscsi/services",
      times: 1,
    });
    const err = await rejection(c.provider.create(inputs));
    expect(err.name).to.equal("UnreadCreateError");
    expect(err.message)
      .to.include('ONTAP made the iSCSI service on SVM "svm1"')
      .and.include("set adopt: true")
      .and.include("vserver iscsi delete -vserver svm1");
    expect(c.sim.service("svm1")).to.not.equal(undefined);
    expect(appliedWrites(c.sim, "POST")).to.equal(1);
  });

  it("reads back a create whose job could not be polled, and keeps the service it proves it made", async () => {
    c = await fastCluster();
    const inputs = await checked(c, { svmName: "svm1" });
    c.sim.setAsyncJobs(true, 20);
    purgeNextPolledJob(c.sim);
    const { id, outs } = await c.provider.create(inputs);
    expect(id).to.equal(c.sim.service("svm1")?.svmUuid);
    expect(outs).to.include({ adopted: false, enabled: true });
    expect(c.sim.services()).to.have.length(1);
    // The read may come before the first job has run, so a second POST may be sent: ONTAP
    // refuses it (5374077) and the provider reads again. One POST applied, one service.
    expect(appliedWrites(c.sim, "POST")).to.equal(1);
  });

  /** A program change of a resource in the stack, checked as the engine checks it (with its old inputs). */
  async function checkedChange(c: TestCluster, olds: Record<string, unknown>, raw: Record<string, unknown>) {
    const result = await c.provider.check(olds, raw);
    expect(result.failures ?? []).to.deep.equal([]);
    return result.inputs as Awaited<ReturnType<typeof checked>>;
  }

  it("an update whose job was purged before it was polled records the service as read back, not the outputs from before", async () => {
    c = await fastCluster();
    const outs = await seeded(c, { svmName: "svm1", targetAlias: "db" });
    const news = await checkedChange(
      c,
      { svmName: "svm1", targetAlias: "db" },
      { svmName: "svm1", targetAlias: "web" },
    );
    c.sim.setAsyncJobs(true, 0);
    purgeNextPolledJob(c.sim);
    const err = await rejection(c.provider.update(outs.svmUuid, outs, news));
    expect(err).to.be.instanceOf(PartialUpdateError);
    expect(err.message).to.include("was read back after the failure").and.include('alias "web"');
    expect((err as PartialUpdateError).id).to.equal(outs.svmUuid);
    expect((err as PartialUpdateError).properties).to.include({
      targetAlias: "web",
      enabled: true,
      svmName: "svm1",
    });
    expect(c.sim.service("svm1")).to.include({ alias: "web" });
  });

  it("an update refused outright keeps the outputs from before, with no read back", async () => {
    c = await fastCluster();
    const outs = await seeded(c, { svmName: "svm1", targetAlias: "db" });
    const news = await checkedChange(
      c,
      { svmName: "svm1", targetAlias: "db" },
      { svmName: "svm1", targetAlias: "web" },
    );
    c.sim.injectFault({ kind: "http-error", status: 400, code: "262185", method: "PATCH" });
    const err = await rejection(c.provider.update(outs.svmUuid, outs, news));
    expect(err).to.not.be.instanceOf(PartialUpdateError);
    expect(c.sim.requests.filter((r) => r.method === "GET")).to.deep.equal([]);
    expect(c.sim.service("svm1")).to.include({ alias: "db" });
  });

  it("a DELETE whose job was purged before it was polled is read back: the service is gone, so the delete succeeds", async () => {
    c = await fastCluster();
    const outs = await seeded(c, { svmName: "svm1", enabled: false });
    c.sim.setAsyncJobs(true, 0);
    purgeNextPolledJob(c.sim);
    await c.provider.delete(outs.svmUuid, outs);
    expect(c.sim.service("svm1")).to.equal(undefined);
    expect(appliedWrites(c.sim, "DELETE")).to.equal(1);
  });

  it("records a half-finished create with __provider, so refresh and destroy can load the provider", async () => {
    c = await fastCluster();
    const inputs = { ...(await checked(c, { svmName: "svm1", targetAlias: "" })), __provider: "stub" };
    c.sim.injectFault({ kind: "http-error", status: 400, code: "262185", method: "PATCH" });
    const err = await rejection(c.provider.create(inputs));
    expect(err).to.be.instanceOf(PartialCreateError);
    const properties = (err as PartialCreateError).properties as IscsiServiceOutputs & {
      __provider?: string;
    };
    expect(properties.__provider).to.equal("stub");
    expect((err as PartialCreateError).id).to.equal(c.sim.service("svm1")?.svmUuid);
  });
});
