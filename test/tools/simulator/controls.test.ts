import { expect } from "chai";
import { basic, call, field, SERVICES } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";

describe("simulator: async jobs, latency, concurrency and the request log", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({ http: true, svms: ["svm1", { name: "svm2", service: { enabled: false } }] });
  });
  afterEach(() => sim.stop());

  it("async mode: a write answers 202 and applies when its job succeeds", async () => {
    sim.setAsyncJobs(true, 0, { held: true });
    const a = await call(sim, "POST", SERVICES, { body: { svm: { name: "svm1" } } });
    expect(a.status).to.equal(202);
    expect(a.json).to.have.nested.property("job.uuid");
    const href = field(a.json, "job._links.self.href") as string;
    expect(sim.service("svm1")).to.equal(undefined);
    const first = await call(sim, "GET", href);
    // Queued, then running halfway through its delay (0 here): either, never finished.
    expect((first.json as { state?: string }).state).to.be.oneOf(["queued", "running"]);
    expect(first.json).to.include.keys("uuid", "description", "message", "code", "start_time", "_links");
    expect(sim.finishJobs()).to.equal(1);
    const done = await call(sim, "GET", href);
    expect(done.json).to.include({ state: "success", code: 0 });
    expect(done.json).to.have.property("end_time");
    expect(sim.service("svm1")?.enabled).to.equal(true);
    expect(sim.requests[0].applied).to.equal(true);
  });

  it("async mode: a job fails with the ONTAP error if the cluster changed meanwhile", async () => {
    sim.setAsyncJobs(true, 0, { held: true });
    const a = await call(sim, "DELETE", `${SERVICES}/${sim.svm("svm2")?.uuid}`);
    sim.outOfBand.setEnabled("svm2", true);
    expect(sim.finishJobs()).to.equal(1);
    const job = await call(sim, "GET", field(a.json, "job._links.self.href") as string);
    expect(job.json).to.include({ state: "failure", code: 5373960 });
    expect(sim.service("svm2")).to.not.equal(undefined);
  });

  it("async mode: validation errors still answer at once, without a job", async () => {
    sim.setAsyncJobs(true, 30);
    const bad = await call(sim, "POST", SERVICES, { body: { svm: { name: "nope" } } });
    expect(bad.status).to.equal(400);
    const jobs = await call(sim, "GET", "/api/cluster/jobs");
    expect(jobs.json).to.have.property("num_records", 0);
  });

  it("latency delays every request", async () => {
    sim.setLatency(60);
    const started = Date.now();
    await call(sim, "GET", SERVICES);
    expect(Date.now() - started).to.be.at.least(55);
  });

  it("a concurrency cap answers 429 with code 262160 and Retry-After; peakConcurrency counts", async () => {
    sim.setLatency(250);
    sim.setMaxConcurrent(2);
    const answers = await Promise.all([1, 2, 3, 4].map(() => call(sim, "GET", SERVICES)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).to.deep.equal([200, 200, 429, 429]);
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.headers["retry-after"]).to.equal("1");
    expect(limited?.json).to.have.nested.property("error.code", "262160");
    expect(sim.peakConcurrency).to.equal(2);
    sim.setMaxConcurrent(undefined);
    await Promise.all([1, 2, 3].map(() => call(sim, "GET", SERVICES)));
    expect(sim.peakConcurrency).to.equal(3);
  });

  it("logs method, path, query, body, status and headers, never the Authorization header", async () => {
    await call(sim, "POST", `${SERVICES}?return_records=true`, {
      body: { svm: { name: "svm1" } },
      headers: { "x-trace": "t1" },
    });
    await call(sim, "GET", `${SERVICES}?fields=enabled`, { auth: basic("admin", "wrong") });
    const [post, get] = sim.requests;
    expect(post).to.deep.include({
      method: "POST",
      path: SERVICES,
      query: { return_records: "true" },
      body: { svm: { name: "svm1" } },
      status: 201,
      applied: true,
    });
    expect(post.headers["x-trace"]).to.equal("t1");
    expect(get).to.include({ status: 401, applied: false });
    for (const r of sim.requests) expect(r.headers).to.not.have.property("authorization");
    expect(JSON.stringify(sim.requests)).to.not.include(Buffer.from("admin:wrong").toString("base64"));
    sim.clearRequests();
    expect(sim.requests).to.have.length(0);
  });

  it("logs a body that is not JSON as text", async () => {
    await call(sim, "POST", SERVICES, { raw: "svm=svm1" });
    expect(sim.requests[0]).to.include({ body: "svm=svm1", status: 400 });
  });
});
