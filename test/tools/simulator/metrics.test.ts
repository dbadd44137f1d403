import { expect } from "chai";
import { call, field, SERVICES } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";

type Sample = { timestamp: string; duration: string; status: string; iops: Record<string, number> };

describe("simulator: service metrics", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({ http: true, svms: [{ name: "svm1", service: {} }, "svm2"] });
  });
  afterEach(() => sim.stop());
  const metrics = (svm: string, query = "") =>
    call(sim, "GET", `${SERVICES}/${sim.svm(svm)?.uuid}/metrics${query}`);
  const samples = (json: unknown) => field(json, "records") as Sample[];

  const spacing: Array<[string, number, string, number]> = [
    ["1h", 15, "PT15S", 240],
    ["1d", 300, "PT5M", 288],
    ["1w", 1800, "PT30M", 336],
    ["1m", 7200, "PT2H", 360],
    ["1y", 86400, "P1D", 365],
  ];
  for (const [interval, seconds, duration, count] of spacing) {
    it(`interval=${interval} has samples ${seconds} s apart, newest first`, async () => {
      const a = await metrics("svm1", `?interval=${interval}`);
      expect(a.status).to.equal(200);
      const records = samples(a.json);
      expect(records.length).to.be.within(count - 1, count);
      expect(a.json).to.have.property("num_records", records.length);
      const [t0, t1] = records.map((r) => Date.parse(r.timestamp));
      expect(t0 - t1).to.equal(seconds * 1000);
      expect(records[0]).to.include({ duration, status: "ok" });
      expect(records[0]).to.include.keys("timestamp", "iops", "latency", "throughput", "_links");
      expect(records[0].iops.total).to.equal(
        records[0].iops.read + records[0].iops.write + records[0].iops.other,
      );
    });
  }

  it("defaults to 1h and rejects an unknown interval", async () => {
    expect(samples((await metrics("svm1")).json)[0].duration).to.equal("PT15S");
    const bad = await metrics("svm1", "?interval=2h");
    expect(bad.status).to.equal(400);
    expect(bad.json).to.have.nested.property("error.target", "interval");
  });

  it("pages and filters like any collection", async () => {
    const a = await metrics("svm1", "?interval=1d&max_records=100&fields=iops");
    expect(samples(a.json)).to.have.length(100);
    expect(samples(a.json)[0]).to.have.all.keys("timestamp", "iops", "_links");
    const next = field(a.json, "_links.next.href") as string;
    expect(next).to.include("interval=1d");
    const b = await call(sim, "GET", next);
    expect(Date.parse(samples(b.json)[0].timestamp)).to.equal(
      Date.parse(samples(a.json)[99].timestamp) - 300e3,
    );
  });

  it("returns one sample by timestamp, identical to the collection's", async () => {
    const [latest] = samples((await metrics("svm1")).json);
    const one = await call(sim, "GET", `${SERVICES}/${sim.svm("svm1")?.uuid}/metrics/${latest.timestamp}`);
    expect(one.status).to.equal(200);
    expect(one.json).to.deep.equal(latest);
    const off = new Date(Date.parse(latest.timestamp) + 1000).toISOString();
    const missing = await call(sim, "GET", `${SERVICES}/${sim.svm("svm1")?.uuid}/metrics/${off}`);
    expect(missing.status).to.equal(404);
    expect(missing.json).to.have.nested.property("error.code", "8585947");
    const bad = await call(sim, "GET", `${SERVICES}/${sim.svm("svm1")?.uuid}/metrics/yesterday`);
    expect(bad.status).to.equal(400);
  });

  it("has none for a new service until backfilled (8585947)", async () => {
    await call(sim, "POST", SERVICES, { body: { svm: { name: "svm2" } } });
    const none = await metrics("svm2");
    expect(none.status).to.equal(404);
    expect(none.json).to.have.nested.property("error.code", "8585947");
    sim.backfillMetrics("svm2", 3600e3);
    expect((await metrics("svm2")).status).to.equal(200);
  });

  it("answers 5374078 for an SVM without a service", async () => {
    const a = await metrics("svm2");
    expect(a.status).to.equal(404);
    expect(a.json).to.have.nested.property("error.code", "5374078");
  });
});
