import { expect } from "chai";
import type { Engine } from "../../tools/engine/engine";
import { FACES } from "../../tools/engine/faces";
import type { HostCallError } from "../../tools/engine/host";
import {
  faceSuffix,
  failureOf,
  methods,
  SERVICE_TYPE,
  SERVICES_PATH,
  type StackResource,
  setStackResources,
  stackEngine,
  startHttpsSimulator,
  writes,
} from "../../tools/engine/scenario";
import type { Simulator } from "../../tools/simulator/types";
import { until } from "../support/until";

const PASSWORD = "Owner-5tQ!pw-91ab";

type Resource = StackResource;

/**
 * One owner per iSCSI service, through the real host, on the stacks users refactor: a
 * renamed resource, two resources on one SVM, the cluster reached by another address, a
 * create whose ONTAP job outlasts the wait. Each engine operation gets its own host process,
 * as the engine's.
 */
for (const face of FACES)
  describe(`engine scenarios: one owner per iSCSI service, through the real host${faceSuffix(face)}`, function () {
    this.timeout(120_000);
    let sim: Simulator;
    let engine: Engine | undefined;
    const others: Simulator[] = [];

    function stack(resources: Resource[], config: Record<string, string> = {}): Engine {
      engine = stackEngine(sim, PASSWORD, resources, config, face);
      return engine;
    }
    const program = setStackResources;

    beforeEach(async () => {
      sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD });
    });

    afterEach(async () => {
      await engine?.stop();
      engine = undefined;
      await sim.stop();
      for (const other of others.splice(0)) await other.stop();
    });

    describe("a renamed resource", () => {
      it("with adopt: true converges: the new one takes the service over, the old one's delete leaves it enabled and untouched", async () => {
        const e = stack([{ name: "db", args: { svmName: "svm1", targetAlias: "db" } }]);
        await e.up();
        const iqn = sim.service("svm1")?.iqn;
        sim.clearRequests();

        program(e, [{ name: "database", args: { svmName: "svm1", targetAlias: "db", adopt: true } }]);
        const preview = await e.preview();
        expect(preview.steps.map((s) => s.op)).to.deep.equal(["create", "delete"]);
        expect(writes(sim)).to.deep.equal([]);

        const up = await e.up();
        expect(up.steps.map((s) => [s.op, s.urn])).to.deep.equal([
          ["create", e.urn(SERVICE_TYPE, "database")],
          ["delete", e.urn(SERVICE_TYPE, "db")],
        ]);
        // The POST finds the service (409), the adopt finds nothing to change, the delete sends nothing.
        expect(writes(sim)).to.deep.equal([
          `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db"}} → 409`,
        ]);
        expect(sim.service("svm1")).to.include({ enabled: true, alias: "db", iqn });
        expect([...e.state.keys()]).to.deep.equal([e.urn(SERVICE_TYPE, "database")]);
        // The host prints the provider's log lines asynchronously.
        await until(
          () => e.hostOutput.includes("adopted by another resource of this run: left in place"),
          "the host's line that the service is left in place",
          10_000,
        );

        sim.clearRequests();
        const again = await e.up();
        expect(again.steps.map((s) => s.op)).to.deep.equal(["same"]);
        expect(writes(sim)).to.deep.equal([]);
      });

      it("without adopt fails the preview with the aliases advice first, and writes nothing", async () => {
        const e = stack([{ name: "db", args: { svmName: "svm1" } }]);
        await e.up();
        sim.clearRequests();
        program(e, [{ name: "database", args: { svmName: "svm1" } }]);
        const err = await failureOf(e.preview());
        const reason = err.step?.failures?.[0]?.reason ?? "";
        expect(err.step?.failures?.map((f) => f.property)).to.deep.equal(["adopt"]);
        expect(reason).to.include("renamed or moved into a component").and.include("aliases: [{ name:");
        expect(reason.indexOf("aliases")).to.be.lessThan(reason.indexOf("adopt: true"));
        expect(sim.requests.every((r) => r.method === "GET")).to.equal(true);
        expect(sim.service("svm1")).to.include({ enabled: true });
      });
    });

    describe("two resources naming one SVM", () => {
      const cases: Array<[string, (uuid: string) => Resource[], string]> = [
        ["by name twice", () => [r("a", { svmName: "svm1" }), r("b", { svmName: "svm1" })], "svmName"],
        ["by name and by UUID", (u) => [r("a", { svmName: "svm1" }), r("b", { svmUuid: u })], "svmUuid"],
        ["by UUID, then by name", (u) => [r("a", { svmUuid: u }), r("b", { svmName: "svm1" })], "svmName"],
        [
          "by name and by upper-case UUID",
          (u) => [r("a", { svmName: "svm1" }), r("b", { svmUuid: u.toUpperCase() })],
          "svmUuid",
        ],
      ];
      for (const [what, resources, property] of cases) {
        it(`${what}: the preview fails on the second, naming the SVM, with zero writes; up refuses the second too`, async () => {
          const uuid = sim.svm("svm1")?.uuid ?? "";
          const e = stack(resources(uuid));
          const expectRefused = (err: Awaited<ReturnType<typeof failureOf>>) => {
            expect(err.step?.urn).to.equal(e.urn(SERVICE_TYPE, "b"));
            expect(err.step?.failures?.map((f) => f.property)).to.deep.equal([property]);
            expect(err.step?.failures?.[0]?.reason).to.include(
              'Another IscsiService resource in this stack names the same SVM "svm1"',
            );
          };
          expectRefused(await failureOf(e.preview()));
          expect(sim.requests.filter((q) => q.method !== "GET")).to.deep.equal([]);
          // With --skip-preview the engine may create the first before it checks the second:
          // the second is still refused at its Check, before it writes anything.
          expectRefused(await failureOf(e.up()));
          expect(sim.requests.filter((q) => q.method !== "GET").map((q) => q.method)).to.deep.equal(["POST"]);
          expect(sim.services()).to.have.length(1);
        });
      }

      it("two resources on two SVMs are fine", async () => {
        const e = stack([r("a", { svmName: "svm1" }), r("b", { svmName: "svm2" })]);
        await e.up();
        expect(sim.services()).to.have.length(2);
      });
    });

    describe("the cluster under another address", () => {
      it("is the same cluster: an update of host with zero writes; another cluster is refused, naming both", async () => {
        const e = stack([r("db", { svmName: "svm1" })]);
        await e.up();
        sim.clearRequests();
        const localhost = sim.host.replace("127.0.0.1", "localhost");
        e.setConfig({ "ontap:host": localhost });

        const preview = await e.preview();
        expect(preview.steps.map((s) => s.op)).to.deep.equal(["update"]);
        const up = await e.up();
        expect(methods(up.calls)).to.deep.equal(["check", "diff", "update"]);
        expect(writes(sim)).to.deep.equal([]);
        expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({ host: localhost });
        expect((await e.up()).steps.map((s) => s.op)).to.deep.equal(["same"]);

        const other = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
        others.push(other);
        e.setConfig({ "ontap:host": other.host });
        for (const operation of [() => e.preview(), () => e.up()]) {
          const err = await failureOf(operation());
          const details = (err.cause as HostCallError).details;
          expect(details).to.include(`lives on cluster ${localhost}`).and.include(other.host);
        }
        expect(other.requests.filter((q) => q.method !== "GET")).to.deep.equal([]);
        expect(writes(sim)).to.deep.equal([]);
        expect(sim.service("svm1")).to.include({ enabled: true });
        // destroy runs no program: the engine configures the provider from the config the
        // state recorded at the last successful up, so it deletes on the cluster that holds it.
        await e.destroy();
        expect(sim.service("svm1")).to.equal(undefined);
        expect(other.requests.filter((q) => q.method !== "GET")).to.deep.equal([]);
      });
    });

    describe("a create whose ONTAP job outlasts the wait", () => {
      it("sends one POST, names the job, records it, and the next up reads the job's outcome instead of POSTing again", async () => {
        // The job runs until the test ends it: no race between the second up and a timer.
        sim.setAsyncJobs(true, 0, { held: true });
        const e = stack([r("db", { svmName: "svm1" })], { "ontap:jobTimeoutMs": "500" });
        const first = await failureOf(e.up());
        const details = (first.cause as HostCallError).details;
        const job = /ONTAP job ([0-9a-f-]{36})/.exec(details)?.[1];
        expect(job, details).to.be.a("string");
        expect(details).to.include(`job show -id ${job}`).and.include("ontap:jobTimeoutMs");
        expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({ pendingJob: job });

        const second = await failureOf(e.up());
        expect((second.cause as HostCallError).details)
          .to.include(`still`)
          .and.include(`job show -id ${job}`);
        expect(sim.requests.filter((q) => q.method === "POST")).to.have.length(1);

        expect(sim.finishJobs()).to.equal(1);
        expect(sim.service("svm1")).to.not.equal(undefined);
        const third = await e.up();
        expect(third.steps.map((s) => s.op)).to.deep.equal(["update"]);
        expect(sim.requests.filter((q) => q.method === "POST")).to.have.length(1);
        const outputs = e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs ?? {};
        expect(outputs).to.not.have.property("pendingJob");
        expect(outputs).to.include({ targetName: sim.service("svm1")?.iqn, enabled: true });
      });
    });
  });

function r(name: string, args: Record<string, unknown>): Resource {
  return { name, args };
}
