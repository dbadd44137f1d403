import { expect } from "chai";
import { call, field, SERVICES } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";

describe("simulator: faults", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({ http: true, svms: ["svm1", { name: "svm2", service: { enabled: false } }] });
  });
  afterEach(() => sim.stop());
  const create = () => call(sim, "POST", SERVICES, { body: { svm: { name: "svm1" } } });

  it("http-error answers the status, code and Retry-After for the next `times` requests", async () => {
    sim.injectFault({ kind: "http-error", status: 503, retryAfter: 2, times: 2 });
    for (let i = 0; i < 2; i++) {
      const a = await call(sim, "GET", SERVICES);
      expect(a.status).to.equal(503);
      expect(a.headers["retry-after"]).to.equal("2");
      expect(a.json).to.have.nested.property("error.code").that.is.a("string");
    }
    expect((await call(sim, "GET", SERVICES)).status).to.equal(200);
    expect(sim.requests.map((r) => r.fault)).to.deep.equal(["http-error", "http-error", undefined]);
  });

  it("http-error 429 carries code 262160 by default; a code can be given", async () => {
    sim.injectFault({ kind: "http-error", status: 429, retryAfter: 1 });
    sim.injectFault({ kind: "http-error", status: 500, code: "65562", message: "boom" });
    expect((await call(sim, "GET", SERVICES)).json).to.have.nested.property("error.code", "262160");
    expect((await call(sim, "GET", SERVICES)).json).to.deep.equal({
      error: { message: "boom", code: "65562" },
    });
  });

  it("matches method and path (a string covers the path and below; a RegExp is tested)", async () => {
    sim.injectFault({ kind: "http-error", status: 500, method: "post", path: SERVICES });
    sim.injectFault({ kind: "http-error", status: 502, path: /\/svm\/svms$/ });
    expect((await call(sim, "GET", SERVICES)).status).to.equal(200);
    expect((await call(sim, "GET", "/api/svm/svms")).status).to.equal(502);
    expect((await create()).status).to.equal(500);
    expect(sim.service("svm1")).to.equal(undefined);
    expect((await create()).status).to.equal(201);
  });

  it("reset-before drops the connection without applying the write", async () => {
    sim.injectFault({ kind: "reset-before", method: "POST" });
    let error: unknown;
    await create().catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect(sim.service("svm1")).to.equal(undefined);
    expect(sim.requests[0]).to.include({ status: 0, applied: false, fault: "reset-before" });
  });

  it("reset-after applies the write, then drops the connection (the lost response)", async () => {
    sim.injectFault({ kind: "reset-after", method: "POST" });
    let error: unknown;
    await create().catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect(sim.service("svm1")?.enabled).to.equal(true);
    expect(sim.requests[0]).to.include({ status: 0, applied: true, fault: "reset-after" });
  });

  it("hang never answers until `ms` passes, then drops the connection", async () => {
    sim.injectFault({ kind: "hang", ms: 150 });
    const started = Date.now();
    let error: unknown;
    await call(sim, "GET", SERVICES).catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect(Date.now() - started).to.be.at.least(140);
  });

  it("hang without `ms` lasts until the client gives up; stop() still returns at once", async () => {
    sim.injectFault({ kind: "hang" });
    const pending = call(sim, "GET", SERVICES).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await sim.stop();
    expect(Date.now() - started).to.be.below(500);
    expect(await pending).to.be.instanceOf(Error);
  });

  it("malformed-json answers 200 with a truncated body (the write applied)", async () => {
    sim.injectFault({ kind: "malformed-json", method: "POST" });
    const a = await call(sim, "POST", `${SERVICES}?return_records=true`, { body: { svm: { name: "svm1" } } });
    expect(a.status).to.equal(200);
    expect(a.text.length).to.be.greaterThan(0);
    expect(() => JSON.parse(a.text)).to.throw();
    expect(sim.service("svm1")).to.not.equal(undefined);
  });

  it("job-failure answers 202 with a job that fails, without applying", async () => {
    sim.setAsyncJobs(false, 30);
    sim.injectFault({ kind: "job-failure", code: "5374077", message: "nope" });
    expect((await call(sim, "GET", SERVICES)).status).to.equal(200);
    const a = await create();
    expect(a.status).to.equal(202);
    const href = field(a.json, "job._links.self.href") as string;
    expect(href).to.equal(`/api/cluster/jobs/${field(a.json, "job.uuid")}`);
    await new Promise((r) => setTimeout(r, 150));
    const job = await call(sim, "GET", href);
    expect(job.json).to.include({ state: "failure", code: 5374077, message: "nope" });
    expect(sim.service("svm1")).to.equal(undefined);
  });

  it("clearFaults removes pending faults", async () => {
    sim.injectFault({ kind: "http-error", status: 500, times: 5 });
    sim.clearFaults();
    expect((await call(sim, "GET", SERVICES)).status).to.equal(200);
  });
});
