import { expect } from "chai";
import type { Engine } from "../../tools/engine/engine";
import { FACES } from "../../tools/engine/faces";
import {
  faceSuffix,
  MANY_PROGRAM,
  manySvmNames,
  methods,
  SERVICES_PATH,
  scenarioEngine,
  startHttpsSimulator,
} from "../../tools/engine/scenario";
import type { RequestLogEntry, Simulator } from "../../tools/simulator/types";

const PASSWORD = "Batching-2hT!pw-77e0";
const COUNT = 200;

/** The SVM UUIDs a request asked for: its `svm.uuid` filter, its path's UUID, or "*" for the whole collection. */
function asked(r: RequestLogEntry): string[] {
  if (r.path !== SERVICES_PATH) return [r.path.slice(SERVICES_PATH.length + 1)];
  const filter = r.query["svm.uuid"];
  return filter === undefined ? ["*"] : filter.split("|");
}

/** "3 requests: 2 collection GETs (156+37 SVMs), 1 single GET" */
function account(requests: RequestLogEntry[]): string {
  const collections = requests.filter((r) => r.path === SERVICES_PATH);
  const sizes = collections.map((r) => (r.query["svm.uuid"] === undefined ? "all" : String(asked(r).length)));
  return (
    `${requests.length} request(s): ${collections.length} collection GET(s) (${sizes.join("+")} SVMs), ` +
    `${requests.length - collections.length} single GET(s)`
  );
}

/**
 * `pulumi refresh` of a stack with many services: the engine sends the Reads (at most `--parallel`
 * at once), and the one provider of the host process coalesces those of a cluster into collection
 * GETs (the whole collection, kept as a snapshot for a moment; see provider/iscsi/batch.ts).
 * Through the real host, on the `many` fixture: one up seeds the
 * state, a first refresh of all of them drops half (deleted out of band), later ones
 * read the rest at --parallel 8 and 1, and finally a stack of one.
 */
for (const face of FACES)
  describe(`engine scenarios: a refresh of ${COUNT} services through the real host is batched${faceSuffix(face)}`, function () {
    this.timeout(120_000);
    let sim: Simulator;
    let engine: Engine;

    before(async () => {
      sim = await startHttpsSimulator({ svms: manySvmNames(COUNT), password: PASSWORD });
      engine = scenarioEngine(sim, {
        programDir: MANY_PROGRAM,
        password: PASSWORD,
        // The up only seeds the state: no preflight lookups needed.
        config: { count: String(COUNT), "ontap:preflight": "false" },
        face,
      });
      await engine.up();
    });

    after(async () => {
      await engine?.stop();
      await sim?.stop();
    });

    it(`${COUNT} Reads sent at once: a few collection GETs, and each read gets its own record`, async () => {
      expect(engine.state.size).to.equal(COUNT);
      const disabled = ["svm-008", "svm-100", "svm-198"];
      // Every odd one goes, out of band.
      const deleted = manySvmNames(COUNT).filter((_, i) => i % 2 === 1);
      for (const svm of disabled) sim.outOfBand.setEnabled(svm, false);
      for (const svm of deleted) sim.outOfBand.deleteService(svm);
      sim.clearRequests();

      const started = performance.now();
      const op = await engine.refresh();
      const ms = Math.round(performance.now() - started);

      expect(methods(op.calls)).to.deep.equal(Array(COUNT).fill("read"));
      // The services missing cost one look at the SVM list (their SVMs are there: deleted).
      expect(sim.requests.filter((r) => r.path === "/api/svm/svms")).to.have.length(1);
      const requests = sim.requests.filter((r) => r.path !== "/api/svm/svms");
      expect(requests.every((r) => r.method === "GET" && r.path.startsWith(SERVICES_PATH))).to.equal(true);
      expect(requests.filter((r) => r.path === SERVICES_PATH)).to.not.be.empty;
      expect(requests.length).to.be.at.most(COUNT / 10);
      const covered = new Set(requests.flatMap(asked));
      if (!covered.has("*")) expect(covered.size).to.equal(COUNT);
      // The drift and the deletions land on the right resources.
      const drifted = op.steps.filter((s) => (s.drift ?? []).length > 0);
      expect(drifted.map((s) => s.new?.outputs.svmName).sort()).to.deep.equal(disabled);
      expect(drifted.every((s) => s.new?.outputs.enabled === false)).to.equal(true);
      expect(op.steps.filter((s) => s.dropped).map((s) => s.old?.outputs.svmName)).to.have.members(deleted);
      expect(engine.state.size).to.equal(COUNT - deleted.length);
      console.log(`      refresh of ${COUNT} services: ${account(requests)}; ${ms} ms`);
    });

    it(`the ${COUNT / 2} left, at --parallel 8 and 1: a lone GET, then answers from one snapshot`, async () => {
      for (const parallel of [8, 1]) {
        sim.clearRequests();
        const op = await engine.refresh({ parallel });

        expect(methods(op.calls)).to.deep.equal(Array(COUNT / 2).fill("read"));
        const requests = sim.requests;
        // The first Read alone is one GET; from the second on, whole-collection GETs, each
        // answering every Read for up to SNAPSHOT_MAX_AGE_MS.
        expect(requests.filter((r) => r.path !== SERVICES_PATH)).to.have.length.at.most(1);
        expect(requests.filter((r) => r.path === SERVICES_PATH)).to.not.be.empty;
        expect(requests.length).to.be.at.most(5);
        expect(op.steps.filter((s) => s.dropped || (s.drift ?? []).length > 0)).to.be.empty;
        console.log(`      refresh of ${COUNT / 2} services at --parallel ${parallel}: ${account(requests)}`);
      }
    });

    it("refreshes a single resource with one GET of its service", async () => {
      const only = [...engine.state.keys()][0];
      for (const urn of [...engine.state.keys()]) if (urn !== only) engine.stateDelete(urn);
      sim.clearRequests();
      const op = await engine.refresh();
      expect(methods(op.calls)).to.deep.equal(["read"]);
      expect(sim.requests.map((r) => asked(r))).to.deep.equal([[String(engine.state.get(only)?.id)]]);
    });
  });
