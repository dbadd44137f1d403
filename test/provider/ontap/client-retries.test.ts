import { expect } from "chai";
import {
  OntapApiError,
  OntapLostResponseError,
  OntapNetworkError,
  OntapTimeoutError,
} from "../../../provider/errors/transport";
import type { OntapClient } from "../../../provider/ontap/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";
import { capturingLogger, clientFor, rejectionOf, SERVICES, sent, timed, virtualClock } from "./helpers";

const CLUSTER = "/api/cluster";

describe("OntapClient retries", () => {
  let sim: SimulatorInstance;
  let client: OntapClient;
  beforeEach(async () => {
    sim = await startSimulator({ svms: ["svm1", { name: "svm2", service: { enabled: false } }] });
    client = clientFor(sim);
  });
  afterEach(async () => {
    client.close();
    await sim.stop();
  });

  const svm2 = () => `${SERVICES}/${sim.svm("svm2")?.uuid}`;

  describe("transient answers", () => {
    for (const status of [429, 502, 503, 504]) {
      it(`retries a GET answered ${status} and returns the answer that follows`, async () => {
        sim.injectFault({ kind: "http-error", status, times: 2, path: CLUSTER });
        const response = await client.request<{ version: { full: string } }>({
          method: "GET",
          path: CLUSTER,
        });
        expect(response.status).to.equal(200);
        expect(response.body.version.full).to.be.a("string");
        expect(sent(sim, "GET", CLUSTER)).to.have.length(3);
      });
    }

    it("retries ONTAP code 262160 even under a status that is not retried by itself", async () => {
      sim.injectFault({ kind: "http-error", status: 400, code: "262160", path: CLUSTER });
      await client.request({ method: "GET", path: CLUSTER });
      expect(sent(sim, "GET", CLUSTER)).to.have.length(2);
    });

    it("retries a POST refused with 429 or 503, creating the service once", async () => {
      sim.injectFault({ kind: "http-error", status: 429, method: "POST", path: SERVICES });
      sim.injectFault({ kind: "http-error", status: 503, method: "POST", path: SERVICES });
      const response = await client.request({
        method: "POST",
        path: SERVICES,
        body: { svm: { name: "svm1" } },
      });
      expect(response.status).to.equal(201);
      expect(response.location).to.equal(`${SERVICES}/${sim.svm("svm1")?.uuid}`);
      expect(sent(sim, "POST", SERVICES).map((r) => r.status)).to.deep.equal([429, 503, 201]);
    });

    it("gives up after `retries` retries with the last answer and the attempt count", async () => {
      sim.injectFault({ kind: "http-error", status: 503, times: 10, path: CLUSTER });
      const err = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
      expect(err).to.be.instanceOf(OntapApiError).and.include({ status: 503, code: "7", attempts: 4 });
      expect(sent(sim, "GET", CLUSTER)).to.have.length(4);
    });

    it("starts no retry once maxTotalMs would be exceeded", async () => {
      const clock = virtualClock();
      const retry = { retries: 10, minDelayMs: 200, maxDelayMs: 200, maxTotalMs: 450 };
      client = clientFor(sim, { retry }, clock);
      sim.injectFault({ kind: "http-error", status: 503, times: 20, path: CLUSTER });
      const error = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
      expect(error).to.be.instanceOf(OntapApiError);
      const attempts = sent(sim, "GET", CLUSTER).length;
      expect(attempts).to.be.within(2, 5);
      // Time is driven: the waits made are all the time the retries took, and they fit the budget.
      expect(clock.waits).to.have.length(attempts - 1);
      expect(clock.now()).to.be.at.most(450);
    });

    it("logs each retry with method, path, status, attempt and delay", async () => {
      const logger = capturingLogger();
      client = clientFor(sim, { logger });
      sim.injectFault({ kind: "http-error", status: 503, path: CLUSTER });
      await client.request({ method: "GET", path: CLUSTER });
      const retry = logger.lines.find((l) => l.message.includes("retrying"));
      expect(retry?.message).to.match(
        /^ONTAP GET \/api\/cluster: HTTP 503 on attempt 1; retrying in \d+ ms$/,
      );
    });
  });

  describe("Retry-After", () => {
    it("waits as long as Retry-After asks before retrying", async () => {
      const clock = virtualClock();
      client = clientFor(sim, {}, clock);
      sim.injectFault({ kind: "http-error", status: 429, retryAfter: 1, path: CLUSTER });
      await client.request({ method: "GET", path: CLUSTER });
      expect(clock.waits).to.deep.equal([1_000]);
      expect(sent(sim, "GET", CLUSTER)).to.have.length(2);
    });

    it("waits Retry-After on the real clock too", async () => {
      sim.injectFault({ kind: "http-error", status: 429, retryAfter: 1, path: CLUSTER });
      const { ms, error } = await timed(() => client.request({ method: "GET", path: CLUSTER }));
      expect(error).to.equal(undefined);
      expect(ms).to.be.at.least(900);
      expect(sent(sim, "GET", CLUSTER)).to.have.length(2);
    });

    it("caps Retry-After at maxDelayMs", async () => {
      const clock = virtualClock();
      client = clientFor(
        sim,
        { retry: { retries: 2, minDelayMs: 5, maxDelayMs: 100, maxTotalMs: 10_000 } },
        clock,
      );
      sim.injectFault({ kind: "http-error", status: 503, retryAfter: 30, path: CLUSTER });
      await client.request({ method: "GET", path: CLUSTER });
      expect(clock.waits).to.deep.equal([100]);
    });
  });

  describe("answers that are final", () => {
    for (const status of [400, 403, 404, 409, 500, 501]) {
      it(`fails at once on HTTP ${status}, after exactly one request`, async () => {
        sim.injectFault({ kind: "http-error", status, times: 5, path: CLUSTER });
        const err = await rejectionOf(client.request({ method: "GET", path: CLUSTER }));
        expect(err).to.be.instanceOf(OntapApiError).and.include({ status, attempts: 1 });
        expect(sent(sim, "GET", CLUSTER)).to.have.length(1);
      });
    }

    it("does not repeat a POST answered 500 (the write may have happened)", async () => {
      sim.injectFault({ kind: "http-error", status: 500, method: "POST", path: SERVICES, times: 5 });
      const err = await rejectionOf(
        client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
      );
      expect(err).to.be.instanceOf(OntapApiError).and.include({ status: 500, code: "262145" });
      expect(sent(sim, "POST", SERVICES)).to.have.length(1);
    });

    it("returns ONTAP's code, message and target from a real refusal", async () => {
      await client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } });
      const err = await rejectionOf(
        client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
      );
      expect(err)
        .to.be.instanceOf(OntapApiError)
        .and.include({ code: "5374077", method: "POST", path: SERVICES });
      expect((err as OntapApiError).ontapMessage)
        .to.be.a("string")
        .and.not.equal("");
      expect(sent(sim, "POST", SERVICES)).to.have.length(2);
    });
  });

  describe("lost responses", () => {
    const create = () => client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } });

    it("reports a POST whose connection was reset after it was applied as lost, after one POST", async () => {
      sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES, times: 3 });
      const err = await rejectionOf(create());
      expect(err).to.be.instanceOf(OntapLostResponseError).and.include({ method: "POST", path: SERVICES });
      expect(sent(sim, "POST", SERVICES)).to.have.length(1);
      expect(sim.service("svm1")).to.not.equal(undefined);
    });

    it("reports a POST reset before it was applied as lost too (the client cannot tell)", async () => {
      sim.injectFault({ kind: "reset-before", method: "POST", path: SERVICES, times: 3 });
      const err = await rejectionOf(create());
      expect(err).to.be.instanceOf(OntapLostResponseError);
      expect(sent(sim, "POST", SERVICES)).to.have.length(1);
      expect(sim.service("svm1")).to.equal(undefined);
    });

    it("reports a POST that timed out after it was sent as lost, after one POST", async () => {
      client = clientFor(sim, { timeoutMs: 300 });
      sim.injectFault({ kind: "hang", method: "POST", path: SERVICES, times: 3 });
      const err = await rejectionOf(create());
      expect(err).to.be.instanceOf(OntapLostResponseError);
      expect((err as OntapLostResponseError).reason).to.include("300 ms");
      expect(sent(sim, "POST", SERVICES)).to.have.length(1);
    });

    it("reports a POST answered 200 with a truncated body as lost, after one POST", async () => {
      sim.injectFault({ kind: "malformed-json", method: "POST", path: SERVICES, times: 3 });
      const err = await rejectionOf(create());
      expect(err).to.be.instanceOf(OntapLostResponseError).and.include({ status: 200 });
      expect(sent(sim, "POST", SERVICES)).to.have.length(1);
    });

    it("retries a POST that never reached the cluster (connection refused)", async () => {
      const port = sim.port;
      await sim.stop();
      client = clientFor(sim, { host: `127.0.0.1:${port}` });
      const err = await rejectionOf(create());
      expect(err).to.be.instanceOf(OntapNetworkError).and.include({ code: "ECONNREFUSED", attempts: 4 });
    });

    it("repeats a PATCH whose response was lost (an absolute value is safe to send twice)", async () => {
      sim.injectFault({ kind: "reset-after", method: "PATCH", path: svm2() });
      const response = await client.request({ method: "PATCH", path: svm2(), body: { enabled: true } });
      expect(response.status).to.equal(200);
      expect(sent(sim, "PATCH", svm2())).to.have.length(2);
      expect(sim.service("svm2")?.enabled).to.equal(true);
    });

    it("repeats a DELETE whose connection was reset", async () => {
      sim.injectFault({ kind: "reset-before", method: "DELETE", path: svm2() });
      await client.request({ method: "DELETE", path: svm2() });
      expect(sent(sim, "DELETE", svm2())).to.have.length(2);
      expect(sim.service("svm2")).to.equal(undefined);
    });

    it("repeats a GET whose body was not valid JSON", async () => {
      sim.injectFault({ kind: "malformed-json", method: "GET", path: CLUSTER });
      const response = await client.request({ method: "GET", path: CLUSTER });
      expect(response.body).to.have.nested.property("version.full");
      expect(sent(sim, "GET", CLUSTER)).to.have.length(2);
    });

    it("repeats a GET whose connection was reset", async () => {
      sim.injectFault({ kind: "reset-before", method: "GET", path: CLUSTER });
      await client.request({ method: "GET", path: CLUSTER });
      expect(sent(sim, "GET", CLUSTER)).to.have.length(2);
    });
  });

  describe("timeouts", () => {
    it("times out a request to a server that never answers", async () => {
      client = clientFor(sim, { timeoutMs: 300, retry: { retries: 0 } });
      sim.injectFault({ kind: "hang", path: CLUSTER });
      const { ms, error } = await timed(() => client.request({ method: "GET", path: CLUSTER }));
      expect(error).to.be.instanceOf(OntapTimeoutError).and.include({ timeoutMs: 300, method: "GET" });
      expect(ms).to.be.within(250, 3_000);
    });

    it("retries a GET that timed out once", async () => {
      client = clientFor(sim, { timeoutMs: 300 });
      sim.injectFault({ kind: "hang", path: CLUSTER });
      await client.request({ method: "GET", path: CLUSTER });
      expect(sent(sim, "GET", CLUSTER)).to.have.length(2);
    });
  });
});
