import { expect } from "chai";
import { parseArgs } from "../../../tools/simulator/cli";
import { call, field, SERVICES } from "../../../tools/simulator/client";
import { startSimulator } from "../../../tools/simulator/index";
import type { SimulatorOptions } from "../../../tools/simulator/types";
import { callJson, expectError, type Strict, startStrict, stopStrict } from "./helpers";

const SESSIONS = "/api/protocols/san/iscsi/sessions";
type Rec = Record<string, unknown>;
const records = (json: unknown) => field(json, "records") as Rec[];

describe("simulator: iSCSI sessions", () => {
  let s: Strict | undefined;
  afterEach(async () => {
    await stopStrict(s);
    s = undefined;
  });
  async function start(options: SimulatorOptions = {}): Promise<Strict> {
    s = await startStrict({
      svms: [{ name: "svm1", service: {} }, { name: "svm2", service: {} }, "svm3"],
      ...options,
    });
    return s;
  }
  const uuid = (name: string) => s?.sim.svm(name)?.uuid as string;

  describe("seeding", () => {
    it("makes N sessions from realistic hosts with the shorthand: 3 sessions are 2 hosts, one multipathed", async () => {
      const { sim } = await start({ sessions: { svm1: 3 } });
      const sessions = sim.sessions("svm1");
      expect(sessions).to.have.lengthOf(3);
      const hosts = new Set(sessions.map((x) => x.initiatorName));
      expect(hosts.size).to.equal(2);
      const first = sessions.filter((x) => x.initiatorName === sessions[0].initiatorName);
      expect(first.map((x) => x.targetPortalGroup)).to.deep.equal(["svm1_iscsi_lif1", "svm1_iscsi_lif2"]);
      expect(sessions[0].initiatorName).to.match(/^iqn\.1994-05\.com\.redhat:svm1-host01$/);
    });

    it("takes explicit hosts with igroups, paths and connections", async () => {
      const { sim } = await start({
        sessions: [
          {
            svm: "svm2",
            initiator: { name: "iqn.1991-05.com.microsoft:sql01", alias: "sql01" },
            igroups: ["ig_sql"],
            paths: 2,
            connections: 2,
            authentication: "chap",
            address: "192.0.2.77",
          },
        ],
      });
      const a = await call(sim, "GET", `${SESSIONS}?fields=*&svm.name=svm2`);
      const [rec] = records(a.json);
      expect(records(a.json)).to.have.lengthOf(2);
      expect(rec).to.nested.include({
        "initiator.name": "iqn.1991-05.com.microsoft:sql01",
        "initiator.alias": "sql01",
        "igroups.0.name": "ig_sql",
        "connections.1.cid": 1,
        "connections.0.authentication_type": "chap",
        "connections.0.initiator_address.address": "192.0.2.77",
        "connections.0.interface.name": "svm2_iscsi_lif1",
        "connections.0.interface.ip.port": 3260,
      });
    });

    it("parses --sessions and --sessions-relogin", () => {
      expect(parseArgs(["--sessions", "svm1=3,svm2=1", "--sessions-relogin"])).to.deep.equal({
        sessions: { svm1: 3, svm2: 1 },
        sessionsRelogin: true,
      });
      expect(() => parseArgs(["--sessions", "svm1"])).to.throw(/svm=count/);
      expect(() => parseArgs(["--sessions", "svm1=0"])).to.throw(/svm=count/);
    });

    it("refuses a seed that names no SVM", async () => {
      let error: unknown;
      await startSimulator({ http: true, sessions: { nope: 1 } }).catch((e) => {
        error = e;
      });
      expect(String(error)).to.match(/no SVM "nope"/);
    });
  });

  describe("GET the collection", () => {
    it("returns only the keys by default, with HAL links on request and none for application/json", async () => {
      const { sim } = await start({ sessions: { svm1: 1 } });
      const hal = await call(sim, "GET", SESSIONS);
      expect(records(hal.json)[0]).to.have.all.keys("svm", "target_portal_group", "tsih", "_links");
      expect(field(hal.json, "records.0._links.self.href")).to.equal(
        `${SESSIONS}/${uuid("svm1")}/svm1_iscsi_lif1/1`,
      );
      const plain = await callJson(sim, "GET", `${SESSIONS}?fields=*`);
      expect(plain.text).not.to.include("_links");
    });

    it("filters on svm.uuid with a|b, svm.name, initiator.name and igroups.name, and returns the filtered fields", async () => {
      const { sim } = await start({ sessions: { svm1: 3, svm2: 1 } });
      const both = await call(sim, "GET", `${SESSIONS}?svm.uuid=${uuid("svm1")}|${uuid("svm2")}`);
      expect(records(both.json)).to.have.lengthOf(4);
      const one = await call(sim, "GET", `${SESSIONS}?svm.name=svm2`);
      expect(records(one.json).map((r) => field(r, "svm.name"))).to.deep.equal(["svm2"]);
      const host = await call(sim, "GET", `${SESSIONS}?initiator.name=*svm1-host01`);
      expect(records(host.json)).to.have.lengthOf(2);
      expect(records(host.json)[0]).to.have.nested.property("initiator.name");
      const ig = await call(sim, "GET", `${SESSIONS}?igroups.name=ig_svm2`);
      expect(records(ig.json)).to.have.lengthOf(1);
      expect(field(records(ig.json)[0], "igroups.0.name")).to.equal("ig_svm2");
    });

    it("projects named fields, also inside connections", async () => {
      const { sim } = await start({ sessions: { svm1: 1 } });
      const a = await callJson(
        sim,
        "GET",
        `${SESSIONS}?fields=initiator.alias,connections.interface.ip.address`,
      );
      const [rec] = records(a.json);
      const address = field(rec, "connections.0.interface.ip.address");
      expect(address).to.match(/^198\.51\.100\.\d+$/);
      expect(rec).to.deep.equal({
        svm: { uuid: uuid("svm1"), name: "svm1" },
        target_portal_group: "svm1_iscsi_lif1",
        tsih: 1,
        initiator: { alias: "svm1-host01" },
        connections: [{ interface: { ip: { address } } }],
      });
    });

    it("pages by max_records with a next link, and counts with return_records=false", async () => {
      const { sim } = await start({ sessions: { svm1: 5 } });
      const first = await callJson(sim, "GET", `${SESSIONS}?max_records=2`);
      expect(records(first.json)).to.have.lengthOf(2);
      const next = field(first.json, "_links.next.href") as string;
      const second = await callJson(sim, "GET", next);
      expect(records(second.json).map((r) => r.tsih)).to.deep.equal([3, 4]);
      expect((await call(sim, "GET", `${SESSIONS}?return_records=false`)).json).to.deep.equal({
        num_records: 5,
      });
      expect(
        (await call(sim, "GET", `${SESSIONS}?svm.uuid=${uuid("svm2")}&return_records=false`)).json,
      ).to.deep.equal({ num_records: 0 });
    });

    it("cuts pages where return_timeout would (timeoutPageRecords)", async () => {
      const { sim } = await start({ sessions: { svm1: 3 }, timeoutPageRecords: 2 });
      const first = await callJson(sim, "GET", SESSIONS);
      expect(records(first.json)).to.have.lengthOf(2);
      expect(field(first.json, "_links.next.href")).to.be.a("string");
    });
  });

  describe("GET one session", () => {
    it("answers /{svm.uuid}/{tpgroup}/{tsih} with every field, and code 4 for one that is not there", async () => {
      const { sim } = await start({ sessions: { svm1: 1 } });
      const a = await call(sim, "GET", `${SESSIONS}/${uuid("svm1")}/svm1_iscsi_lif1/1`);
      expect(a.status).to.equal(200);
      expect(a.json).to.include.keys(
        "isid",
        "initiator",
        "igroups",
        "connections",
        "target_portal_group_tag",
      );
      expectError(await call(sim, "GET", `${SESSIONS}/${uuid("svm1")}/svm1_iscsi_lif2/1`), 404, "4");
    });

    it("takes GET only", async () => {
      const sim = await startSimulator({ http: true, onUnexpected: () => {} });
      try {
        expectError(await call(sim, "POST", SESSIONS, { body: {} }), 405, "3");
        expectError(await call(sim, "DELETE", SESSIONS), 405, "3");
      } finally {
        await sim.stop();
      }
    });
  });

  describe("lifetime", () => {
    it("ends every session of the SVM when its service is disabled through the API, and does not bring them back", async () => {
      const { sim } = await start({ sessions: { svm1: 3, svm2: 1 } });
      expect(
        (await call(sim, "PATCH", `${SERVICES}/${uuid("svm1")}`, { body: { enabled: false } })).status,
      ).to.equal(200);
      expect(sim.sessions("svm1")).to.deep.equal([]);
      expect(sim.sessions("svm2")).to.have.lengthOf(1);
      await call(sim, "PATCH", `${SERVICES}/${uuid("svm1")}`, { body: { enabled: true } });
      expect(sim.sessions("svm1")).to.deep.equal([]);
    });

    it("brings hosts back on re-enable with sessionsRelogin", async () => {
      const { sim } = await start({ sessions: { svm1: 2 }, sessionsRelogin: true });
      sim.outOfBand.setEnabled("svm1", false);
      expect(sim.sessions("svm1")).to.deep.equal([]);
      sim.outOfBand.setEnabled("svm1", true);
      const back = sim.sessions("svm1");
      expect(back).to.have.lengthOf(2);
      expect(back.map((x) => x.tsih)).to.deep.equal([3, 4]);
    });

    it("ends sessions when the service is deleted or the SVM stops", async () => {
      const { sim } = await start({ sessions: { svm1: 1, svm2: 1 } });
      sim.outOfBand.setEnabled("svm1", false);
      sim.outOfBand.deleteService("svm1");
      sim.outOfBand.setSvmState("svm2", "stopped");
      expect(sim.sessions()).to.deep.equal([]);
    });

    it("logs hosts in once a service is created for their SVM, and out on endSessions", async () => {
      const { sim } = await start({ sessions: { svm3: 2 } });
      expect(sim.sessions("svm3")).to.deep.equal([]);
      await call(sim, "POST", SERVICES, { body: { svm: { name: "svm3" } } });
      expect(sim.sessions("svm3")).to.have.lengthOf(2);
      const added = sim.outOfBand.addSessions([{ svm: "svm3", initiator: { name: "iqn.x:extra" } }]);
      expect(added).to.have.lengthOf(1);
      expect(sim.outOfBand.endSessions("svm3", "iqn.x:extra")).to.equal(1);
      expect(sim.outOfBand.endSessions("svm3")).to.equal(2);
      expect(sim.sessions()).to.deep.equal([]);
    });
  });

  describe("accounts and releases", () => {
    it("shows an SVM-scoped account only its SVM's sessions", async () => {
      const { sim } = await start({ sessions: { svm1: 1, svm2: 2 }, account: "vsadmin:svm2" });
      const a = await call(sim, "GET", SESSIONS);
      expect(records(a.json).map((r) => field(r, "svm.name"))).to.deep.equal(["svm2", "svm2"]);
      const other = sim.sessions("svm1")[0];
      expectError(
        await call(sim, "GET", `${SESSIONS}/${uuid("svm1")}/${other.targetPortalGroup}/${other.tsih}`),
        404,
        "4",
      );
    });

    it("has the endpoint on 9.6, and initiator.comment only from 9.9", async () => {
      const seed = [{ svm: "svm1", initiator: { name: "iqn.x:h", comment: "rack 4" } }];
      const old = await start({ ontapVersion: "9.6", sessions: seed });
      const a = await call(old.sim, "GET", `${SESSIONS}?fields=*`);
      expect(a.status).to.equal(200);
      expect(records(a.json)[0]).to.have.nested.property("initiator.name");
      expect(records(a.json)[0]).not.to.have.nested.property("initiator.comment");
      expectError(await call(old.sim, "GET", `${SESSIONS}?fields=initiator.comment`), 400, "262197");
      expectError(await call(old.sim, "GET", `${SESSIONS}?initiator.comment=x`), 400, "262179");
      await stopStrict(old);
      const recent = await start({ ontapVersion: "9.10.1", sessions: seed });
      const b = await call(recent.sim, "GET", `${SESSIONS}?fields=initiator.comment`);
      expect(field(records(b.json)[0], "initiator.comment")).to.equal("rack 4");
    });
  });
});
