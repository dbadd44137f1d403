import { createServer, type Server, type Socket } from "node:net";

import { expect } from "chai";
import { renderError } from "../../../provider/diagnostics/render";
import {
  OntapJobError,
  OntapJobPendingError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapTimeoutError,
} from "../../../provider/errors/transport";
import type { OntapClient } from "../../../provider/ontap/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";
import { until } from "../../support/until";
import { clientAt, clientFor, rejectionOf, SERVICES, sent, virtualClock } from "./helpers";

const CLUSTER = "/api/cluster";

describe("OntapClient async jobs", () => {
  let sim: SimulatorInstance;
  let client: OntapClient;
  beforeEach(async () => {
    sim = await startSimulator();
    client = clientFor(sim);
  });
  afterEach(async () => {
    client.close();
    await sim.stop();
  });

  it("polls a 202 job to success and returns the job's record", async () => {
    // The job runs until the test ends it, after the client has seen it running.
    sim.setAsyncJobs(true, 0, { held: true });
    const request = client.request({
      method: "POST",
      path: SERVICES,
      body: { svm: { name: "svm1" } },
    });
    const polled = () =>
      sim.requests.some((r) => r.method === "GET" && r.path.startsWith("/api/cluster/jobs/"));
    await until(polled, "the first poll of the job");
    expect(sim.finishJobs()).to.equal(1);
    const response = await request;
    expect(response.status).to.equal(202);
    expect(response.jobUuid).to.be.a("string");
    expect(response.body).to.include({ state: "success" });
    expect(sim.service("svm1")?.enabled).to.equal(true);
    const polls = sent(sim, "GET", `/api/cluster/jobs/${response.jobUuid}`);
    expect(polls.length).to.be.at.least(2);
    expect(polls[0]?.query).to.deep.equal({ fields: "state,code,message" });
  });

  it("turns a failed job into an error with the job's code and message", async () => {
    sim.injectFault({
      kind: "job-failure",
      method: "POST",
      path: SERVICES,
      code: "5374893",
      message: "The SVM is stopped.",
    });
    const err = await rejectionOf(
      client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
    );
    expect(err)
      .to.be.instanceOf(OntapJobError)
      .and.include({ code: "5374893", jobMessage: "The SVM is stopped." });
    expect((err as OntapJobError).jobUuid).to.be.a("string");
    expect(sim.service("svm1")).to.equal(undefined);
    const text = renderError(err, { action: "create the iSCSI service", svm: "svm1" });
    expect(text).to.include("the SVM is stopped").and.include("Fix: vserver start -vserver svm1");
  });

  it("reports a POST whose job is still queued at jobTimeoutMs as pending: one POST, within the wait", async () => {
    const clock = virtualClock();
    client = clientFor(sim, { jobTimeoutMs: 500 }, clock);
    // The job stays queued for 30 s (half its delay), far past the wait.
    sim.setAsyncJobs(true, 60_000);
    const error = await rejectionOf(
      client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
    );
    expect(error).to.be.instanceOf(OntapJobPendingError);
    const err = error as OntapJobPendingError;
    expect(err).to.include({ kind: "job-pending", state: "queued", method: "POST", path: SERVICES });
    // Time is driven: polled after 200 ms, then after the 300 ms left, then given up at 500 ms.
    expect(clock.waits).to.deep.equal([200, 300]);
    expect(err.waitedMs).to.equal(500);
    expect(err.message).to.match(
      new RegExp(
        `^job ${err.jobUuid} for POST ${SERVICES} on ${sim.host} is still queued after \\d+(\\.\\d)? s$`,
      ),
    );
    expect(sent(sim, "POST", SERVICES)).to.have.length(1);
    expect(sim.service("svm1")).to.equal(undefined);
    expect(await client.jobState(err.jobUuid)).to.deep.equal({ state: "queued", message: "Queued" });
    expect(renderError(err, { action: "create the iSCSI service", svm: "svm1" }))
      .to.include(`ONTAP job ${err.jobUuid} to create the iSCSI service on SVM "svm1"`)
      .and.include("is still queued")
      .and.include(`job show -id ${err.jobUuid}`);
  });

  for (const method of ["PATCH", "DELETE"] as const) {
    it(`reports a ${method} whose job outlasts jobTimeoutMs with the same pending error`, async () => {
      client = clientFor(sim, { jobTimeoutMs: 300 });
      sim.outOfBand.createService("svm1", { enabled: false });
      const uuid = sim.service("svm1")?.svmUuid;
      sim.setAsyncJobs(true, 60_000);
      const err = await rejectionOf(
        client.request({
          method,
          path: `${SERVICES}/${uuid}`,
          ...(method === "PATCH" ? { body: { enabled: true } } : {}),
        }),
      );
      expect(err).to.be.instanceOf(OntapJobPendingError).and.include({ method, state: "queued" });
      expect(sent(sim, method, `${SERVICES}/${uuid}`)).to.have.length(1);
      expect(sim.service("svm1")).to.deep.include({ enabled: false });
    });
  }

  it("reads a pending job's outcome later with jobState", async () => {
    client = clientFor(sim, { jobTimeoutMs: 100 });
    sim.setAsyncJobs(true, 0, { held: true });
    const err = await rejectionOf(
      client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
    );
    expect(err).to.be.instanceOf(OntapJobPendingError);
    expect(await client.jobState((err as OntapJobPendingError).jobUuid)).to.deep.include({
      state: "running",
    });
    expect(sim.finishJobs()).to.equal(1);
    expect(await client.jobState((err as OntapJobPendingError).jobUuid)).to.deep.include({
      state: "success",
    });
    expect(sim.service("svm1")?.enabled).to.equal(true);
    expect(sent(sim, "POST", SERVICES)).to.have.length(1);
  });

  it('says "gone" for a job ONTAP no longer has (it purges finished jobs)', async () => {
    expect(await client.jobState("00000000-0000-4000-8000-000000000000")).to.equal("gone");
  });

  it("gives a failed job's code and message through jobState", async () => {
    sim.injectFault({
      kind: "job-failure",
      method: "POST",
      path: SERVICES,
      code: "5374893",
      message: "The SVM is stopped.",
    });
    const err = await rejectionOf(
      client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
    );
    expect(err).to.be.instanceOf(OntapJobError);
    expect(await client.jobState((err as OntapJobError).jobUuid)).to.deep.equal({
      state: "failure",
      code: "5374893",
      message: "The SVM is stopped.",
    });
  });

  it("turns a POST whose job cannot be polled (403 on /api/cluster/jobs) into a lost response", async () => {
    client = clientFor(sim);
    sim.setAsyncJobs(true, 50);
    sim.injectFault({ kind: "http-error", status: 403, code: "6", method: "GET", path: "/api/cluster/jobs" });
    const err = await rejectionOf(
      client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
    );
    expect(err).to.be.instanceOf(OntapLostResponseError);
  });
});

describe("OntapClient concurrency", () => {
  let sim: SimulatorInstance;
  let client: OntapClient;
  beforeEach(async () => {
    sim = await startSimulator({ latencyMs: 10 });
  });
  afterEach(async () => {
    client.close();
    await sim.stop();
  });

  it("keeps at most maxConcurrent requests in flight under 200 parallel calls", async () => {
    client = clientFor(sim, { maxConcurrent: 4 });
    const calls = Array.from({ length: 200 }, () => client.request({ method: "GET", path: CLUSTER }));
    const responses = await Promise.all(calls);
    expect(responses.every((r) => r.status === 200)).to.equal(true);
    expect(sent(sim, "GET", CLUSTER)).to.have.length(200);
    expect(sim.peakConcurrency).to.be.within(2, 4);
  });

  it("caps at 8 by default", async () => {
    client = clientFor(sim);
    await Promise.all(Array.from({ length: 100 }, () => client.request({ method: "GET", path: CLUSTER })));
    expect(sim.peakConcurrency).to.be.within(2, 8);
  });

  it("rejects requests once closed", async () => {
    client = clientFor(sim);
    client.close();
    const err = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
    expect(err).to.be.instanceOf(OntapNetworkError).and.include({ code: "ERR_CLIENT_CLOSED" });
  });
});

describe("OntapClient before the request is sent", () => {
  let server: Server;
  let connections: number;
  const sockets: Socket[] = [];
  beforeEach(async () => {
    connections = 0;
    // Accepts TCP and never speaks TLS: no request can be written.
    server = createServer((socket) => {
      connections++;
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("retries a POST that timed out before it could be written (not a lost response)", async () => {
    const address = server.address() as { port: number };
    const client = clientAt(`127.0.0.1:${address.port}`, {
      timeoutMs: 150,
      retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20, maxTotalMs: 5_000 },
    });
    try {
      const err = await rejectionOf(
        client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
      );
      expect(err).to.be.instanceOf(OntapTimeoutError).and.include({ attempts: 3 });
      expect(connections).to.equal(3);
    } finally {
      client.close();
    }
  });
});
