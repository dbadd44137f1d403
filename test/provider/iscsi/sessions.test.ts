import { expect } from "chai";
import {
  listSessions,
  parseSessionRecord,
  readSessionCount,
  SESSIONS_PATH,
} from "../../../provider/api/protocols-san-iscsi-sessions";
import { sessionsBySvm } from "../../../provider/iscsi/sessions";
import type { OntapClient } from "../../../provider/ontap/client";
import { type SimulatorInstance, startSimulator } from "../../../tools/simulator";
import type { SimulatorOptions } from "../../../tools/simulator/types";
import { clientFor } from "../ontap/helpers";

describe("iSCSI sessions API (provider/iscsi/sessions)", () => {
  let sim: SimulatorInstance;
  let client: OntapClient;
  async function start(options: SimulatorOptions): Promise<void> {
    sim = await startSimulator({
      svms: [
        { name: "svm1", service: {} },
        { name: "svm2", service: {} },
        { name: "svm3", service: {} },
      ],
      ...options,
    });
    client = clientFor(sim);
  }
  afterEach(async () => {
    client?.close();
    await sim?.stop();
  });
  const uuid = (name: string) => sim.svm(name)?.uuid as string;
  const gets = () => sim.requests.filter((r) => r.method === "GET" && r.path === SESSIONS_PATH);

  describe("sessionsBySvm", () => {
    it("counts sessions and distinct hosts per SVM with one collection GET, zero for an SVM without any", async () => {
      await start({ sessions: { svm1: 3, svm2: 1 } });
      const by = await sessionsBySvm(client, [uuid("svm1"), uuid("svm2"), uuid("svm3")]);
      expect(by.get(uuid("svm1"))).to.deep.equal({
        sessions: 3,
        hosts: [
          { name: "iqn.1994-05.com.redhat:svm1-host01", alias: "svm1-host01" },
          { name: "iqn.1994-05.com.redhat:svm1-host02", alias: "svm1-host02" },
        ],
      });
      expect(by.get(uuid("svm2"))?.sessions).to.equal(1);
      expect(by.get(uuid("svm3"))).to.deep.equal({ sessions: 0, hosts: [] });
      expect(gets()).to.have.lengthOf(1);
      expect(gets()[0].query).to.deep.include({
        "svm.uuid": `${uuid("svm1")}|${uuid("svm2")}|${uuid("svm3")}`,
        fields: "initiator.name,initiator.alias",
      });
    });

    it("follows next links (max_records, or pages cut by return_timeout)", async () => {
      await start({ sessions: { svm1: 5 }, timeoutPageRecords: 2 });
      const by = await sessionsBySvm(client, [uuid("svm1")], { maxRecords: 10 });
      expect(by.get(uuid("svm1"))?.sessions).to.equal(5);
      expect(gets()).to.have.lengthOf(3);
    });

    it("asks nothing for no SVMs", async () => {
      await start({});
      expect((await sessionsBySvm(client, [])).size).to.equal(0);
      expect(gets()).to.have.lengthOf(0);
    });

    it("sees what an SVM-scoped account sees: its own SVM's sessions", async () => {
      await start({ sessions: { svm1: 2, svm2: 1 }, account: "vsadmin:svm2" });
      const by = await sessionsBySvm(client, [uuid("svm1"), uuid("svm2")]);
      expect(by.get(uuid("svm1"))?.sessions).to.equal(0);
      expect(by.get(uuid("svm2"))?.sessions).to.equal(1);
    });
  });

  describe("readSessionCount", () => {
    it("counts with return_records=false", async () => {
      await start({ sessions: { svm1: 3, svm2: 2 } });
      expect(await readSessionCount(client, { "svm.uuid": `${uuid("svm1")}|${uuid("svm2")}` })).to.equal(5);
      expect(gets()[0].query).to.deep.include({ return_records: "false" });
    });

    it("says 0 once the service is disabled: ONTAP ends every session", async () => {
      await start({ sessions: { svm1: 3 } });
      sim.outOfBand.setEnabled("svm1", false);
      expect(await readSessionCount(client, { "svm.name": "svm1" })).to.equal(0);
    });
  });

  describe("listSessions", () => {
    it("reads every field but initiator.comment, so that 9.6 answers too", async () => {
      await start({ ontapVersion: "9.6", sessions: { svm1: 1 } });
      const [record] = await listSessions(client, { "svm.name": "svm1" });
      expect(record).to.nested.include({
        "svm.name": "svm1",
        target_portal_group: "svm1_iscsi_lif1",
        tsih: 1,
        "initiator.alias": "svm1-host01",
        "igroups.0.name": "ig_svm1",
        "connections.0.interface.ip.port": 3260,
      });
    });

    it("refuses a malformed record, naming the field", () => {
      expect(() => parseSessionRecord({ svm: { uuid: "u" }, tsih: "7" })).to.throw(/"tsih" is "7"/);
      expect(() => parseSessionRecord({ svm: {} })).to.throw(/svm\.uuid/);
      expect(() => parseSessionRecord({ svm: { uuid: "u" }, connections: [{ cid: "0" }] })).to.throw(/cid/);
    });
  });
});
