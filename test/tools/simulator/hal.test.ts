import { expect } from "chai";
import { call, field, SERVICES } from "../../../tools/simulator/client";
import { callJson, type Strict, startStrict, stopStrict } from "./helpers";

describe("simulator: Accept and HAL links", () => {
  let s: Strict;
  beforeEach(async () => {
    s = await startStrict({ svms: [{ name: "a", service: {} }, { name: "b", service: {} }, "c"] });
  });
  afterEach(() => stopStrict(s));
  const hasLinks = (json: unknown) => JSON.stringify(json).includes("_links");

  it("with Accept: application/json, a collection page has no _links but next", async () => {
    const page = await callJson(s.sim, "GET", `${SERVICES}?fields=*&max_records=1`);
    expect(page.headers["content-type"]).to.equal("application/json");
    expect(page.json).to.have.all.keys("records", "num_records", "_links");
    expect(field(page.json, "_links")).to.have.all.keys("next");
    expect(field(page.json, "records.0")).to.have.all.keys("svm", "enabled", "target");
    expect(field(page.json, "records.0.svm")).to.have.all.keys("uuid", "name");
    const last = await callJson(s.sim, "GET", field(page.json, "_links.next.href") as string);
    expect(last.json).to.have.all.keys("records", "num_records");
    expect(hasLinks(last.json)).to.equal(false);
  });

  it("with Accept: application/json, records, the cluster, metrics and job links carry no _links", async () => {
    const uuid = s.sim.svm("a")?.uuid;
    for (const path of [
      `${SERVICES}/${uuid}?fields=**`,
      "/api/cluster",
      "/api/svm/svms?fields=*",
      `${SERVICES}/${uuid}/metrics`,
    ]) {
      const a = await callJson(s.sim, "GET", path);
      expect(a.status, path).to.equal(200);
      expect(hasLinks(a.json), path).to.equal(false);
    }
    s.sim.setAsyncJobs(true, 10);
    const accepted = await callJson(s.sim, "POST", SERVICES, { body: { svm: { name: "c" } } });
    expect(accepted.status).to.equal(202);
    expect(accepted.json).to.deep.equal({ job: { uuid: field(accepted.json, "job.uuid") } });
  });

  it("with Accept: application/hal+json, */* or none, every object keeps its _links", async () => {
    for (const accept of ["application/hal+json", "*/*", "", "application/hal+json, application/json"]) {
      const a = await call(s.sim, "GET", `${SERVICES}?fields=enabled&max_records=1`, { headers: { accept } });
      expect(a.headers["content-type"], accept).to.equal("application/hal+json");
      expect(field(a.json, "_links"), accept).to.have.all.keys("self", "next");
      expect(field(a.json, "records.0._links.self.href"), accept).to.be.a("string");
      expect(field(a.json, "records.0.svm._links.self.href"), accept).to.be.a("string");
    }
  });

  it("error bodies are the same either way", async () => {
    const a = await callJson(s.sim, "GET", `${SERVICES}/${s.sim.svm("c")?.uuid}`);
    expect(a.status).to.equal(404);
    expect(a.json).to.have.nested.property("error.code", "5374078");
  });
});
