import { expect } from "chai";
import type { Engine } from "../../tools/engine/engine";
import { FACES } from "../../tools/engine/faces";
import {
  faceSuffix,
  failureOf,
  SERVICE_TYPE,
  STACK_PROGRAM,
  scenarioEngine,
  stackConfig,
  startHttpsSimulator,
  writes,
} from "../../tools/engine/scenario";
import type { Simulator, SimulatorOptions } from "../../tools/simulator/types";

const PASSWORD = "Releases-6hP!pw-2b7e";

/**
 * A stack's life through the real host on the oldest and newest releases, as the cluster
 * admin and as an SVM-scoped account: preview, up, a second run, refresh, a guarded
 * disable, destroy. Nothing may fail because a field or endpoint is missing.
 */
const PERSONALITIES: Array<[string, SimulatorOptions]> = [
  ["ONTAP 9.6, cluster admin", { ontapVersion: "9.6" }],
  ["ONTAP 9.6, SVM-scoped vsadmin", { ontapVersion: "9.6", account: "vsadmin:svm1" }],
  ["ONTAP 9.8, SVM-scoped vsadmin", { ontapVersion: "9.8", account: "vsadmin:svm1" }],
  ["ONTAP 9.16.1, SVM-scoped vsadmin", { ontapVersion: "9.16.1", account: "vsadmin:svm1" }],
];

for (const face of FACES)
  for (const [name, options] of PERSONALITIES) {
    describe(`engine scenarios on ${name}, through the real host${faceSuffix(face)}`, function () {
      this.timeout(120_000);
      let sim: Simulator;
      let engine: Engine;

      before(async () => {
        sim = await startHttpsSimulator({
          ...options,
          svms: ["svm1", { name: "svm2", state: "stopped" }],
          sessions: { svm1: 2 },
          password: PASSWORD,
        });
        engine = scenarioEngine(sim, {
          programDir: STACK_PROGRAM,
          password: PASSWORD,
          config: stackConfig([{ name: "db", args: { svmName: "svm1", targetAlias: "db" } }]),
          reuseProgramRuns: false,
          face,
        });
      });

      after(async () => {
        await engine?.stop();
        await sim?.stop();
      });

      it("preview and up create the service; a second up is a no-op with no request", async () => {
        await engine.preview();
        expect(writes(sim)).to.deep.equal([]);
        await engine.up();
        expect(sim.service("svm1")).to.include({ enabled: true, alias: "db" });
        sim.clearRequests();
        const again = await engine.up();
        expect(again.steps.map((s) => s.op)).to.deep.equal(["same"]);
        expect(sim.requests).to.deep.equal([]);
      });

      it("refresh reports drift made by hand", async () => {
        sim.outOfBand.setAlias("svm1", "legacy");
        const op = await engine.refresh();
        expect(op.steps[0]?.drift).to.include("targetAlias");
      });

      it("a preview of a guarded disable names the hosts and fails, with zero writes", async () => {
        await engine.up();
        sim.clearRequests();
        engine.setConfig({
          [`${engine.project}:resources`]: JSON.stringify([
            {
              name: "db",
              args: { svmName: "svm1", targetAlias: "db", enabled: false, protectActiveSessions: true },
            },
          ]),
        });
        const err = await failureOf(engine.preview());
        expect(err.step?.failures?.[0]?.reason).to.include("svm1-host01").and.include("Refused");
        expect(writes(sim)).to.deep.equal([]);
      });

      it("a create on a stopped SVM is refused in the preview with the vserver start advice, where the account may see it", async () => {
        engine.setConfig({
          [`${engine.project}:resources`]: JSON.stringify([
            { name: "db", args: { svmName: "svm1", targetAlias: "db" } },
            { name: "stopped", args: { svmName: "svm2" } },
          ]),
        });
        const err = await failureOf(engine.preview());
        expect(err.step?.urn).to.equal(engine.urn(SERVICE_TYPE, "stopped"));
        // An SVM-scoped account cannot see another SVM at all: it is reported as missing.
        const reason = err.step?.failures?.[0]?.reason ?? "";
        if (options.account) expect(reason).to.include("2621462");
        else expect(reason).to.include("vserver start -vserver svm2");
        expect(writes(sim)).to.deep.equal([]);
      });

      it("destroy disables, then deletes", async () => {
        engine.setConfig({
          [`${engine.project}:resources`]: JSON.stringify([{ name: "db", args: { svmName: "svm1" } }]),
        });
        await engine.destroy();
        expect(sim.service("svm1")).to.equal(undefined);
      });
    });
  }
