import { expect } from "chai";
import type { Engine } from "../../tools/engine/engine";
import { FACES } from "../../tools/engine/faces";
import type { HostCallError } from "../../tools/engine/host";
import {
  faceSuffix,
  failureOf,
  MANY_PROGRAM,
  methods,
  programConfig,
  SERVICE_TYPE,
  SERVICES_PATH,
  scenarioEngine,
  startHttpsSimulator,
  writes,
} from "../../tools/engine/scenario";
import type { Simulator } from "../../tools/simulator/types";

const PASSWORD = "Replace-8nL!pw-c03f";

/**
 * `pulumi up --replace <urn>` onto the same SVM. The engine calls Check without olds and
 * does not call Diff: the replacement order comes from the resource option
 * `deleteBeforeReplace` alone (the SDK defaults it to true), whatever the provider's diff would have said
 * (step_generator.go, isTargetedReplace). With `ontap:preflight false` (with it, Check
 * stops first: see scenarios-lifecycle), on the `many` fixture with one service, with the
 * SDK's default and then with the option set to false.
 */
for (const face of FACES)
  describe(`engine scenarios: a forced replacement onto the same SVM (pulumi up --replace)${faceSuffix(face)}`, function () {
    this.timeout(120_000);
    let sim: Simulator;
    let engine: Engine;
    let urn: string;

    before(async () => {
      sim = await startHttpsSimulator({ svms: ["svm-000"], password: PASSWORD });
      engine = scenarioEngine(sim, {
        programDir: MANY_PROGRAM,
        password: PASSWORD,
        config: { count: "1", "ontap:preflight": "false" },
        face,
      });
      urn = engine.urn(SERVICE_TYPE, "iscsi-000");
      await engine.up();
    });

    after(async () => {
      await engine?.stop();
      await sim?.stop();
    });

    beforeEach(() => sim.clearRequests());

    it("by default (the SDK sets deleteBeforeReplace) it goes delete-first, disabling before the DELETE, and creates it again", async () => {
      const op = await engine.up({ replace: [urn] });

      expect(op.steps[0]).to.deep.include({ op: "replace", replaces: ["id"], deleteBeforeReplace: true });
      expect(methods(op.calls)).to.deep.equal(["check", "delete", "create"]);
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm-000} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm-000} → 200`,
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm-000"},"enabled":true} → 201`,
      ]);
      expect(sim.service("svm-000")).to.include({ enabled: true });
      expect(engine.state.get(urn)?.outputs).to.include({ svmName: "svm-000", enabled: true });
    });

    it("with deleteBeforeReplace: false set explicitly it goes create-first; the POST meets the SVM's own service (5374077) and nothing is lost", async () => {
      engine.setConfig(programConfig(engine, { deleteBeforeReplace: "false" }));
      const iqn = sim.service("svm-000")?.iqn;
      const err = await failureOf(engine.up({ replace: [urn] }));

      expect(err.step).to.deep.include({ op: "replace", replaces: ["id"], deleteBeforeReplace: false });
      expect(methods(err.result.calls)).to.deep.equal(["check", "create"]);
      expect((err.cause as HostCallError).details).to.include("[ONTAP 5374077, POST");
      expect(writes(sim)).to.deep.equal([
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm-000"},"enabled":true} → 409`,
      ]);
      expect(sim.service("svm-000")).to.include({ enabled: true, iqn });
      expect(engine.state.get(urn)?.outputs.targetName).to.equal(iqn);
    });
  });
