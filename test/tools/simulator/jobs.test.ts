import { expect } from "chai";
import { field, SERVICES } from "../../../tools/simulator/client";
import { until } from "../../support/until";
import { callJson, expectError, type Strict, startStrict, stopStrict, wait } from "./helpers";

type JobJson = Record<string, unknown>;

describe("simulator: jobs as ONTAP shapes them", () => {
  let s: Strict;
  beforeEach(async () => {
    s = await startStrict({ svms: ["svm1", { name: "svm2", service: { enabled: false } }] });
  });
  afterEach(() => stopStrict(s));
  const job = async (uuid: unknown) =>
    (await callJson(s.sim, "GET", `/api/cluster/jobs/${uuid}?fields=*`)).json as JobJson;

  it("a successful job has node, svm, start and end times, and no error", async () => {
    s.sim.setAsyncJobs(true, 20);
    const a = await callJson(s.sim, "POST", SERVICES, { body: { svm: { name: "svm1" } } });
    expect(a.status).to.equal(202);
    await wait(60);
    const done = await job(field(a.json, "job.uuid"));
    expect(done).to.deep.include({
      state: "success",
      code: 0,
      message: "success",
      description: `POST ${SERVICES}`,
      svm: { name: "svm1", uuid: s.sim.svm("svm1")?.uuid },
    });
    expect(done).to.have.nested.property("node.name").that.is.a("string");
    expect(done).to.have.nested.property("node.uuid").that.is.a("string");
    expect(done).to.include.keys("start_time", "end_time");
    expect(done).to.not.have.property("error");
  });

  it("a failed job carries error {code, message} beside its integer code", async () => {
    s.sim.setAsyncJobs(true, 0, { held: true });
    const a = await callJson(s.sim, "DELETE", `${SERVICES}/${s.sim.svm("svm2")?.uuid}`);
    s.sim.outOfBand.setEnabled("svm2", true);
    expect(s.sim.finishJobs()).to.equal(1);
    const failed = await job(field(a.json, "job.uuid"));
    expect(failed).to.deep.include({ state: "failure", code: 5373960 });
    expect(failed.error).to.deep.equal({ code: "5373960", message: failed.message });
  });

  it("a job can pass through paused before it finishes", async () => {
    s.sim.setAsyncJobs(true, 40, { pausedMs: 120 });
    const a = await callJson(s.sim, "PATCH", `${SERVICES}/${s.sim.svm("svm2")?.uuid}`, {
      body: { enabled: true },
    });
    const states: unknown[] = [];
    for (let i = 0; i < 20 && states[states.length - 1] !== "success"; i++) {
      states.push((await job(field(a.json, "job.uuid"))).state);
      await wait(15);
    }
    expect(states).to.include("paused");
    expect(states[states.length - 1]).to.equal("success");
    expect(states.indexOf("paused")).to.be.below(states.indexOf("success"));
    expect(s.sim.service("svm2")?.enabled).to.equal(true);
  });

  it("a finished job is purged after the retention time (then 404)", async () => {
    await stopStrict(s);
    s = await startStrict({ jobRetentionMs: 80, svms: ["svm1"] });
    s.sim.setAsyncJobs(true, 10);
    const a = await callJson(s.sim, "POST", SERVICES, { body: { svm: { name: "svm1" } } });
    await wait(40);
    expect((await job(field(a.json, "job.uuid"))).state).to.equal("success");
    await wait(100);
    expectError(await callJson(s.sim, "GET", `/api/cluster/jobs/${field(a.json, "job.uuid")}`), 404, "4");
    expect((await callJson(s.sim, "GET", "/api/cluster/jobs")).json).to.have.property("num_records", 0);
  });

  it("a held job runs until finishJobs() ends it, its work applied then; purgeJobs() forgets it (then 404)", async () => {
    s.sim.setAsyncJobs(true, 0, { held: true });
    const a = await callJson(s.sim, "POST", SERVICES, { body: { svm: { name: "svm1" } } });
    expect(a.status).to.equal(202);
    const uuid = field(a.json, "job.uuid");
    await wait(20);
    expect((await job(uuid)).state).to.equal("running");
    expect(s.sim.service("svm1")).to.equal(undefined);

    expect(s.sim.finishJobs()).to.equal(1);
    expect((await job(uuid)).state).to.equal("success");
    expect(s.sim.service("svm1")).to.not.equal(undefined);
    expect(s.sim.finishJobs()).to.equal(0);

    expect(s.sim.purgeJobs()).to.equal(1);
    expectError(await callJson(s.sim, "GET", `/api/cluster/jobs/${uuid}`), 404, "4");
  });

  it("with return_timeout long enough, the write answers as usual plus the job link, and the job is success", async () => {
    s.sim.setAsyncJobs(true, 30);
    const a = await callJson(s.sim, "POST", `${SERVICES}?return_timeout=5&return_records=true`, {
      body: { svm: { name: "svm1" } },
    });
    expect(a.status).to.equal(201);
    expect(a.headers.location).to.equal(`${SERVICES}/${s.sim.svm("svm1")?.uuid}`);
    expect(a.json).to.have.property("num_records", 1);
    expect(a.json).to.have.nested.property("job.uuid");
    expect((await job(field(a.json, "job.uuid"))).state).to.equal("success");
    const patch = await callJson(s.sim, "PATCH", `${SERVICES}/${s.sim.svm("svm2")?.uuid}?return_timeout=5`, {
      body: { enabled: true },
    });
    expect(patch.status).to.equal(200);
    expect(patch.json).to.have.all.keys("job");
  });

  it("with return_timeout too short, ONTAP waits that long, then answers 202", async () => {
    s.sim.setAsyncJobs(true, 0, { held: true });
    const started = Date.now();
    const a = await callJson(s.sim, "PATCH", `${SERVICES}/${s.sim.svm("svm2")?.uuid}?return_timeout=1`, {
      body: { enabled: true },
    });
    expect(a.status).to.equal(202);
    // It waited the return_timeout (a held job never ends, so it did not wait for the job);
    // no upper bound: a loaded machine may answer late.
    expect(Date.now() - started).to.be.at.least(950);
    expect((await job(field(a.json, "job.uuid"))).state).to.equal("running");
  });

  it("with return_timeout, a job that fails answers the write's ONTAP error", async () => {
    s.sim.setAsyncJobs(true, 0, { held: true });
    const pending = callJson(s.sim, "POST", `${SERVICES}?return_timeout=5`, {
      body: { svm: { name: "svm1" } },
    });
    await until(() => s.sim.requests.some((r) => r.method === "POST"), "the POST");
    s.sim.outOfBand.createService("svm1", { alias: "theirs" });
    expect(s.sim.finishJobs()).to.equal(1);
    expectError(await pending, 409, "5374077");
    expect(s.sim.service("svm1")?.alias).to.equal("theirs");
    s.sim.setAsyncJobs(true, 60);
    s.sim.injectFault({ kind: "job-failure", code: "65562", message: "boom" });
    const b = await callJson(s.sim, "PATCH", `${SERVICES}/${s.sim.svm("svm2")?.uuid}?return_timeout=5`, {
      body: { enabled: true },
    });
    expectError(b, 400, "65562");
    expect(s.sim.service("svm2")?.enabled).to.equal(false);
  });
});
