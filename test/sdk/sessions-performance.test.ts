import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  getIscsiService,
  type IscsiSessionInfo,
  listIscsiServices,
  listIscsiSessions,
  listIscsiSessionsOutput,
  PerformanceUnavailableError,
} from "../../sdk";
import { type SimulatorInstance, startSimulator } from "../../tools/simulator";
import type { SimulatorOptions } from "../../tools/simulator/types";
import { resolved, simulatorConfig } from "../support/program-config";
import { rejectionOf } from "../support/rejection";

const SERVICES = "/api/protocols/san/iscsi/services";
const SESSIONS = "/api/protocols/san/iscsi/sessions";

describe("data sources: listIscsiSessions and includePerformance", () => {
  let sim: SimulatorInstance;
  async function start(options: SimulatorOptions = {}): Promise<void> {
    sim = await startSimulator({
      svms: [
        { name: "svm1", service: {} },
        { name: "svm2", service: {} },
      ],
      ...options,
    });
    pulumi.runtime.setAllConfig(simulatorConfig(sim));
  }
  afterEach(async () => {
    pulumi.runtime.setAllConfig({});
    await sim?.stop();
  });
  const uuid = (name: string) => sim.svm(name)?.uuid as string;

  describe("listIscsiSessions", () => {
    it("returns typed sessions of one SVM: initiator, portal group, tsih, isid, igroups, connections", async () => {
      await start({
        sessions: [
          {
            svm: "svm1",
            initiator: { name: "iqn.1994-05.com.redhat:db01", alias: "db01" },
            igroups: ["ig_db"],
            paths: 2,
            authentication: "chap",
            address: "192.0.2.41",
          },
          { svm: "svm2", initiator: { name: "iqn.x:other" } },
        ],
      });
      const sessions = await listIscsiSessions({ svmName: "svm1" });
      expect(sessions).to.have.lengthOf(2);
      const first = sessions[0] as IscsiSessionInfo;
      expect(first).to.deep.include({
        svmName: "svm1",
        svmUuid: uuid("svm1"),
        initiatorName: "iqn.1994-05.com.redhat:db01",
        initiatorAlias: "db01",
        targetPortalGroup: "svm1_iscsi_lif1",
        tsih: 1,
        igroups: ["ig_db"],
        host: sim.host,
      });
      expect(first.isid).to.match(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(first.connections).to.have.lengthOf(1);
      expect(first.connections[0]).to.deep.include({
        cid: 0,
        authenticationType: "chap",
        initiatorAddress: "192.0.2.41",
        lifName: "svm1_iscsi_lif1",
      });
      expect(first.connections[0].lifAddress).to.match(/^198\.51\.100\./);
      expect(sessions[1].targetPortalGroup).to.equal("svm1_iscsi_lif2");
      const [request] = sim.requests.filter((r) => r.path === SESSIONS);
      expect(request.query).to.include({ "svm.name": "svm1" });
      expect(request.query.fields).not.to.include("initiator.comment");
    });

    it("finds an SVM by UUID, lists every SVM without arguments, and gives [] for an SVM nobody is logged in to", async () => {
      await start({ sessions: { svm1: 3 } });
      expect(await listIscsiSessions({ svmUuid: uuid("svm1").toUpperCase() })).to.have.lengthOf(3);
      expect(await listIscsiSessions()).to.have.lengthOf(3);
      expect(await listIscsiSessions({ svmName: "svm2" })).to.deep.equal([]);
    });

    it("follows every page", async () => {
      await start({ sessions: { svm1: 5 } });
      expect(await listIscsiSessions({ pageSize: 2 })).to.have.lengthOf(5);
      expect(sim.requests.filter((r) => r.path === SESSIONS)).to.have.lengthOf(3);
    });

    it("gives [] once the service is disabled", async () => {
      await start({ sessions: { svm1: 2 } });
      sim.outOfBand.setEnabled("svm1", false);
      expect(await listIscsiSessions({ svmName: "svm1" })).to.deep.equal([]);
    });

    it("refuses unknown arguments and a bad UUID before any request", async () => {
      await start();
      const unknown = await rejectionOf(listIscsiSessions({ svm: "svm1" } as never));
      expect(unknown).to.be.instanceOf(TypeError);
      expect(String(unknown)).to.include('"svm" is not an argument').and.include("svmName, svmUuid");
      expect(await rejectionOf(listIscsiSessions({ svmUuid: "nope" }))).to.be.instanceOf(TypeError);
      expect(sim.requests).to.deep.equal([]);
    });

    it("has an …Output variant taking Inputs", async () => {
      await start({ sessions: { svm1: 1 } });
      const out = listIscsiSessionsOutput({ svmName: pulumi.output("svm1") });
      expect((await resolved(out)).map((s) => s.svmName)).to.deep.equal(["svm1"]);
    });
  });

  describe("includePerformance", () => {
    it("is not asked of ONTAP unless requested", async () => {
      await start();
      const info = await getIscsiService({ svmName: "svm1" });
      expect(info).not.to.have.any.keys("metric", "statistics");
      expect(sim.requests[0].query.fields).not.to.match(/metric|statistics/);
    });

    it("getIscsiService returns metric and statistics as typed fields, with the cluster's offset", async () => {
      await start({ timezone: "-08:00" });
      const info = await getIscsiService({ svmName: "svm1", includePerformance: true });
      expect(sim.requests).to.have.lengthOf(1);
      expect(sim.requests[0].query.fields).to.include("metric").and.include("statistics");
      expect(info.metric?.timestamp).to.match(/-08:00$/);
      expect(info.metric?.duration).to.equal("PT15S");
      expect(info.metric?.iops).to.have.all.keys("read", "write", "other", "total");
      expect(info.metric?.throughput).to.have.all.keys("read", "write", "total");
      expect(info.statistics?.timestamp).to.match(/-08:00$/);
      expect(info.statistics?.iopsRaw.total).to.be.a("number");
      expect(info.statistics?.latencyRaw).to.have.all.keys("read", "write", "other", "total");
      expect(info.statistics?.throughputRaw).to.have.all.keys("read", "write", "total");
      expect(Number.isNaN(Date.parse(info.statistics?.timestamp ?? ""))).to.equal(false);
    });

    it("listIscsiServices reads them for every service in one collection GET", async () => {
      await start();
      const list = await listIscsiServices({ includePerformance: true });
      expect(list.map((s) => s.svmName)).to.deep.equal(["svm1", "svm2"]);
      for (const s of list) expect(s.metric?.status).to.be.a("string");
      const gets = sim.requests.filter((r) => r.path === SERVICES);
      expect(gets).to.have.lengthOf(1);
      expect(gets[0].query.fields).to.include("metric,statistics");
    });

    it("on ONTAP 9.6 fails with a diagnostic naming ONTAP 9.7", async () => {
      await start({ ontapVersion: "9.6" });
      for (const attempt of [
        getIscsiService({ svmName: "svm1", includePerformance: true }),
        listIscsiServices({ includePerformance: true }),
      ]) {
        const err = await rejectionOf(attempt);
        expect(err).to.be.instanceOf(PerformanceUnavailableError);
        expect((err as PerformanceUnavailableError).kind).to.equal("unsupported-release");
        expect(String((err as Error).message))
          .to.include("ONTAP 9.7 or later")
          .and.include(sim.host);
      }
      expect((await getIscsiService({ svmName: "svm1" })).svmName).to.equal("svm1");
    });

    it("refuses a non-boolean includePerformance", async () => {
      await start();
      const err = await rejectionOf(getIscsiService({ svmName: "svm1", includePerformance: "yes" as never }));
      expect(String(err)).to.include("includePerformance must be true or false");
    });
  });
});
