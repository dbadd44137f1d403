import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import * as ts from "typescript";
import {
  CheckFailedError,
  type DeploymentError,
  type Engine,
  type OperationResult,
} from "../../tools/engine/engine";
import { FACES } from "../../tools/engine/faces";
import { HostCallError } from "../../tools/engine/host";
import {
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
import { repoRoot } from "../../tools/paths";
import type { Simulator } from "../../tools/simulator/types";

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Lifecycle-7qX!pw-9d2e";

/**
 * One stack of examples/basic, from an empty stack to a destroyed one, through the real
 * dynamic provider host against the simulator over verified HTTPS. The steps share the
 * stack, so they run in order; each asserts the host calls, the requests that reached the
 * cluster, and what the cluster and the state ended up as.
 */
for (const face of FACES)
  describe(`engine scenarios: the life of an examples/basic stack through the real host${faceSuffix(face)}`, function () {
    this.timeout(120_000);
    let sim: Simulator;
    let engine: Engine;
    let urn: string;
    /** Every operation that failed, for the secrets check. */
    const failures: DeploymentError[] = [];

    const uuid = (svm: string): string => {
      const found = sim.svm(svm);
      if (!found) throw new Error(`no SVM ${svm}`);
      return found.uuid;
    };
    const service = (svm: string) => sim.service(svm);
    const state = () => engine.state.get(urn);
    const configure = (values: Record<string, string | undefined>) =>
      engine.setConfig(programConfig(engine, values));
    const expectFailure = async (operation: Promise<OperationResult>) => {
      const err = await failureOf(operation);
      failures.push(err);
      return err;
    };

    before(async () => {
      sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD });
      engine = scenarioEngine(sim, { password: PASSWORD, config: { svmName: "svm1" }, face });
      urn = engine.urn(SERVICE_TYPE, "iscsi");
    });

    after(async () => {
      await engine?.stop();
      await sim?.stop();
    });

    beforeEach(() => sim.clearRequests());
    /** Every request of every scenario so far (each scenario starts with a cleared log). */
    const received: unknown[] = [];
    afterEach(() => {
      received.push(...sim.requests);
    });

    it("preview of a new stack: Configure and Check only, read-only lookups, nothing written", async () => {
      const op = await engine.preview();

      if (face === "plugin") {
        // The plugin answers Configure with supportsPreview: the engine asks its Create, with
        // preview set, what it would record (the dynamic host is never asked in a preview).
        expect(methods(op.calls)).to.deep.equal(["check", "create"]);
        expect(resourceCalls(op.calls)[1].request).to.include({ preview: true });
        expect(op.steps[0].previewed?.outputs).to.include({ svmName: "svm1", enabled: true });
      } else {
        expect(methods(op.calls)).to.deep.equal(["check"]);
      }
      expect(op.steps.map((s) => [s.op, s.urn])).to.deep.equal([["create", urn]]);
      // The preflight looked the SVM and its service up (and the cluster's license and platform).
      expect(sim.requests.every((r) => r.method === "GET")).to.equal(true);
      expect(sim.requests.map((r) => r.path)).to.include.members(["/api/svm/svms", SERVICES_PATH]);
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.services()).to.deep.equal([]);
      expect(engine.state.size).to.equal(0);
    });

    it("up creates the service with one POST and records the SVM's UUID as its id", async () => {
      const op = await engine.up();

      expect(methods(op.calls)).to.deep.equal(["check", "create"]);
      expect(writes(sim)).to.deep.equal([
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true} → 201`,
      ]);
      const live = service("svm1");
      expect(live).to.include({ enabled: true, alias: "svm1" });
      expect(state()?.id).to.equal(uuid("svm1"));
      expect(state()?.outputs).to.include({
        svmName: "svm1",
        svmUuid: uuid("svm1"),
        enabled: true,
        targetAlias: "svm1",
        targetName: live?.iqn,
        host: sim.host,
      });
    });

    it("a second up with nothing changed is a no-op: Check and Diff, not one request", async () => {
      const before = state();
      const op = await engine.up();

      expect(methods(op.calls)).to.deep.equal(["check", "diff"]);
      expect(resourceCalls(op.calls)[1].response).to.include({ changes: "none" });
      expect(op.summary).to.deep.equal({ same: 1 });
      expect(sim.requests).to.deep.equal([]);
      expect(state()?.outputs).to.deep.equal(before?.outputs);
    });

    it("an alias change is an update with one PATCH", async () => {
      configure({ targetAlias: "db-target" });
      const op = await engine.up();

      expect(methods(op.calls)).to.deep.equal(["check", "diff", "update"]);
      expect(op.steps[0]).to.deep.include({ op: "update", changedKeys: ["targetAlias"] });
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db-target"}} → 200`,
      ]);
      expect(service("svm1")).to.include({ enabled: true, alias: "db-target" });
      expect(state()?.outputs).to.include({ targetAlias: "db-target" });
    });

    it("refresh after an out-of-band disable reports the drift in the outputs and the inputs", async () => {
      sim.outOfBand.setEnabled("svm1", false);
      const op = await engine.refresh();

      expect(methods(op.calls)).to.deep.equal(["read"]);
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        `GET ${SERVICES_PATH}/${uuid("svm1")}`,
      ]);
      expect(op.steps[0].drift).to.deep.equal(["enabled"]);
      expect(op.steps[0].changedKeys).to.include("enabled");
      expect(state()?.outputs.enabled).to.equal(false);
      expect(state()?.inputs.enabled).to.equal(false);
      expect(writes(sim)).to.deep.equal([]);
    });

    it("the next up re-enables it with one PATCH", async () => {
      const op = await engine.up();

      expect(methods(op.calls)).to.deep.equal(["check", "diff", "update"]);
      expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"enabled":true} → 200`]);
      expect(service("svm1")).to.include({ enabled: true, alias: "db-target" });
      expect(state()?.outputs.enabled).to.equal(true);
    });

    it("refresh after an out-of-band delete drops the resource; the next up creates it again", async () => {
      sim.outOfBand.deleteService("svm1");
      const refresh = await engine.refresh();

      expect(methods(refresh.calls)).to.deep.equal(["read"]);
      expect(refresh.steps[0]).to.include({ dropped: true });
      expect(engine.state.size).to.equal(0);

      sim.clearRequests();
      const up = await engine.up();
      expect(methods(up.calls)).to.deep.equal(["check", "create"]);
      expect(writes(sim)).to.deep.equal([
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db-target"}} → 201`,
      ]);
      expect(service("svm1")).to.include({ enabled: true, alias: "db-target" });
    });

    it("enabled and alias changed together take two PATCH calls (ONTAP refuses both in one: 5374081), each way", async () => {
      configure({ enabled: "false", targetAlias: "db-standby" });
      const off = await engine.up();

      expect(methods(off.calls)).to.deep.equal(["check", "diff", "update"]);
      expect(off.steps[0].changedKeys).to.deep.equal(["enabled", "targetAlias"]);
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db-standby"}} → 200`,
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
      ]);
      expect(service("svm1")).to.include({ enabled: false, alias: "db-standby" });

      sim.clearRequests();
      configure({ enabled: "true", targetAlias: "db-target" });
      await engine.up();
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db-target"}} → 200`,
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":true} → 200`,
      ]);
      expect(service("svm1")).to.include({ enabled: true, alias: "db-target" });
    });

    it("bad inputs come back as Check failures naming each property, before any request", async () => {
      const before = state();
      configure({ svmName: "svm one", targetAlias: "has space" });
      const err = await expectFailure(engine.up());
      configure({ svmName: "svm1", targetAlias: "db-target" });

      expect(err.cause).to.be.instanceOf(CheckFailedError);
      expect(methods(err.result.calls)).to.deep.equal(["check"]);
      const reasons = Object.fromEntries((err.step?.failures ?? []).map((f) => [f.property, f.reason]));
      expect(reasons).to.have.keys("svmName", "targetAlias");
      expect(reasons.svmName).to.include('"svm one" is not a valid SVM name');
      expect(reasons.targetAlias).to.include("contains whitespace");
      expect(sim.requests).to.deep.equal([]);
      expect(state()).to.deep.equal(before);
    });

    it("an SVM change is a replacement in the order the diff asked for: delete-first, disabling before the DELETE", async () => {
      configure({ svmName: "svm2" });
      const op = await engine.up();

      const diff = op.calls.find((c) => c.method === "diff");
      expect(diff?.response).to.deep.include({
        changes: "some",
        replaces: ["svmName"],
        deleteBeforeReplace: true,
      });
      expect(op.steps[0]).to.deep.include({
        op: "replace",
        replaces: ["svmName"],
        deleteBeforeReplace: true,
      });
      expect(methods(op.calls)).to.deep.equal(["check", "diff", "check", "delete", "create"]);
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm1} → 200`,
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm2"},"enabled":true,"target":{"alias":"db-target"}} → 201`,
      ]);
      expect(service("svm1")).to.equal(undefined);
      expect(service("svm2")).to.include({ enabled: true, alias: "db-target" });
      expect(state()?.id).to.equal(uuid("svm2"));
    });

    // For a `--replace` target the engine calls Check with no olds and never calls Diff
    // (step_generator.go: isTargetedReplace), so the preflight cannot tell the resource's own
    // service from a foreign one: it stops the run before any write and says how to proceed.
    it("`pulumi up --replace` stops in Check, before any write, saying to run it with ONTAP_PREFLIGHT=false", async () => {
      const err = await expectFailure(engine.up({ replace: [urn] }));

      expect(err.cause).to.be.instanceOf(CheckFailedError);
      expect(resourceCalls(err.result.calls).map((c) => [c.method, c.request.olds])).to.deep.equal([
        ["check", {}],
      ]);
      expect(err.step?.failures?.map((f) => f.property)).to.deep.equal(["adopt"]);
      expect(err.step?.failures?.[0].reason).to.include("ONTAP 5374077").and.include("ONTAP_PREFLIGHT=false");
      expect(writes(sim)).to.deep.equal([]);
      expect(service("svm2")).to.include({ enabled: true, alias: "db-target" });
    });

    it("a rejected password fails with a diagnostic that names its config key, never a value", async () => {
      const wrong = "Wrong-3vQ!pw-for-401";
      engine.setConfig({ "ontap:password": wrong }, { secret: true });
      // Refresh connects as the state's record of the stack config says, which an up (here a
      // no-op, with no request) writes; the CLI does the same.
      await engine.up();
      const err = await expectFailure(engine.refresh());
      engine.setConfig({ "ontap:password": PASSWORD }, { secret: true });

      expect(err.cause).to.be.instanceOf(HostCallError);
      const details = (err.cause as HostCallError).details;
      expect(details).to.include("ontap:password");
      expect(details).to.not.include(wrong);
      expect(engine.hostOutput).to.not.include(wrong);
      expect(sim.requests.map((r) => r.status)).to.deep.equal([401]);
      expect(state()?.id).to.equal(uuid("svm2"));
      await engine.up();
    });

    it("destroy disables the service, then deletes it", async () => {
      const op = await engine.destroy();

      expect(methods(op.calls)).to.deep.equal(["delete"]);
      expect(resourceCalls(op.calls)[0].request).to.deep.include({ id: uuid("svm2") });
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm2} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm2} → 200`,
      ]);
      expect(sim.services()).to.deep.equal([]);
      expect(engine.state.size).to.equal(0);
    });

    it("the stack's password reached the cluster, and appears in no property, __provider, transcript or host output", () => {
      const basic = Buffer.from(`admin:${PASSWORD}`).toString("base64");
      const configures = engine.transcript.filter((c) => c.method === "configure");
      expect(configures.length).to.be.greaterThan(1);
      // A dynamic provider gets the whole namespaced stack config; a plugin's default provider
      // its package's keys without the namespace (and, first, in CheckConfig).
      const passwordKey = face === "plugin" ? "password" : "ontap:password";
      for (const c of configures) expect(c.request.args).to.include({ [passwordKey]: "[secret]" });
      for (const c of engine.transcript.filter((c) => c.method === "checkConfig"))
        expect(c.request.news).to.include({ password: "[secret]" });
      const providers = new Set(
        engine.transcript.flatMap((c) =>
          [c.request, c.response].flatMap(
            (m) => JSON.stringify(m ?? {}).match(/"__provider":"(?:[^"\\]|\\.)*"/g) ?? [],
          ),
        ),
      );
      // The plugin face has no serialized provider: nothing carries __provider.
      if (face === "plugin") expect(providers.size).to.equal(0);
      else expect(providers.size).to.be.greaterThan(0);
      const texts: Array<[string, string]> = [
        ["programs", JSON.stringify(engine.operations.map((op) => op.program))],
        ["__provider strings", [...providers].join("\n")],
        ["transcript", JSON.stringify(engine.transcript)],
        ["host output", engine.hostOutput],
        ["errors", failures.map((e) => `${e.message}\n${e.stack}`).join("\n")],
        ["cluster's request log", JSON.stringify(received)],
      ];
      // The password reached the cluster: it answered the stack's requests, not with 401.
      expect(received.some((r) => (r as { status: number }).status === 200)).to.equal(true);
      for (const [what, text] of texts) {
        expect(text, what).to.not.include(PASSWORD);
        expect(text, what).to.not.include(basic);
      }
    });

    // The dynamic face's own promise: the plugin's resources carry no __provider.
    if (face === "dynamic")
      describe("the __provider of the installed package", () => {
        const captured = () => [
          ...new Set(
            engine.operations.flatMap((op) => op.program?.resources.map((r) => r.inputs[PROVIDER_KEY]) ?? []),
          ),
        ];

        it("is one string, at most 800 bytes, in every run of the program", () => {
          const programs = engine.operations.filter((op) => op.program).length;
          const strings = captured();
          expect(programs).to.be.greaterThan(1);
          expect(strings).to.have.length(1);
          const size = Buffer.byteLength(String(strings[0]));
          console.log(
            `      __provider: ${size} bytes, the same string in all ${programs} preview/up operations`,
          );
          expect(size).to.be.at.most(800);
        });

        it("is byte-identical across two builds of the same code", async () => {
          const [fromProgram] = captured();
          const builds = [buildProviderStub(), buildProviderStub()];
          try {
            const compiled = builds.map((dir) =>
              fs.readFileSync(path.join(dir, "sdk", "provider-stub.js"), "utf8"),
            );
            expect(compiled[0]).to.equal(compiled[1]);
            expect(compiled[0]).to.equal(
              fs.readFileSync(path.join(repoRoot, "dist", "sdk", "provider-stub.js"), "utf8"),
            );
            const serialized = await Promise.all(builds.map(serializeProviderStub));
            expect(serialized[0]).to.equal(serialized[1]);
            expect(serialized[0]).to.equal(fromProgram);
          } finally {
            for (const dir of builds) fs.rmSync(dir, { recursive: true, force: true });
          }
        });
      });
  });

/**
 * Compiles sdk/provider-stub.ts — all the code that travels in `__provider` — with the
 * project's compiler options into a fresh directory, as `npm run build` does. The emit
 * needs no type information, so the program resolves nothing else (milliseconds, not a
 * full type check). Returns the output directory.
 */
function buildProviderStub(): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, "tsconfig.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (!parsed) throw new Error("cannot read tsconfig.json");
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-stub-build-"));
  const program = ts.createProgram([path.join(repoRoot, "sdk", "provider-stub.ts")], {
    ...parsed.options,
    outDir,
    declaration: false,
    noResolve: true,
    noLib: true,
    types: [],
  });
  const result = program.emit();
  if (result.emitSkipped) throw new Error("the build of sdk/provider-stub.ts emitted nothing");
  return outDir;
}

/** What `pulumi.dynamic.Resource` puts in `__provider` for the stub compiled into `buildDir`. */
async function serializeProviderStub(buildDir: string): Promise<string> {
  const { serializeFunction } = require(
    require.resolve("@pulumi/pulumi/runtime/closure/serializeClosure", { paths: [repoRoot] }),
  ) as { serializeFunction(f: () => unknown, args: { allowSecrets: boolean }): Promise<{ text: string }> };
  const { providerStub: provider } = require(path.join(buildDir, "sdk", "provider-stub.js")) as {
    providerStub: unknown;
  };
  // The very closure `dynamic.Resource` serializes: `() => provider`.
  return (await serializeFunction(() => provider, { allowSecrets: true })).text;
}
