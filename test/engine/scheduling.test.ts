import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import type { Engine, OperationResult } from "../../tools/engine/engine";
import type { HostCall, HostMethod } from "../../tools/engine/host";
import {
  MANY_PROGRAM,
  manySvmNames,
  methods,
  SERVICE_TYPE,
  scenarioEngine,
  startHttpsSimulator,
} from "../../tools/engine/scenario";
import { defaultParallel, StepPool } from "../../tools/engine/schedule";
import { repoRoot } from "../../tools/paths";
import type { Simulator } from "../../tools/simulator/types";

const PASSWORD = "Sched-9xQ!pw-41c2";
const COUNT = 12;

/** The most calls of these methods that were in flight at once, as the host saw them. */
function overlap(op: OperationResult, ...which: HostMethod[]): number {
  const calls = op.calls.filter((c) => which.includes(c.method));
  const edges = calls.flatMap((c) => [
    { at: c.startedAt, d: 1 },
    { at: c.endedAt ?? Number.POSITIVE_INFINITY, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const e of edges) {
    now += e.d;
    peak = Math.max(peak, now);
  }
  return peak;
}

const urnOf = (c: HostCall) => c.urn ?? "";

describe("engine harness: --parallel and the engine's scheduling", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let engine: Engine;

  beforeEach(async () => {
    // 40 ms per request: steps that may overlap do.
    sim = await startHttpsSimulator({ svms: manySvmNames(COUNT), password: PASSWORD, latencyMs: 40 });
    engine = scenarioEngine(sim, {
      programDir: MANY_PROGRAM,
      password: PASSWORD,
      config: { count: String(COUNT), "ontap:preflight": "false" },
    });
  });

  afterEach(async () => {
    await engine?.stop();
    await sim?.stop();
  });

  it("defaults to 4 × the CPU cores, as Pulumi does", async () => {
    const op = await engine.preview();
    expect(op.parallel).to.equal(defaultParallel());
  });

  it("runs Check one resource at a time, in registration order, while Creates run at most --parallel at once", async () => {
    const op = await engine.up({ parallel: 4 });
    const checks = op.calls.filter((c) => c.method === "check");
    expect(checks.map(urnOf)).to.deep.equal(
      manySvmNames(COUNT).map((_, i) => engine.urn(SERVICE_TYPE, `iscsi-${String(i).padStart(3, "0")}`)),
    );
    expect(overlap(op, "check")).to.equal(1);
    expect(overlap(op, "create")).to.equal(4);
    expect(op.peakParallel).to.equal(4);
    // A Check overlaps the Creates of earlier resources, as the engine's step generator does.
    expect(overlap(op, "check", "create")).to.be.greaterThan(1);
    // The state keeps registration order, whatever order the Creates finished in.
    expect([...engine.state.keys()]).to.deep.equal(checks.map(urnOf));
    expect(sim.services()).to.have.length(COUNT);
  });

  it("runs one Create at a time at --parallel 1 (the next Check may overlap it, as in the engine)", async () => {
    const op = await engine.up({ parallel: 1 });
    expect(overlap(op, "create")).to.equal(1);
    expect(overlap(op, "check")).to.equal(1);
    expect(methods(op.calls).filter((m) => m === "create")).to.have.length(COUNT);
  });

  it("bounds refresh Reads and destroy Deletes by --parallel; unbounded sends every Read at once", async () => {
    await engine.up({ parallel: Number.POSITIVE_INFINITY });
    const bounded = await engine.refresh({ parallel: 3 });
    expect(overlap(bounded, "read")).to.be.at.most(3);
    expect(methods(bounded.calls)).to.deep.equal(Array(COUNT).fill("read"));
    const unbounded = await engine.refresh({ parallel: Number.POSITIVE_INFINITY });
    expect(unbounded.peakParallel).to.equal(COUNT);
    const destroy = await engine.destroy({ parallel: 2 });
    expect(overlap(destroy, "delete")).to.equal(2);
    // Last registered first: the Deletes start in reverse registration order.
    const starts = destroy.calls.filter((c) => c.method === "delete").map(urnOf);
    expect(starts).to.deep.equal([...starts].sort().reverse());
    expect(engine.state.size).to.equal(0);
    expect(sim.services()).to.have.length(0);
  });

  it("keeps a delete-first replacement one step: each Delete ends before its Create starts", async () => {
    await engine.up({ parallel: 8 });
    engine.setConfig({ [`${engine.project}:deleteBeforeReplace`]: "true" });
    const urns = [...engine.state.keys()];
    const op = await engine.up({ parallel: 4, replace: urns });
    expect(op.summary.replace).to.equal(COUNT);
    expect(overlap(op, "delete", "create")).to.equal(4);
    for (const urn of urns) {
      const [del, create] = ["delete", "create"].map((m) =>
        op.calls.find((c) => c.urn === urn && c.method === m),
      );
      expect(del?.endedAt).to.be.at.most(create?.startedAt ?? 0);
    }
    expect(sim.services()).to.have.length(COUNT);
  });

  it("stops starting steps after a failure, lets the running ones finish, then fails", async () => {
    const pool = new StepPool(2);
    const finished: number[] = [];
    const step =
      (n: number, fail = false) =>
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        if (fail) throw new Error(`step ${n} failed`);
        finished.push(n);
      };
    expect(await pool.submit(step(1, true))).to.equal(true);
    expect(await pool.submit(step(2))).to.equal(true);
    expect(await pool.submit(step(3))).to.equal(false);
    let error: unknown;
    await pool.drain().catch((e: unknown) => {
      error = e;
    });
    expect((error as Error).message).to.equal("step 1 failed");
    expect(finished).to.deep.equal([2]);
  });
});

describe("engine harness: state written by 0.1.0 (seven-method __provider) runs the installed code", function () {
  this.timeout(120_000);
  const OLD = fs.readFileSync(
    path.join(repoRoot, "test", "engine", "fixtures", "provider-0.1.0.txt"),
    "utf8",
  );
  let sim: Simulator;
  let engine: Engine;

  before(async () => {
    sim = await startHttpsSimulator({ svms: manySvmNames(3), password: PASSWORD });
    engine = scenarioEngine(sim, {
      programDir: MANY_PROGRAM,
      password: PASSWORD,
      config: { count: "3", "ontap:preflight": "false" },
    });
  });

  after(async () => {
    await engine?.stop();
    await sim?.stop();
  });

  it("refreshes, updates nothing, and destroys resources whose state holds the old string", async () => {
    await engine.up();
    const fresh = String([...engine.state.values()][0].outputs.__provider);
    expect(Buffer.byteLength(fresh)).to.be.at.most(800);
    expect(Buffer.byteLength(OLD)).to.equal(2005);
    // As 0.1.0 wrote them: both copies hold the old string.
    for (const state of engine.state.values()) {
      state.inputs.__provider = OLD;
      state.outputs.__provider = OLD;
    }
    sim.outOfBand.setEnabled("svm-001", false);
    const refresh = await engine.refresh();
    expect(refresh.steps.map((s) => s.drift ?? [])).to.deep.equal([[], ["enabled"], []]);
    // The next up registers the new string; the old one still answers Diff's olds.
    const up = await engine.up();
    expect(up.summary).to.deep.equal({ update: 1, same: 2 });
    expect(sim.service("svm-001")?.enabled).to.equal(true);
    for (const state of engine.state.values()) state.outputs.__provider = OLD;
    const destroy = await engine.destroy();
    expect(destroy.summary).to.deep.equal({ delete: 3 });
    expect(sim.services()).to.have.length(0);
    expect(engine.hostOutput).to.not.match(/TypeError|is not a function/);
  });
});
