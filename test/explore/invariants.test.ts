import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../provider";
import { judgeCutOff, judgeRunEnd, judgeWrite, type RunEndFacts } from "../../tools/explore/invariants";
import type { Owner, RequestRecord, ServiceView, SessionView } from "../../tools/explore/records";
import type { StepContext } from "../../tools/explore/steps";

const UUID = "a1000000-0000-4000-8000-000000000001";
const KEY = `0:${UUID}`;

function step(kind: StepContext["kind"], extra: Partial<StepContext> = {}): StepContext {
  return {
    run: 0,
    kind,
    name: "r1",
    rid: 1,
    adopt: false,
    guard: false,
    preview: false,
    operation: "up",
    ...extra,
  };
}

function write(method: string, body: unknown, s: StepContext | undefined, seq = 10): RequestRecord {
  const entry = {
    method,
    path: `/api/protocols/san/iscsi/services/${UUID}`,
    query: {},
    body,
    status: 200,
    headers: {},
    applied: true,
  };
  return { seq, cluster: 0, entry, step: s };
}

const r2: Owner = { kind: "stack", rid: 2, name: "r2", made: true };

describe("explorer invariants, judged on recorded facts", () => {
  describe("invariant 2: who may write a service", () => {
    it("a resource writes its own service; a preview writes nothing at all", () => {
      const own: Owner = { kind: "stack", rid: 1, name: "r1", made: true };
      expect(
        judgeWrite(write("PATCH", { enabled: false }, step("update")), own, "svm1", KEY).violation,
      ).to.equal(undefined);
      const preview = judgeWrite(
        write("PATCH", { enabled: false }, step("update", { preview: true })),
        own,
        "svm1",
        KEY,
      );
      expect(preview.violation?.message).to.match(/a preview wrote/);
    });

    it("an administrator's service is written only by a resource with adopt: true, which then holds it", () => {
      const admin: Owner = { kind: "admin" };
      const refused = judgeWrite(
        write("PATCH", { target: { alias: "x" } }, step("create")),
        admin,
        "svm1",
        KEY,
      );
      expect(refused.violation).to.include({ invariant: 2, key: KEY });
      expect(refused.violation?.message).to.match(/an administrator's.*does not set adopt: true/);
      expect(
        judgeWrite(write("PATCH", { enabled: true }, step("create", { adopt: true })), admin, "svm1", KEY),
      ).to.deep.equal({
        adopts: true,
      });
    });

    it("another resource's service is disabled or deleted by no one else, except in a hand-over it leaves, or by a resource that leaves it too", () => {
      const taken = judgeWrite(write("DELETE", undefined, step("delete")), r2, "svm1", KEY);
      expect(taken.violation?.message).to.match(
        /belongs to r2; only that resource's own delete, disable or replacement/,
      );
      const handOver = judgeWrite(
        write("PATCH", { enabled: false }, step("create", { adopt: true })),
        r2,
        "svm1",
        KEY,
        new Set([2]),
      );
      expect(handOver).to.deep.equal({ adopts: true });
      // Both leave it in this run: r1's delete removes what r2's own delete would have.
      const bothLeave = judgeWrite(
        write("DELETE", undefined, step("delete")),
        r2,
        "svm1",
        KEY,
        new Set([1, 2]),
      );
      expect(bothLeave).to.deep.equal({ adopts: false });
      const onlyTheDeleterLeaves = judgeWrite(
        write("DELETE", undefined, step("delete")),
        r2,
        "svm1",
        KEY,
        new Set([1]),
      );
      expect(onlyTheDeleterLeaves.violation?.message).to.match(/belongs to r2/);
    });
  });

  describe("invariant 3: who gets cut off", () => {
    const session: SessionView = {
      key: `0:${UUID}:iqn.2025-01.test:h1:1`,
      cluster: 0,
      svmUuid: UUID,
      svmName: "svm1",
      initiator: "iqn.2025-01.test:h1",
    };
    const facts = (s: StepContext, warnings: Array<{ seq: number; text: string }>) => ({
      request: write("PATCH", { enabled: false }, s, 10),
      ended: [session],
      warnings,
      runStart: 5,
      preflight: true,
      firstSeen: () => 1,
      sessionReads: [],
    });

    it("a disable that ends sessions needs a warning naming the hosts before it", () => {
      expect(judgeCutOff(facts(step("update"), []))?.message).to.match(/with no warning naming them/);
      expect(judgeCutOff(facts(step("update"), [{ seq: 11, text: "… iqn.2025-01.test:h1 …" }]))).to.not.equal(
        undefined,
      );
      expect(
        judgeCutOff(
          facts(step("update"), [{ seq: 7, text: "ends 1 session of 1 host: h1 (iqn.2025-01.test:h1)" }]),
        ),
      ).to.equal(undefined);
    });

    it("none at all while the guard is on, warned or not; a host that logged in after the last look is not counted", () => {
      const warned = [{ seq: 7, text: "iqn.2025-01.test:h1" }];
      expect(judgeCutOff(facts(step("update", { guard: true }), warned))?.message).to.match(
        /while protectActiveSessions was on/,
      );
      const lateLogin = { ...facts(step("update", { guard: true }), []), firstSeen: () => 8 };
      expect(judgeCutOff(lateLogin)).to.equal(undefined);
      expect(judgeCutOff({ ...lateLogin, sessionReads: [9] })?.invariant).to.equal(3);
    });
  });

  describe("invariants 1, 4 and 5 at the end of a run", () => {
    const outputs = (enabled: boolean): IscsiServiceOutputs => ({
      svmName: "svm1",
      svmUuid: UUID,
      enabled,
      targetAlias: "svm1",
      targetAliasDefault: true,
      targetName: "iqn",
      host: "cluster-a.test",
      adopt: false,
      adopted: false,
      asaR2: false,
    });
    const live = (enabled: boolean): Map<string, ServiceView> =>
      new Map([[KEY, { svmName: "svm1", enabled, alias: "svm1" }]]);
    const base = (over: Partial<RunEndFacts>): RunEndFacts => ({
      run: 0,
      kind: "up",
      ok: true,
      errors: [],
      warnings: [],
      state: [{ name: "r1", rid: 1, outputs: outputs(true), cluster: 0 }],
      services: live(true),
      servicesBefore: live(true),
      touched: new Set(),
      drifted: new Set(),
      program: new Set(["r1"]),
      owners: new Map([[KEY, { kind: "stack", rid: 1, name: "r1", made: true }]]),
      jobWriteRunning: () => false,
      disables: new Map(),
      ...over,
    });

    it("1: a successful run's state matches the cluster", () => {
      expect(judgeRunEnd(base({}))).to.deep.equal([]);
      expect(judgeRunEnd(base({ services: live(false) }))[0]).to.include({ invariant: 1, key: KEY });
      expect(judgeRunEnd(base({ services: new Map() }))[0]?.message).to.match(
        /which the cluster does not have/,
      );
    });

    it("4: one service per resource in state, none the stack made left outside it by a run that succeeded", () => {
      const two = base({
        state: [...base({}).state, { name: "r2", rid: 2, outputs: outputs(true), cluster: 0 }],
      });
      expect(judgeRunEnd({ ...two, program: new Set(["r1", "r2"]) })[0]?.message).to.match(
        /r1 and r2 both record/,
      );
      expect(judgeRunEnd(base({ state: [] }))[0]?.message).to.match(
        /left outside the state by a run that succeeded/,
      );
      const said = base({ state: [], ok: false, errors: ['… SVM "svm1" … set adopt: true …'] });
      expect(judgeRunEnd(said)).to.deep.equal([]);
    });

    it("5: a failed run leaves no service disabled by a delete's first phase", () => {
      const failed = base({
        ok: false,
        services: live(false),
        disables: new Map([[KEY, "delete" as const]]),
      });
      expect(judgeRunEnd(failed)[0]).to.include({ invariant: 5 });
      expect(judgeRunEnd({ ...failed, disables: new Map([[KEY, "intended" as const]]) })).to.deep.equal([]);
    });
  });
});
