import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { ConnectionSettings, normalizeHost } from "../../provider/config";
import { OntapClient } from "../../provider/ontap/client";
import { checkConnection, isCheckedConnection } from "../../provider/ontap/connection";
import { OntapJobPendingError } from "../../provider/ontap/errors";
import { type SimulatorInstance, startSimulator } from "../../tools/simulator/index";
import { rejectionOf } from "../support/rejection";

const SERVICES = "/api/protocols/san/iscsi/services";
const USER = { "ontap:username": "admin", "ontap:password": "netapp123" };

/** Settings read from this stack config (by "ontap:key") and environment. */
function settings(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ConnectionSettings {
  return new ConnectionSettings({ get: (key: string) => config[key] }, env);
}

describe("connection settings", () => {
  describe("the job wait: ontap:jobTimeoutMs, a profile's jobTimeoutMs, ONTAP_JOB_TIMEOUT_MS", () => {
    const base = { "ontap:host": "cluster1.example.com", ...USER };

    it("defaults to 300000 ms", () => {
      expect(settings(base).resolve().jobTimeoutMs).to.equal(300_000);
    });

    it("is read from stack config, from a profile and from the environment; config wins", () => {
      expect(settings({ ...base, "ontap:jobTimeoutMs": "600000" }).resolve().jobTimeoutMs).to.equal(600_000);
      const lab = { host: "lab.example.com", username: "admin", password: "pw", jobTimeoutMs: 45_000 };
      expect(settings({ "ontap:clusters": { lab } }).resolve("lab").jobTimeoutMs).to.equal(45_000);
      expect(settings(base, { ONTAP_JOB_TIMEOUT_MS: "120000" }).resolve().jobTimeoutMs).to.equal(120_000);
      expect(
        settings({ ...base, "ontap:jobTimeoutMs": "1000" }, { ONTAP_JOB_TIMEOUT_MS: "120000" }).resolve()
          .jobTimeoutMs,
      ).to.equal(1_000);
    });

    describe("with a cluster whose job stays queued", () => {
      let sim: SimulatorInstance;
      let client: OntapClient | undefined;
      beforeEach(async () => {
        sim = await startSimulator();
      });
      afterEach(async () => {
        client?.close();
        await sim.stop();
      });

      it("ends the client's wait at the configured time, after exactly one POST", async () => {
        const config = {
          "ontap:host": sim.host,
          "ontap:caCert": sim.caCert,
          ...USER,
          "ontap:jobTimeoutMs": "500",
        };
        client = new OntapClient(settings(config).resolve());
        sim.setAsyncJobs(true, 60_000);
        const start = performance.now();
        const err = await rejectionOf(
          client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
        );
        const ms = performance.now() - start;
        expect(err).to.be.instanceOf(OntapJobPendingError).and.include({ state: "queued" });
        expect(ms).to.be.within(500, 2_000);
        expect(sim.requests.filter((r) => r.method === "POST")).to.have.length(1);
      });
    });
  });

  describe("hosts: the one canonical form, whichever way a cluster is written", () => {
    const same: Array<[string, string]> = [
      ["Cluster1.Example.COM.", "cluster1.example.com"],
      ["cluster1.example.com:443", "cluster1.example.com"],
      ["FD00:0::5", "[fd00::5]"],
      ["[fd00::5]:443", "[fd00::5]"],
    ];
    for (const [given, canonical] of same) {
      it(`ontap:host ${given}, ONTAP_HOST ${given} and a state host ${given} all name ${canonical}`, () => {
        expect(settings({ "ontap:host": given, ...USER }).resolve().host).to.equal(canonical);
        const env = { ONTAP_HOST: given, ONTAP_USERNAME: "admin", ONTAP_PASSWORD: "pw" };
        expect(settings({}, env).resolve().host).to.equal(canonical);
        expect(normalizeHost(given, "state host")).to.equal(canonical);
      });
    }
  });

  describe("checked once", () => {
    let dir: string;
    let sim: SimulatorInstance;
    let client: OntapClient | undefined;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), "ontap-config-"));
      sim = await startSimulator();
    });
    afterEach(async () => {
      client?.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("reads a CA given as a path when the settings are checked, not again when the client connects", async () => {
      const ca = join(dir, "cluster-ca.pem");
      writeFileSync(ca, sim.caCert ?? "");
      const resolved = settings({ "ontap:host": sim.host, "ontap:caCert": ca, ...USER }).resolve();
      rmSync(ca);
      // The pool hands the client a copy with its logger added: still the checked settings.
      client = new OntapClient({ ...resolved, logger: { debug: () => {}, warn: () => {} } });
      expect((await client.request({ method: "GET", path: "/api/cluster" })).status).to.equal(200);
    });

    it("returns checked settings as they are, frozen, and keeps them checked in a copy", () => {
      const checked = checkConnection({ host: "Cluster1.example.com", auth: { kind: "token", token: "t" } });
      expect(checkConnection(checked)).to.equal(checked);
      expect(Object.isFrozen(checked)).to.equal(true);
      expect(isCheckedConnection({ ...checked })).to.equal(true);
      expect(JSON.stringify(checked)).to.not.include("Symbol");
      expect(checked).to.include({ host: "cluster1.example.com", timeoutMs: 60_000, maxConcurrent: 8 });
    });
  });
});
