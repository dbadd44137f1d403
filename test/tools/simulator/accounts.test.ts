import { expect } from "chai";
import { call, field, SERVICES } from "../../../tools/simulator/client";
import { startSimulator } from "../../../tools/simulator/index";
import { expectError, type Strict, startStrict, stopStrict, wait } from "./helpers";

const names = (json: unknown, key = "name") =>
  (field(json, "records") as Array<Record<string, unknown>>).map((r) => field(r, key));

describe("simulator: SVM-scoped accounts (vsadmin)", () => {
  let s: Strict;
  beforeEach(async () => {
    s = await startStrict({
      account: "vsadmin:mine",
      svms: [
        { name: "mine", service: { enabled: false } },
        { name: "theirs", service: { enabled: false } },
        "empty",
      ],
    });
  });
  afterEach(() => stopStrict(s));
  const uuid = (name: string) => s.sim.svm(name)?.uuid as string;

  it("sees only its own SVM in /api/svm/svms", async () => {
    expect(names((await call(s.sim, "GET", "/api/svm/svms")).json)).to.deep.equal(["mine"]);
    expect((await call(s.sim, "GET", "/api/svm/svms?name=theirs&return_records=false")).json).to.deep.equal({
      num_records: 0,
    });
    expectError(await call(s.sim, "GET", `/api/svm/svms/${uuid("theirs")}`), 404, "4");
    expect((await call(s.sim, "GET", `/api/svm/svms/${uuid("mine")}`)).status).to.equal(200);
  });

  it("sees only its own SVM's iSCSI service and metrics", async () => {
    const list = await call(s.sim, "GET", SERVICES);
    expect(names(list.json, "svm.name")).to.deep.equal(["mine"]);
    expect((await call(s.sim, "GET", `${SERVICES}/${uuid("mine")}`)).status).to.equal(200);
    expectError(await call(s.sim, "GET", `${SERVICES}/${uuid("theirs")}`), 404, "2621462", "svm.uuid");
    expect((await call(s.sim, "GET", `${SERVICES}/${uuid("mine")}/metrics`)).status).to.equal(200);
    expectError(await call(s.sim, "GET", `${SERVICES}/${uuid("theirs")}/metrics`), 404, "2621462");
  });

  it("gets 403 code 6 on cluster-scoped endpoints", async () => {
    for (const path of [
      "/api/cluster",
      "/api/cluster?fields=version",
      "/api/cluster/licensing/licenses?name=iscsi",
      "/api/cluster/licensing/licenses/iscsi",
    ]) {
      const a = await call(s.sim, "GET", path);
      expect(a.status, path).to.equal(403);
      expect(a.json, path).to.deep.equal({
        error: { message: "not authorized for that command", code: "6" },
      });
    }
  });

  it("manages its own SVM's service", async () => {
    const path = `${SERVICES}/${uuid("mine")}`;
    expect((await call(s.sim, "PATCH", path, { body: { enabled: true } })).status).to.equal(200);
    expect((await call(s.sim, "PATCH", path, { body: { enabled: false } })).status).to.equal(200);
    expect((await call(s.sim, "DELETE", path)).status).to.equal(200);
    expect((await call(s.sim, "POST", SERVICES, { body: { svm: { name: "mine" } } })).status).to.equal(201);
    expect(s.sim.service("mine")?.enabled).to.equal(true);
  });

  it("writes to another SVM are answered as if that SVM did not exist (2621462); nothing changes", async () => {
    const path = `${SERVICES}/${uuid("theirs")}`;
    expectError(await call(s.sim, "PATCH", path, { body: { enabled: true } }), 404, "2621462");
    expectError(await call(s.sim, "DELETE", path), 404, "2621462");
    expectError(
      await call(s.sim, "POST", SERVICES, { body: { svm: { name: "empty" } } }),
      400,
      "2621462",
      "svm.name",
    );
    expectError(
      await call(s.sim, "POST", SERVICES, { body: { svm: { uuid: uuid("empty") } } }),
      400,
      "2621462",
      "svm.uuid",
    );
    const bulk = await call(s.sim, "PATCH", `${SERVICES}?svm.name=*`, { body: { enabled: true } });
    expect(bulk.json).to.deep.equal({ num_records: 1 });
    expect(s.sim.service("theirs")?.enabled).to.equal(false);
    expect(s.sim.service("empty")).to.equal(undefined);
  });

  it("reads the jobs of its own SVM only", async () => {
    s.sim.setAsyncJobs(true, 20);
    s.sim.setAccount("admin");
    const theirs = await call(s.sim, "PATCH", `${SERVICES}/${uuid("theirs")}`, { body: { enabled: true } });
    s.sim.setAccount("vsadmin:mine");
    const mine = await call(s.sim, "PATCH", `${SERVICES}/${uuid("mine")}`, { body: { enabled: true } });
    await wait(60);
    const jobs = await call(s.sim, "GET", "/api/cluster/jobs?fields=svm.name,state");
    expect(field(jobs.json, "records")).to.have.length(1);
    expect(field(jobs.json, "records.0")).to.deep.include({
      uuid: field(mine.json, "job.uuid"),
      state: "success",
    });
    expectError(await call(s.sim, "GET", `/api/cluster/jobs/${field(theirs.json, "job.uuid")}`), 404, "4");
    expect((await call(s.sim, "GET", `/api/cluster/jobs/${field(mine.json, "job.uuid")}`)).status).to.equal(
      200,
    );
  });

  it("setAccount switches to the cluster administrator and back", async () => {
    s.sim.setAccount("admin");
    expect((await call(s.sim, "GET", "/api/cluster")).status).to.equal(200);
    expect(names((await call(s.sim, "GET", "/api/svm/svms")).json)).to.have.length(3);
    s.sim.setAccount("vsadmin:theirs");
    expect(names((await call(s.sim, "GET", "/api/svm/svms")).json)).to.deep.equal(["theirs"]);
  });

  it("refuses an account of an SVM that does not exist, or of an unknown kind", async () => {
    for (const account of ["vsadmin:ghost", "root", "vsadmin:"]) {
      let error: Error | undefined;
      // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
      await startSimulator({ http: true, account: account as any }).catch((e) => (error = e));
      expect(error, account).to.be.instanceOf(Error);
    }
    expect(() => s.sim.setAccount("vsadmin:ghost")).to.throw(/ghost/);
  });
});
