import { expect } from "chai";
import { call, field, SERVICES } from "../../../tools/simulator/client";
import { startSimulator } from "../../../tools/simulator/index";
import { formatTimestamp } from "../../../tools/simulator/time";
import { callJson, type Strict, startStrict, stopStrict, wait } from "./helpers";

const OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

describe("simulator: timestamps", () => {
  let s: Strict;
  afterEach(() => stopStrict(s));

  it("writes numeric UTC offsets, +00:00 by default, never Z", async () => {
    s = await startStrict({ svms: [{ name: "a", service: {} }] });
    const uuid = s.sim.svm("a")?.uuid;
    const perf = await call(s.sim, "GET", `${SERVICES}/${uuid}?fields=metric.timestamp,statistics.timestamp`);
    const metrics = await call(s.sim, "GET", `${SERVICES}/${uuid}/metrics?fields=timestamp`);
    const stamps = [
      field(perf.json, "metric.timestamp"),
      field(perf.json, "statistics.timestamp"),
      field(metrics.json, "records.0.timestamp"),
    ] as string[];
    for (const t of stamps) {
      expect(t).to.match(OFFSET);
      expect(t.endsWith("+00:00")).to.equal(true);
    }
  });

  it("writes the cluster's offset, and reads a sample back by its timestamp with + encoded or not", async () => {
    s = await startStrict({ timezone: "-08:00", svms: [{ name: "a", service: {} }, "b"] });
    const uuid = s.sim.svm("a")?.uuid;
    const list = await call(s.sim, "GET", `${SERVICES}/${uuid}/metrics`);
    const latest = field(list.json, "records.0") as { timestamp: string; _links: { self: { href: string } } };
    expect(latest.timestamp).to.match(/-08:00$/);
    expect(new Date(Date.parse(latest.timestamp)).getUTCSeconds() % 15).to.equal(0);
    const one = await call(s.sim, "GET", `${SERVICES}/${uuid}/metrics/${latest.timestamp}`);
    expect(one.status).to.equal(200);
    expect(field(one.json, "timestamp")).to.equal(latest.timestamp);
    expect((await call(s.sim, "GET", latest._links.self.href)).status).to.equal(200);
    await stopStrict(s);
    s = await startStrict({ timezone: "+05:30", svms: [{ name: "a", service: {} }, "b"] });
    s.sim.setAsyncJobs(true, 10);
    const accepted = await callJson(s.sim, "POST", SERVICES, { body: { svm: { name: "b" } } });
    await wait(40);
    const job = await callJson(s.sim, "GET", `/api/cluster/jobs/${field(accepted.json, "job.uuid")}`);
    expect(field(job.json, "start_time")).to.match(/\+05:30$/);
    expect(field(job.json, "end_time")).to.match(/\+05:30$/);
    const latestPlus = field(
      (await call(s.sim, "GET", `${SERVICES}/${s.sim.svm("a")?.uuid}/metrics`)).json,
      "records.0.timestamp",
    ) as string;
    const encoded = latestPlus.replace("+", "%2B");
    expect(
      (await call(s.sim, "GET", `${SERVICES}/${s.sim.svm("a")?.uuid}/metrics/${encoded}`)).status,
    ).to.equal(200);
  });

  it("formats whole seconds at an offset", () => {
    const ms = Date.parse("2021-05-26T20:36:15.789Z");
    expect(formatTimestamp(ms)).to.equal("2021-05-26T20:36:15+00:00");
    expect(formatTimestamp(ms, "-08:00")).to.equal("2021-05-26T12:36:15-08:00");
    expect(formatTimestamp(ms, "+05:30")).to.equal("2021-05-27T02:06:15+05:30");
  });

  it("refuses a timezone that is not a UTC offset", async () => {
    for (const timezone of ["Z", "UTC", "+8", "America/New_York", "+25:00"]) {
      let error: Error | undefined;
      await startSimulator({ http: true, timezone }).catch((e) => (error = e));
      expect(error, timezone).to.be.instanceOf(Error);
    }
    s = await startStrict();
  });
});

describe("simulator: pages cut as return_timeout would", () => {
  let s: Strict;
  beforeEach(async () => {
    s = await startStrict({
      timeoutPageRecords: 2,
      svms: ["a", "b", "c", "d", "e"].map((name) => ({ name, service: {} })),
    });
  });
  afterEach(() => stopStrict(s));

  /** Follows next to the end; returns the page sizes and every name. */
  async function follow(first: string): Promise<{ sizes: number[]; names: string[] }> {
    const sizes: number[] = [];
    const names: string[] = [];
    let href: string | undefined = first;
    while (href) {
      const a = await callJson(s.sim, "GET", href);
      const records = field(a.json, "records") as Array<{ svm: { name: string } }>;
      expect(a.json).to.have.property("num_records", records.length);
      sizes.push(records.length);
      names.push(...records.map((r) => r.svm.name));
      href = field(a.json, "_links.next.href") as string | undefined;
    }
    return { sizes, names: names.sort() };
  }

  it("ends a page after N records with a next link, even without max_records", async () => {
    expect(await follow(SERVICES)).to.deep.equal({ sizes: [2, 2, 1], names: ["a", "b", "c", "d", "e"] });
  });

  it("a smaller max_records still wins; a larger one is cut", async () => {
    expect((await follow(`${SERVICES}?max_records=1`)).sizes).to.deep.equal([1, 1, 1, 1, 1]);
    expect((await follow(`${SERVICES}?max_records=4`)).sizes).to.deep.equal([2, 2, 1]);
  });

  it("return_records=false still counts everything; setTimeoutPageRecords changes or ends the cut", async () => {
    expect((await callJson(s.sim, "GET", `${SERVICES}?return_records=false`)).json).to.deep.equal({
      num_records: 5,
    });
    s.sim.setTimeoutPageRecords(3);
    expect((await follow(SERVICES)).sizes).to.deep.equal([3, 2]);
    s.sim.setTimeoutPageRecords(undefined);
    expect((await follow(SERVICES)).sizes).to.deep.equal([5]);
    expect(() => s.sim.setTimeoutPageRecords(0)).to.throw(/positive integer/);
  });

  it("cuts the SVM collection too", async () => {
    expect(await callJson(s.sim, "GET", "/api/svm/svms").then((a) => a.json)).to.have.nested.property(
      "_links.next.href",
    );
  });
});
