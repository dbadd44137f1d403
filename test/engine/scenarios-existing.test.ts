import { expect } from "chai";
import { CheckFailedError, type Engine } from "../../tools/engine/engine";
import { FACES } from "../../tools/engine/faces";
import { HostCallError } from "../../tools/engine/host";
import {
  connectionConfig,
  directProvider,
  faceSuffix,
  failureOf,
  methods,
  programConfig,
  resourceCalls,
  SERVICE_TYPE,
  SERVICES_PATH,
  scenarioEngine,
  startHttpsSimulator,
  writes,
} from "../../tools/engine/scenario";
import { PROVIDER_KEY } from "../../tools/engine/wire";
import type { Simulator } from "../../tools/simulator/types";

const PASSWORD = "Existing-4wB!pw-61ac";

/**
 * examples/basic on SVMs that already have an iSCSI service, created by hand: without
 * `adopt` the preview (preflight) or, with `ontap:preflight false`, the create refuses
 * with ONTAP 5374077's diagnostic, whose text must arrive through gRPC exactly as the
 * provider wrote it; with `adopt` the stack takes the service over.
 */
for (const face of FACES)
  describe(`engine scenarios: services that already exist, through the real host${faceSuffix(face)}`, function () {
    this.timeout(120_000);
    let sim: Simulator;
    let engine: Engine;
    let urn: string;
    let iqn: string | undefined;

    /** Inputs as the program sends them for svm1, without `__provider`, for the in-process provider. */
    const svm1Inputs = { svmName: "svm1", enabled: true, targetAlias: "db-target" };

    before(async () => {
      sim = await startHttpsSimulator({
        svms: [{ name: "svm1", service: { enabled: false, alias: "legacy" } }],
        password: PASSWORD,
      });
      iqn = sim.service("svm1")?.iqn;
      engine = scenarioEngine(sim, {
        password: PASSWORD,
        config: { svmName: "svm1", targetAlias: "db-target", "ontap:preflight": "false" },
        face,
      });
      urn = engine.urn(SERVICE_TYPE, "iscsi");
    });

    after(async () => {
      await engine?.stop();
      await sim?.stop();
    });

    beforeEach(() => sim.clearRequests());

    it("without adopt and without preflight, Create fails with ONTAP 5374077's diagnostic, intact through gRPC", async () => {
      const err = await failureOf(engine.up());

      expect(methods(err.result.calls)).to.deep.equal(["check", "create"]);
      expect(err.cause).to.be.instanceOf(HostCallError);
      expect(writes(sim)).to.deep.equal([
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db-target"}} → 409`,
      ]);
      expect(engine.state.size).to.equal(0);
      expect(sim.service("svm1")).to.include({ enabled: false, alias: "legacy", iqn });
      // The provider's own text, from the same create run in this process, without the host.
      const details = (err.cause as HostCallError).details;
      const direct = await directProvider({ ...connectionConfig(sim, PASSWORD), "ontap:preflight": "false" })
        .then((p) => p.create({ ...svm1Inputs, adopt: false }))
        .then(
          () => "created?",
          (e: Error) => e.message,
        );
      expect(details).to.equal(direct);
      expect(details.split("\n")[0]).to.equal(
        `ONTAP refused to create the iSCSI service on SVM "svm1" (cluster ${sim.host}): the SVM already has an iSCSI service [ONTAP 5374077, POST ${SERVICES_PATH}].`,
      );
      expect(details)
        .to.include("aliases: [{ name:")
        .and.include("set `adopt: true` on the IscsiService resource");
    });

    it("without adopt, the preview's preflight refuses already, naming `adopt`, with the same advice", async () => {
      engine.setConfig({ "ontap:preflight": undefined });
      sim.clearRequests();
      const err = await failureOf(engine.preview());

      expect(methods(err.result.calls)).to.deep.equal(["check"]);
      expect(err.cause).to.be.instanceOf(CheckFailedError);
      const failures = err.step?.failures ?? [];
      expect(failures.map((f) => f.property)).to.deep.equal(["adopt"]);
      const direct = await directProvider(connectionConfig(sim, PASSWORD)).then((p) =>
        p.check({}, { ...svm1Inputs, [PROVIDER_KEY]: "unused" }),
      );
      expect(failures).to.deep.equal(direct.failures);
      expect(failures[0].reason).to.match(
        /^Preflight \(a read-only lookup; nothing was changed\) shows that creating this service would fail:\nONTAP refused to create the iSCSI service on SVM "svm1" .*\[ONTAP 5374077, POST /,
      );
      expect(failures[0].reason)
        .to.include("renamed or moved into a component")
        .and.include("Only when no stack manages the service");
      expect(sim.requests.every((r) => r.method === "GET")).to.equal(true);
    });

    it("with adopt, up takes the existing service over and brings it to the inputs: POST refused, then one PATCH each", async () => {
      engine.setConfig(programConfig(engine, { adopt: "true" }));
      const op = await engine.up();

      expect(methods(op.calls)).to.deep.equal(["check", "create"]);
      expect(writes(sim)).to.deep.equal([
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db-target"}} → 409`,
        `PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db-target"}} → 200`,
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":true} → 200`,
      ]);
      // The same service (same IQN), now as declared.
      expect(sim.service("svm1")).to.include({ enabled: true, alias: "db-target", iqn });
      expect(engine.state.get(urn)?.outputs).to.include({
        adopted: true,
        enabled: true,
        targetAlias: "db-target",
      });
      expect(engine.hostOutput).to.include('Adopted the existing iSCSI service on SVM "svm1"');
    });

    // For a `--replace` target the engine skips Diff; only the resource option orders the
    // replacement. The SDK defaults it to delete-first, so the service is recreated, never
    // adopted by the new resource and then deleted as the old one.
    it("`pulumi up --replace` of an adopted service deletes it first (disable, DELETE), then creates it again", async () => {
      const op = await engine.up({ replace: [urn] });

      expect(op.steps[0]).to.deep.include({ op: "replace", replaces: ["id"], deleteBeforeReplace: true });
      expect(methods(op.calls)).to.deep.equal(["check", "delete", "create"]);
      expect(resourceCalls(op.calls)[0].request.olds).to.deep.equal({});
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm1} → 200`,
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db-target"}} → 201`,
      ]);
      expect(sim.service("svm1")).to.include({ enabled: true, alias: "db-target" });
      expect(engine.state.get(urn)?.outputs).to.include({ svmName: "svm1", enabled: true, adopted: false });
    });
  });
