import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { ConnectionSettings, normalizeHost, profileVariable } from "../../provider/config";
import { ConfigError } from "../../provider/errors";
import { OntapJobPendingError } from "../../provider/errors/transport";
import { OntapClient } from "../../provider/ontap/client";
import { checkConnection, isCheckedConnection } from "../../provider/ontap/connection";
import { type SimulatorInstance, startSimulator } from "../../tools/simulator/index";
import { rejectionOf } from "../support/rejection";
import { SERVICES, virtualClock } from "./ontap/helpers";

const USER = { "ontap:username": "admin", "ontap:password": "netapp123" };

/** What `fn` throws, failing the test when it returns. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error) return err;
  }
  throw new Error("expected a throw");
}

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
        const clock = virtualClock();
        client = new OntapClient(settings(config).resolve(), clock);
        sim.setAsyncJobs(true, 60_000);
        const err = await rejectionOf(
          client.request({ method: "POST", path: SERVICES, body: { svm: { name: "svm1" } } }),
        );
        expect(err).to.be.instanceOf(OntapJobPendingError).and.include({ state: "queued", waitedMs: 500 });
        // Time is driven: the polls' waits are all the time the client took, and they end at 500 ms.
        expect(clock.now()).to.equal(500);
        expect(sim.requests.filter((r) => r.method === "POST")).to.have.length(1);
      });
    });
  });

  describe("a profile's settings from the environment: ONTAP_CLUSTERS_<PROFILE>_<SETTING>", () => {
    const west = { host: "west.example.com", username: "admin" };

    it("takes a profile's password from ONTAP_CLUSTERS_WEST_PASSWORD when its config has none", () => {
      const resolved = settings(
        { "ontap:clusters": { west } },
        { ONTAP_CLUSTERS_WEST_PASSWORD: "from-env" },
      ).resolve("west");
      expect(resolved.auth).to.deep.equal({ kind: "basic", username: "admin", password: "from-env" });
      expect(resolved.credentialSource).to.equal("ontap:clusters.west.username/ONTAP_CLUSTERS_WEST_PASSWORD");
    });

    it("reads every setting so, config first; a profile never reads the default connection's ONTAP_*", () => {
      const env = {
        ONTAP_CLUSTERS_WEST_HOST: "other.example.com",
        ONTAP_CLUSTERS_WEST_PASSWORD: "pw",
        ONTAP_CLUSTERS_WEST_TIMEOUT_MS: "5000",
        ONTAP_CLUSTERS_WEST_INSECURE: "true",
        ONTAP_PASSWORD: "the default connection's",
        ONTAP_RETRIES: "0",
      };
      const resolved = settings({ "ontap:clusters": { west } }, env).resolve("west");
      expect(resolved).to.include({ host: "west.example.com", timeoutMs: 5000, insecure: true });
      expect(resolved.auth).to.include({ password: "pw" });
      expect(resolved.retry.retries).to.not.equal(0);
      const without = settings(
        { "ontap:clusters": { west } },
        { ONTAP_PASSWORD: "the default connection's" },
      );
      expect(() => without.resolve("west")).to.throw(ConfigError, /ontap:clusters\.west\.password/);
    });

    it("names a profile with dashes, dots or lower case in upper case with underscores", () => {
      expect(profileVariable("west", "password")).to.equal("ONTAP_CLUSTERS_WEST_PASSWORD");
      expect(profileVariable("us-west.2", "caCert")).to.equal("ONTAP_CLUSTERS_US_WEST_2_CA_CERT");
      expect(profileVariable("lab", "retryMaxTotalMs")).to.equal("ONTAP_CLUSTERS_LAB_RETRY_MAX_TOTAL_MS");
      const config = { "ontap:clusters": { "us-west": west } };
      expect(settings(config, { ONTAP_CLUSTERS_US_WEST_PASSWORD: "pw" }).resolve("us-west").auth).to.include({
        password: "pw",
      });
    });

    it("names the variable in the error when neither config nor the environment has the password", () => {
      const err = thrown(() => settings({ "ontap:clusters": { west } }).resolve("west"));
      expect(err).to.be.instanceOf(ConfigError);
      expect(err.message).to.equal(
        'Configuration error in ontap:clusters.west.password: user "admin" has no password.\n' +
          "Fix: pulumi config set --secret --path 'ontap:clusters.west.password' <password>; or: export ONTAP_CLUSTERS_WEST_PASSWORD=<password>",
      );
    });

    it("names the variable a bad value came from, with its own fix", () => {
      const err = thrown(() =>
        settings(
          { "ontap:clusters": { west: { ...west, password: "pw" } } },
          { ONTAP_CLUSTERS_WEST_INSECURE: "yes" },
        ).resolve("west"),
      );
      expect(err.message).to.match(
        /^Configuration error in ONTAP_CLUSTERS_WEST_INSECURE: must be true or false, got "yes"\.\nFix: export ONTAP_CLUSTERS_WEST_INSECURE=true/,
      );
    });

    it("refuses variables two profiles would share (us-west and us_west), naming both", () => {
      const config = { "ontap:clusters": { "us-west": west, us_west: { ...west, password: "pw" } } };
      const env = { ONTAP_CLUSTERS_US_WEST_PASSWORD: "pw" };
      const err = thrown(() => settings(config, env).resolve("us-west"));
      expect(err.message).to.include(
        'Configuration error in ontap:clusters.us-west: its environment variables (ONTAP_CLUSTERS_US_WEST_*) are also those of profile "us_west"',
      );
      // Set entirely in config, the other profile reads no variable: nothing to confuse.
      expect(settings(config, env).resolve("us_west").auth).to.include({ password: "pw" });
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
