import { expect } from "chai";
import { type SimulatorInstance, startSimulator } from "../../tools/simulator";
import { SERVICES } from "../../tools/simulator/client";
import type { InProcessRequest, RequestLogEntry } from "../../tools/simulator/types";

const AUTH = { authorization: `Basic ${Buffer.from("admin:netapp123").toString("base64")}` };

/** A request as the explorer's transport sends it, without a socket. */
function request(method: string, url: string, body?: unknown, extra: Partial<InProcessRequest> = {}) {
  return {
    method,
    url,
    headers: { ...AUTH, accept: "application/json", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...extra,
  };
}

/**
 * What the explorer (tools/explore) asks of the simulator, in process: a gate that holds
 * each request until the test lets it through, a request served without a socket, and a
 * job's state. The server's own behavior is unchanged (test/tools/simulator).
 */
describe("simulator hooks for the explorer: gate, in-process dispatch, jobs", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({ http: true, svms: ["svm1", "svm2"] });
  });
  afterEach(() => sim.stop());

  it("dispatch serves a request through the pipeline without a socket, logged as any other", async () => {
    const answer = await sim.dispatch(
      request("POST", `${SERVICES}?return_records=true`, { svm: { name: "svm1" } }),
    );
    expect(answer).to.include({ kind: "response", status: 201 });
    if (answer.kind !== "response") return;
    expect(JSON.parse(answer.body)).to.have.nested.property("records[0].svm.name", "svm1");
    expect(answer.headers["content-type"]).to.equal("application/json");
    expect(sim.service("svm1")).to.include({ enabled: true });
    expect(sim.requests.map((r) => [r.method, r.path, r.status, r.applied])).to.deep.equal([
      ["POST", SERVICES, 201, true],
    ]);
  });

  it("the gate holds each request before it is served, in the order the test releases them", async () => {
    const held: Array<{ entry: Readonly<RequestLogEntry>; release: () => void }> = [];
    sim.setGate((entry) => new Promise<void>((release) => held.push({ entry, release })));
    const first = sim.dispatch(request("POST", SERVICES, { svm: { name: "svm1" } }));
    const second = sim.dispatch(request("POST", SERVICES, { svm: { name: "svm2" }, enabled: false }));
    await new Promise((r) => setImmediate(r));
    expect(held.map((h) => (h.entry.body as { svm: { name: string } }).svm.name)).to.deep.equal([
      "svm1",
      "svm2",
    ]);
    expect(sim.services()).to.deep.equal([]);

    held[1].release();
    expect(await second).to.include({ kind: "response", status: 201 });
    expect(sim.services().map((s) => s.svmName)).to.deep.equal(["svm2"]);
    expect(held[0].entry.status, "the held request is not answered yet").to.equal(0);

    held[0].release();
    expect(await first).to.include({ kind: "response", status: 201 });
    expect(held.map((h) => h.entry.status)).to.deep.equal([201, 201]);

    sim.setGate(undefined);
    expect(await sim.dispatch(request("GET", SERVICES))).to.include({ status: 200 });
  });

  it("a reset-after fault applies the write and answers with a reset; a client that gives up gets aborted", async () => {
    sim.injectFault({ kind: "reset-after", method: "POST" });
    expect(await sim.dispatch(request("POST", SERVICES, { svm: { name: "svm1" } }))).to.deep.equal({
      kind: "reset",
    });
    expect(sim.service("svm1"), "the write landed before the connection went").to.not.equal(undefined);

    sim.injectFault({ kind: "hang", method: "GET" });
    const giveUp = new AbortController();
    const hung = sim.dispatch(request("GET", SERVICES, undefined, { signal: giveUp.signal }));
    giveUp.abort();
    expect(await hung).to.deep.equal({ kind: "aborted" });
  });

  it("job(uuid) shows a held job unfinished, then ended once finishJobs runs, and nothing once purged", async () => {
    sim.setAsyncJobs(true, 0, { held: true });
    const answer = await sim.dispatch(request("POST", SERVICES, { svm: { name: "svm1" } }));
    expect(answer).to.include({ kind: "response", status: 202 });
    const uuid = sim.requests[0].job;
    expect(uuid, "the log entry names the job the write started").to.be.a("string");
    expect(sim.job(uuid as string)?.state).to.be.oneOf(["queued", "running"]);
    expect(sim.job(uuid as string)).to.not.have.property("endTime");

    expect(sim.finishJobs()).to.equal(1);
    expect(sim.job(uuid as string))
      .to.include({ state: "success" })
      .and.to.have.property("endTime");
    expect(sim.service("svm1")).to.not.equal(undefined);
    expect(sim.purgeJobs()).to.equal(1);
    expect(sim.job(uuid as string)).to.equal(undefined);
  });
});
