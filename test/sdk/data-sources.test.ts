import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  getIscsiService,
  getIscsiServiceMetricSample,
  getIscsiServiceMetrics,
  getIscsiServiceMetricsOutput,
  getIscsiServiceOutput,
  IscsiServiceNotFoundError,
  listIscsiServices,
  listIscsiServicesOutput,
  listIscsiSessions,
  type MetricInterval,
} from "../../sdk";
import { capture, ensurePackageLink } from "../../tools/engine";
import { repoRoot } from "../../tools/paths";
import { type SimulatorInstance, startSimulator } from "../../tools/simulator";
import type { SimulatorOptions } from "../../tools/simulator/types";
import { resolved, simulatorConfig } from "../support/program-config";
import { rejectionOf } from "../support/rejection";

const INVENTORY = path.join(repoRoot, "examples/inventory");
const SERVICES = "/api/protocols/san/iscsi/services";

describe("data sources against the simulator", () => {
  let sim: SimulatorInstance;

  /** Starts a simulator and points the program's stack config (`ontap:*`) at it. */
  async function start(options: SimulatorOptions = {}, extra: Record<string, string> = {}): Promise<void> {
    sim = await startSimulator(options);
    pulumi.runtime.setAllConfig(simulatorConfig(sim, extra));
  }

  afterEach(async () => {
    pulumi.runtime.setAllConfig({});
    await sim?.stop();
  });

  describe("getIscsiService", () => {
    it("returns the live service of an SVM named by name, with one GET", async () => {
      await start({ svms: [{ name: "svm1", service: { alias: "db", enabled: false } }, "svm2"] });
      const info = await getIscsiService({ svmName: "svm1" });
      const live = sim.service("svm1");
      expect(info).to.deep.equal({
        svmName: "svm1",
        svmUuid: live?.svmUuid,
        enabled: false,
        targetAlias: "db",
        targetName: live?.iqn,
        host: sim.host,
      });
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([`GET ${SERVICES}`]);
    });

    it("finds a service by SVM UUID, in any case", async () => {
      await start({ svms: [{ name: "svm1", service: {} }] });
      const uuid = sim.service("svm1")?.svmUuid ?? "";
      expect((await getIscsiService({ svmUuid: uuid.toUpperCase() })).svmName).to.equal("svm1");
    });

    it("reads through a named connection profile of ontap:clusters", async () => {
      sim = await startSimulator({ svms: [{ name: "svm1", service: {} }] });
      const east = { host: sim.host, username: "admin", password: "netapp123", caCert: sim.caCert };
      pulumi.runtime.setAllConfig({ "ontap:clusters": JSON.stringify({ east }) });
      expect(await getIscsiService({ svmName: "svm1", cluster: "east" })).to.include({
        cluster: "east",
        host: sim.host,
      });
    });

    it("says clearly when the SVM has no service, or there is no such SVM", async () => {
      await start({ svms: ["svm1"] });
      const none = await rejectionOf(getIscsiService({ svmName: "svm1" }));
      expect(none).to.be.instanceOf(IscsiServiceNotFoundError);
      expect(none.message).to.match(/No iSCSI service on SVM "svm1" \(cluster 127\.0\.0\.1:\d+\)/);
      const missing = await rejectionOf(getIscsiService({ svmUuid: "00000000-0000-4000-8000-000000000000" }));
      expect(missing).to.be.instanceOf(IscsiServiceNotFoundError);
    });

    it("says so when svmName and svmUuid name two different SVMs", async () => {
      await start({
        svms: [
          { name: "svm1", service: {} },
          { name: "svm2", service: {} },
        ],
      });
      const svmUuid = sim.service("svm2")?.svmUuid ?? "";
      const err = await rejectionOf(getIscsiService({ svmName: "svm1", svmUuid }));
      expect(err.message).to.match(/is SVM "svm2" .*, not "svm1"/);
    });

    it("refuses arguments that name no SVM, or a pattern, before any request", async () => {
      await start();
      expect((await rejectionOf(getIscsiService({} as never))).message).to.match(/set svmName/);
      expect((await rejectionOf(getIscsiService({ svmName: "svm*" }))).message).to.match(
        /not a valid SVM name/,
      );
      expect(sim.requests).to.deep.equal([]);
    });

    it("renders ONTAP failures with the provider's diagnostics", async () => {
      await start({}, { "ontap:password": "wrong" });
      const err = await rejectionOf(getIscsiService({ svmName: "svm1" }));
      expect(err.message).to.match(/ONTAP rejected the credentials while trying to read the iSCSI service/);
      expect(err.message).to.not.contain("wrong");
    });

    it("has an Output variant taking pulumi.Input arguments", async () => {
      await start({ svms: [{ name: "svm1", service: { alias: "db" } }] });
      const info = await resolved(getIscsiServiceOutput({ svmName: pulumi.output("svm1") }));
      expect(info.targetAlias).to.equal("db");
    });
  });

  describe("listIscsiServices", () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      name: `svm${String(i).padStart(2, "0")}`,
      service: { enabled: i % 3 !== 0 },
    }));

    it("lists every service, sorted by SVM name, following every page", async () => {
      await start({ svms: [...many, "bare"] });
      const all = await listIscsiServices({ pageSize: 4 });
      expect(all.map((s) => s.svmName)).to.deep.equal(many.map((s) => s.name));
      expect(new Set(all.map((s) => s.svmUuid)).size).to.equal(25);
      expect(sim.requests).to.have.length(7);
      expect(sim.requests.every((r) => r.method === "GET" && r.query.max_records === "4")).to.equal(true);
    });

    it("filters with ONTAP patterns and by state", async () => {
      await start({ svms: many });
      const some = await listIscsiServices({ svmName: "svm0*|svm2*", enabled: false });
      expect(some.map((s) => s.svmName)).to.deep.equal([
        "svm00",
        "svm03",
        "svm06",
        "svm09",
        "svm21",
        "svm24",
      ]);
      expect(some.every((s) => !s.enabled)).to.equal(true);
      const notFirst = await listIscsiServices({ svmName: "!svm0*" });
      expect(notFirst).to.have.length(15);
      expect(await listIscsiServices({ svmName: "nothing*" })).to.deep.equal([]);
    });

    it("refuses an argument it does not take, naming it, before any request", async () => {
      await start({
        svms: [
          { name: "svm1", service: {} },
          { name: "svm2", service: {} },
        ],
      });
      const err = await rejectionOf(listIscsiServices({ svm: "svm1" } as never));
      expect(err.message).to.equal(
        'listIscsiServices: "svm" is not an argument; it takes svmName, enabled, cluster, pageSize, includePerformance.',
      );
      const get = await rejectionOf(getIscsiService({ svmName: "svm1", svmUUID: "x" } as never));
      expect(get.message).to.include('"svmUUID" is not an argument');
      expect(sim.requests).to.deep.equal([]);
    });

    it("has an Output variant", async () => {
      await start({ svms: many.slice(0, 3) });
      const list = await resolved(listIscsiServicesOutput({ enabled: pulumi.output(true) }));
      expect(list.map((s) => s.svmName)).to.deep.equal(["svm01", "svm02"]);
    });
  });

  describe("getIscsiServiceMetrics", () => {
    const spacing: Record<MetricInterval, [number, number, string]> = {
      "1h": [240, 15e3, "PT15S"],
      "1d": [288, 300e3, "PT5M"],
      "1w": [336, 1800e3, "PT30M"],
      "1m": [360, 7200e3, "PT2H"],
      "1y": [365, 86400e3, "P1D"],
    };
    for (const [interval, [count, stepMs, duration]] of Object.entries(spacing)) {
      it(`returns the ${interval} samples, newest first, ${stepMs / 1000} s apart`, async () => {
        await start({ svms: [{ name: "svm1", service: {} }] });
        const metrics = await getIscsiServiceMetrics({
          svmName: "svm1",
          interval: interval as MetricInterval,
        });
        expect(metrics).to.include({ svmName: "svm1", interval, host: sim.host });
        expect(metrics.note).to.equal(undefined);
        expect(metrics.samples).to.have.length(count);
        const times = metrics.samples.map((s) => Date.parse(s.timestamp));
        for (let i = 1; i < times.length; i++) expect(times[i - 1] - times[i]).to.equal(stepMs);
        const [latest] = metrics.samples;
        expect(latest).to.include({ status: "ok", duration });
        expect(latest?.latency.total).to.be.above(0);
        expect(latest?.iops.total).to.equal(
          (latest?.iops.read ?? 0) + (latest?.iops.write ?? 0) + (latest?.iops.other ?? 0),
        );
        expect(latest?.throughput.total).to.be.above(0);
      });
    }

    it("turns 8585947 (no samples yet) into an empty result with a note", async () => {
      await start({ svms: ["svm1"] });
      const created = sim.outOfBand.createService("svm1");
      const metrics = await getIscsiServiceMetrics({ svmUuid: created.svmUuid, interval: "1h" });
      expect(metrics.samples).to.deep.equal([]);
      expect(metrics.note)
        .to.match(/8585947/)
        .and.match(/no metrics are available/);
    });

    it("refuses an unknown interval, and says when there is no service", async () => {
      await start({ svms: ["svm1"] });
      const bad = await rejectionOf(
        getIscsiServiceMetrics({ svmName: "svm1", interval: "5m" as MetricInterval }),
      );
      expect(bad.message).to.match(/interval must be one of 1h, 1d, 1w, 1m, 1y/);
      const none = await rejectionOf(getIscsiServiceMetrics({ svmName: "svm1", interval: "1h" }));
      expect(none).to.be.instanceOf(IscsiServiceNotFoundError);
    });

    it("has an Output variant", async () => {
      await start({ svms: [{ name: "svm1", service: {} }] });
      const metrics = await resolved(
        getIscsiServiceMetricsOutput({ svmName: "svm1", interval: pulumi.output("1d") }),
      );
      expect(metrics.samples).to.have.length(288);
    });
  });

  describe("getIscsiServiceMetricSample", () => {
    const at = "2026-03-02T09:14:45+00:00";

    it("refuses an argument it does not take, naming it, before any request", async () => {
      await start({ svms: [{ name: "svm1", service: {} }] });
      const typo = await rejectionOf(
        getIscsiServiceMetricSample({ svmName: "svm1", timestamp: at, timestmap: at } as never),
      );
      expect(typo).to.be.instanceOf(TypeError);
      expect(typo.message).to.equal(
        'getIscsiServiceMetricSample: "timestmap" is not an argument; it takes svmName, svmUuid, cluster, timestamp.',
      );
      const performance = await rejectionOf(
        getIscsiServiceMetricSample({ svmName: "svm1", timestamp: at, includePerformance: true } as never),
      );
      expect(performance.message).to.include('"includePerformance" is not an argument');
      expect(sim.requests).to.deep.equal([]);
    });

    it("refuses a timestamp that is not a date and time, before any request", async () => {
      await start({ svms: [{ name: "svm1", service: {} }] });
      const err = await rejectionOf(getIscsiServiceMetricSample({ svmName: "svm1", timestamp: "yesterday" }));
      expect(err.message).to.equal(
        'getIscsiServiceMetricSample: timestamp must be an ISO 8601 date and time such as "2026-03-02T09:14:45+00:00", got "yesterday".',
      );
      expect(sim.requests).to.deep.equal([]);
    });
  });

  describe("every data source", () => {
    const calls: Record<string, (args: object) => Promise<unknown>> = {
      getIscsiService: (a) => getIscsiService(a as never),
      listIscsiServices: (a) => listIscsiServices(a as never),
      getIscsiServiceMetrics: (a) => getIscsiServiceMetrics(a as never),
      getIscsiServiceMetricSample: (a) => getIscsiServiceMetricSample(a as never),
      listIscsiSessions: (a) => listIscsiSessions(a as never),
    };
    it("refuses an argument it does not take, naming itself and the argument, before any request", async () => {
      await start({ svms: [{ name: "svm1", service: {} }] });
      for (const [fn, call] of Object.entries(calls)) {
        const err = await rejectionOf(call({ svmName: "svm1", svm: "svm1" }));
        expect(err, fn).to.be.instanceOf(TypeError);
        expect(err.message, fn).to.match(new RegExp(`^${fn}: "svm" is not an argument; it takes svmName, `));
      }
      expect(sim.requests).to.deep.equal([]);
    });
  });

  describe("examples/inventory", () => {
    it("lists the services and prints their latency", async () => {
      await start({
        svms: [{ name: "svm1", service: {} }, { name: "svm2", service: { enabled: false } }, "svm3"],
      });
      ensurePackageLink(INVENTORY, "pulumi-ontap-iscsi", repoRoot);
      const program = await capture({
        programDir: INVENTORY,
        config: { ...simulatorConfig(sim), "ontap-iscsi-inventory:interval": "1d" },
        secretKeys: ["ontap:password"],
      });
      const lines = program.stdout.trim().split("\n");
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(
        /^svm1 +enabled +latency \d+ µs now, \d+ µs average over 1d \(288 samples\)$/,
      );
      expect(lines[1]).to.match(/^svm2 +disabled latency \d+ µs now/);
    });
  });
});
