import { expect } from "chai";
import type { IscsiServiceInputs, IscsiServiceOutputs } from "../../provider";
import {
  FAULT_NAMES,
  FAULTS,
  OPERATIONS,
  type OperationCase,
  type ServiceShape,
} from "../../tools/simulator/fault-matrix";
import type { TestCluster } from "../support/cluster";
import {
  appliedWrites,
  checked,
  expectTruthful,
  FAST_CONFIG,
  fastCluster,
  SERVICES,
  type Settled,
  seeded,
  settle,
} from "./helpers";

/** What a cell came to, for the summary printed after the matrix. */
const results = new Map<string, string>();

/** The raw inputs that made the service an operation starts from. */
function seedInputs(before: Exclude<ServiceShape, "absent">): Record<string, unknown> {
  return { svmName: "svm1", enabled: before.enabled, targetAlias: before.alias };
}

/** The operation as `pulumi up` / `refresh` / `destroy` runs it. A create runs check first, as the engine does. */
async function run(
  c: TestCluster,
  op: OperationCase,
  olds: IscsiServiceOutputs | undefined,
): Promise<IscsiServiceOutputs | undefined> {
  const id = olds?.svmUuid ?? "";
  switch (op.kind) {
    case "create":
      return (await c.provider.create(await checked(c, op.news ?? {}))).outs as IscsiServiceOutputs;
    case "read":
      return (await c.provider.read(id, olds)).props as IscsiServiceOutputs | undefined;
    case "update": {
      if (op.before === "absent") throw new Error("an update starts from a service");
      const check = await c.provider.check(seedInputs(op.before), op.news ?? {});
      expect(check.failures ?? []).to.deep.equal([]);
      const news = check.inputs as IscsiServiceInputs;
      return (await c.provider.update(id, olds as IscsiServiceOutputs, news)).outs as IscsiServiceOutputs;
    }
    case "delete":
      await c.provider.delete(id, olds as IscsiServiceOutputs);
      return undefined;
  }
}

/** The service on svm1 in the shape the table uses. */
function liveShape(c: TestCluster): ServiceShape {
  const live = c.sim.service("svm1");
  return live ? { enabled: live.enabled, alias: live.alias } : "absent";
}

/** The next `pulumi up` after a successful operation has nothing left to do. */
async function expectSettled(
  c: TestCluster,
  op: OperationCase,
  outs: IscsiServiceOutputs | undefined,
  olds?: IscsiServiceOutputs,
) {
  // The re-run is the next engine operation.
  await c.newRun();
  if (op.kind === "delete") {
    expect((await c.provider.read(olds?.svmUuid ?? "", olds)).id, "refresh after delete").to.equal("");
    return;
  }
  if (!outs) throw new Error("a successful create/read/update returns outputs");
  expectTruthful(outs, c.sim.service("svm1"));
  if (op.kind === "create") expect(outs.adopted, "made by this create, not adopted").to.equal(false);
  if (op.news) {
    const news = (
      await c.provider.check(seedInputs({ enabled: outs.enabled, alias: outs.targetAlias }), op.news)
    ).inputs as IscsiServiceInputs;
    expect((await c.provider.diff(outs.svmUuid, outs, news)).changes, "diff after convergence").to.equal(
      false,
    );
  }
  expect((await c.provider.read(outs.svmUuid, outs)).props, "refresh after convergence").to.deep.equal(outs);
}

/** An error a person can act on: names the SVM, says what to do. */
function expectClearError(result: Settled<unknown>) {
  if (result.ok) return;
  const { message, name } = result.error;
  expect(name).to.be.oneOf(["OntapDiagnosticError", "LostCreateError"]);
  expect(message).to.include('SVM "svm1"');
  expect(message).to.match(/\n(Fix|Check): \S/);
  expect(message).to.not.match(/\[object Object\]|undefined/);
}

/** Whatever the provider said about the service must be true of the cluster; the lines are then consumed. */
function expectHonestLogs(c: TestCluster, result: Settled<unknown>) {
  const said = [...c.logs.splice(0), result.ok ? "" : result.error.message].join("\n");
  const live = c.sim.service("svm1");
  if (/re-enabled/.test(said)) expect(live?.enabled, "said re-enabled").to.equal(true);
  if (/LEFT DISABLED/.test(said)) expect(live?.enabled, "said left disabled").to.equal(false);
  if (/Adopted/.test(said)) expect(live, "said adopted").to.not.equal(undefined);
}

describe(`fault matrix (${OPERATIONS.length} operations × ${FAULT_NAMES.length} faults, config ${JSON.stringify(FAST_CONFIG)})`, () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  after(() => {
    const width = Math.max(...OPERATIONS.map((o) => o.name.length));
    const lines = OPERATIONS.map(
      (op) =>
        `${op.name.padEnd(width)} | ${FAULT_NAMES.map((f) => `${f}: ${results.get(`${op.name}|${f}`) ?? "-"}`).join(", ")}`,
    );
    const cells = [...results.values()].filter((r) => r !== "n/a").length;
    console.log(`\n  fault matrix: ${cells} cells passed\n  ${lines.join("\n  ")}`);
  });

  for (const op of OPERATIONS) {
    describe(op.name, () => {
      for (const faultName of FAULT_NAMES) {
        const outcome = op.outcomes[faultName];
        if (outcome === "n/a") {
          results.set(`${op.name}|${faultName}`, "n/a");
          continue;
        }
        const fault = FAULTS[faultName];
        const title = outcome === "ok" ? "succeeds" : "fails naming the SVM, cluster unchanged";
        it(`${fault.what}: ${title}; a re-run converges`, async () => {
          c = await fastCluster();
          const cluster = c;
          const olds = op.before === "absent" ? undefined : await seeded(cluster, seedInputs(op.before));
          const uuid = cluster.sim.svm("svm1")?.uuid;
          cluster.sim.injectFault({
            ...fault.spec,
            method: op.target,
            path: op.target === "POST" ? SERVICES : `${SERVICES}/${uuid}`,
          });

          const first = await settle(run(cluster, op, olds));
          const said = first.ok ? "succeeded" : first.error.message;
          expect(first.ok, `first run ${said}`).to.equal(outcome === "ok");
          expect(
            cluster.sim.requests.some((r) => r.fault !== undefined),
            "the fault hit a request",
          ).to.equal(true);
          if (fault.minMs !== undefined) expect(first.ms, "Retry-After honored").to.be.at.least(fault.minMs);
          expectClearError(first);
          expectHonestLogs(cluster, first);
          expect(liveShape(cluster), "cluster after the first run").to.deep.equal(
            first.ok ? op.after : op.before,
          );
          if (first.ok) await expectSettled(cluster, op, first.value, olds);

          // The plain re-run of what failed: create again, update again from the old outputs, delete again.
          cluster.sim.clearFaults();
          if (!first.ok) {
            await cluster.newRun();
            const again = await settle(run(cluster, op, olds));
            expect(again.ok, `re-run: ${again.ok ? "" : again.error.message}`).to.equal(true);
            expectHonestLogs(cluster, again);
            expect(liveShape(cluster), "cluster after the re-run").to.deep.equal(op.after);
            if (again.ok) await expectSettled(cluster, op, again.value, olds);
          }
          expect(appliedWrites(cluster.sim, "POST"), "services created").to.equal(
            op.kind === "create" ? 1 : 0,
          );
          expect(cluster.sim.services().length, "services on the cluster").to.equal(
            op.after === "absent" ? 0 : 1,
          );
          results.set(`${op.name}|${faultName}`, first.ok ? "ok" : "error→re-run ok");
        });
      }
    });
  }
});
