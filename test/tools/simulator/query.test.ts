import { expect } from "chai";
import { type Answer, call, field, SERVICES } from "../../../tools/simulator/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator/index";

describe("simulator: collection queries", () => {
  let sim: SimulatorInstance;
  beforeEach(async () => {
    sim = await startSimulator({
      http: true,
      svms: [
        { name: "svm1", service: {} },
        { name: "svm2", service: { enabled: false, alias: "blue" } },
        { name: "svm3", service: { alias: "green" } },
        { name: "data4", service: {} },
        "empty",
      ],
    });
  });
  afterEach(() => sim.stop());

  const names = (a: Answer) =>
    (field(a.json, "records") as Array<{ svm: { name: string } }>).map((r) => r.svm.name).sort();
  const get = (query: string) => call(sim, "GET", `${SERVICES}?${query}`);

  it("returns only the keys and links of each record by default, as ONTAP does", async () => {
    const a = await call(sim, "GET", SERVICES);
    expect(a.status).to.equal(200);
    expect(a.json).to.have.property("num_records", 4);
    expect(a.json).to.have.nested.property("_links.self.href", SERVICES);
    const first = field(a.json, "records.0") as Record<string, unknown>;
    expect(first).to.have.all.keys("svm", "_links");
    expect(first).to.have.nested.property("svm._links.self.href");
  });

  it("filters with OR, wildcards and negation", async () => {
    expect(names(await get("svm.name=svm1|svm3"))).to.deep.equal(["svm1", "svm3"]);
    expect(names(await get("svm.name=svm*"))).to.deep.equal(["svm1", "svm2", "svm3"]);
    expect(names(await get("svm.name=!svm*"))).to.deep.equal(["data4"]);
    expect(names(await get("svm.name=!svm1|!svm2"))).to.deep.equal(["data4", "svm3"]);
    expect(names(await get("enabled=false"))).to.deep.equal(["svm2"]);
    expect(names(await get("target.alias=blue|green"))).to.deep.equal(["svm2", "svm3"]);
    expect(names(await get(`svm.uuid=${sim.svm("svm1")?.uuid}|${sim.svm("data4")?.uuid}`))).to.deep.equal([
      "data4",
      "svm1",
    ]);
    const iqn = sim.service("svm3")?.iqn as string;
    expect(names(await get(`target.name=${encodeURIComponent(iqn)}`))).to.deep.equal(["svm3"]);
    expect(names(await get("target.name=*:vs.*&enabled=true"))).to.deep.equal(["data4", "svm1", "svm3"]);
  });

  it("returns the fields a query filtered on", async () => {
    const a = await get("enabled=false");
    expect(a.json).to.have.nested.property("records.0.enabled", false);
    expect(a.json).to.not.have.nested.property("records.0.target");
  });

  it("projects fields: names, objects, * and **", async () => {
    const t = await get("fields=target&svm.name=svm2");
    expect(field(t.json, "records.0.target")).to.deep.equal({
      name: sim.service("svm2")?.iqn,
      alias: "blue",
    });
    expect(t.json).to.not.have.nested.property("records.0.enabled");
    const e = await get("fields=enabled&svm.name=svm2");
    expect(field(e.json, "records.0")).to.have.all.keys("svm", "enabled", "_links");
    const star = await get("fields=*&svm.name=svm2");
    expect(field(star.json, "records.0")).to.have.all.keys("svm", "enabled", "target", "_links");
    const all = await get("fields=**&svm.name=svm2");
    expect(field(all.json, "records.0")).to.have.all.keys(
      "svm",
      "enabled",
      "target",
      "metric",
      "statistics",
      "_links",
    );
    const one = await get("fields=metric.iops.total&svm.name=svm2");
    expect(field(one.json, "records.0.metric")).to.have.all.keys("iops", "_links");
    expect(field(one.json, "records.0.metric.iops")).to.have.all.keys("total");
  });

  it("rejects an unknown field in fields= with 262197, in ONTAP's words", async () => {
    const a = await get("fields=enabled,colour");
    expect(a.status).to.equal(400);
    expect(a.json).to.deep.equal({
      error: {
        message: 'The value "colour" is invalid for field "fields" (<field,...>)',
        code: "262197",
        arguments: [
          { code: "", message: "colour" },
          { code: "", message: "fields" },
          { code: "", message: "<field,...>" },
        ],
        target: "fields",
      },
    });
  });

  it("pages with max_records and a next link the client GETs as-is", async () => {
    const seen: string[] = [];
    let href: string | undefined = `${SERVICES}?fields=enabled&max_records=3`;
    let pages = 0;
    while (href) {
      const a = await call(sim, "GET", href);
      expect(a.status).to.equal(200);
      seen.push(...names(a));
      href = field(a.json, "_links.next.href") as string | undefined;
      if (href) expect(href).to.match(/^\/api\/protocols\/san\/iscsi\/services\?/);
      pages++;
    }
    expect(pages).to.equal(2);
    expect(seen.sort()).to.deep.equal(["data4", "svm1", "svm2", "svm3"]);
  });

  it("keeps paging when the record a next link names is deleted", async () => {
    const first = await get("max_records=2");
    const next = field(first.json, "_links.next.href") as string;
    const nextUuid = new URL(next, "http://x").searchParams.get("start.svm.uuid") as string;
    sim.outOfBand.setEnabled(nextUuid, false);
    sim.outOfBand.deleteService(nextUuid);
    const rest = await call(sim, "GET", next);
    expect(names(first).length + names(rest).length).to.equal(3);
  });

  it("orders with order_by", async () => {
    const a = await get("order_by=svm.name desc");
    expect(
      (field(a.json, "records") as Array<{ svm: { name: string } }>).map((r) => r.svm.name),
    ).to.deep.equal(["svm3", "svm2", "svm1", "data4"]);
  });

  it("answers only num_records with return_records=false", async () => {
    const a = await get("return_records=false&enabled=true");
    expect(a.json).to.deep.equal({ num_records: 3 });
  });

  it("accepts return_timeout from 0 to 120 and rejects others", async () => {
    expect((await get("return_timeout=0")).status).to.equal(200);
    expect((await get("return_timeout=120")).status).to.equal(200);
    for (const bad of ["121", "-1", "soon"]) {
      const a = await get(`return_timeout=${bad}`);
      expect(a.status).to.equal(400);
      expect(a.json).to.have.nested.property("error.target", "return_timeout");
    }
  });

  it("rejects bad max_records and return_records", async () => {
    expect((await get("max_records=0")).status).to.equal(400);
    expect((await get("return_records=maybe")).status).to.equal(400);
  });
});
