import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { capture, ProgramError } from "../../tools/engine/capture";
import { CheckFailedError, DeploymentError, Engine, type EngineOptions } from "../../tools/engine/engine";
import { ONTAP_PLUGIN } from "../../tools/engine/faces";
import { type HostCall, HostCallError, HostProcess } from "../../tools/engine/host";
import { BASIC_PROGRAM, PACKAGE_NAME, resourceCalls } from "../../tools/engine/scenario";
import { PROVIDER_KEY, UNKNOWN } from "../../tools/engine/wire";
import { repoRoot } from "../../tools/paths";

/** The fixture program: sources stay in tools/, tests run from dist/test/. */
const ECHO = path.join(repoRoot, "tools", "engine", "fixtures", "echo");
const ECHO_TYPE = "pulumi-nodejs:dynamic/echo:Echo";

/** What the fixture's provider keeps in its JSON "cloud". */
interface Store {
  objects: Record<string, { key: string; message: string; length: number; codeVersion: string }>;
  log: string[];
  configured: Array<{ codeVersion: string; tokenSha256: string }>;
  next: number;
}

/** The resource methods called: Configure, which opens every operation's host, left out. */
const methods = (calls: HostCall[]) => resourceCalls(calls).map((c) => c.method);

async function failureOf(operation: Promise<unknown>): Promise<DeploymentError> {
  try {
    await operation;
  } catch (e) {
    expect(e).to.be.instanceOf(DeploymentError);
    return e as DeploymentError;
  }
  throw new Error("expected the operation to fail");
}

describe("engine harness: the echo fixture through the real dynamic provider host", () => {
  let dir: string;
  let storePath: string;
  const engines: Engine[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-harness-"));
    storePath = path.join(dir, "store.json");
    const empty: Store = { objects: {}, log: [], configured: [], next: 1 };
    fs.writeFileSync(storePath, JSON.stringify(empty));
  });

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function newEngine(config: Record<string, string> = {}, options: Partial<EngineOptions> = {}): Engine {
    const engine = new Engine({
      programDir: ECHO,
      config: { "store:path": storePath, "echo:key": "alpha", "echo:message": "hello", ...config },
      ...options,
    });
    engines.push(engine);
    return engine;
  }

  const store = (): Store => JSON.parse(fs.readFileSync(storePath, "utf8"));

  describe("capture", () => {
    it("returns each resource as the engine receives it: real __provider, secrets unwrapped, preview unknowns", async () => {
      const program = await capture({
        programDir: ECHO,
        config: {
          "echo:key": "alpha",
          "echo:message": "hello",
          "echo:note": "n0te",
          "echo:follower": "true",
        },
        secretKeys: ["echo:note"],
        preview: true,
      });

      expect(program.project).to.equal("echo");
      expect(program.resources.map((r) => [r.urn, r.type, r.custom])).to.deep.equal([
        [`urn:pulumi:dev::echo::${ECHO_TYPE}::echo`, ECHO_TYPE, true],
        [`urn:pulumi:dev::echo::${ECHO_TYPE}::follower`, ECHO_TYPE, true],
      ]);
      const [echo, follower] = program.resources;
      expect(echo.inputs).to.include({ key: "alpha", message: "hello", note: "n0te" });
      expect(echo.inputs).to.not.have.property("failCreate"); // undefined inputs never reach the wire
      expect(echo.secretKeys).to.deep.equal(["note"]);
      expect(echo.inputs[PROVIDER_KEY])
        .to.be.a("string")
        .and.match(/^exports\.handler = /);
      expect(follower.inputs.message).to.equal(UNKNOWN);
    });

    it("fails with Pulumi's text when the provider closure cannot be serialized", async () => {
      const err = await capture({
        programDir: ECHO,
        config: { "echo:key": "alpha", "echo:message": "hello", "echo:unserializable": "true" },
      }).catch((e: unknown) => e);

      expect(err).to.be.instanceOf(ProgramError);
      expect((err as ProgramError).message).to.include(`Error serializing '() => provider'`);
    });
  });

  describe("preview", () => {
    it("calls Check for a new resource, Check and Diff for an existing one, and never writes", async () => {
      const engine = newEngine();
      const first = await engine.preview();
      expect(methods(first.calls)).to.deep.equal(["check"]);
      expect(first.steps.map((s) => s.op)).to.deep.equal(["create"]);
      expect(engine.state.size).to.equal(0);

      await engine.up();
      const logAfterUp = store().log;
      engine.setConfig({ "echo:message": "changed" });
      const second = await engine.preview();

      expect(methods(second.calls)).to.deep.equal(["check", "diff"]);
      expect(second.steps.map((s) => [s.op, s.changedKeys])).to.deep.equal([["update", ["message"]]]);
      expect(store().log).to.deep.equal(logAfterUp);
      expect(engine.state.get(engine.urn(ECHO_TYPE, "echo"))?.outputs.message).to.equal("hello");
    });
  });

  describe("up", () => {
    it("creates a new resource and records its id, checked inputs and outputs", async () => {
      const engine = newEngine();
      const result = await engine.up();

      expect(methods(result.calls)).to.deep.equal(["check", "create"]);
      expect(result.summary).to.deep.equal({ create: 1 });
      const state = engine.state.get(engine.urn(ECHO_TYPE, "echo"));
      expect(state?.id).to.equal("alpha-1");
      expect(state?.outputs).to.include({ key: "alpha", message: "hello", length: 5 });
      expect(state?.outputs[PROVIDER_KEY]).to.equal(state?.inputs[PROVIDER_KEY]);
      expect(store().objects).to.have.keys("alpha-1");
    });

    it("does nothing when nothing changed: Check and Diff, no write", async () => {
      const engine = newEngine();
      await engine.up();
      const again = await engine.up();

      expect(methods(again.calls)).to.deep.equal(["check", "diff"]);
      expect(again.summary).to.deep.equal({ same: 1 });
      expect(store().log).to.deep.equal(["create alpha v1"]);
    });

    it("updates on an input change, with the old outputs as olds and the checked inputs as news", async () => {
      const engine = newEngine();
      await engine.up();
      const old = engine.state.get(engine.urn(ECHO_TYPE, "echo"));
      engine.setConfig({ "echo:message": "hello again" });
      const result = await engine.up();

      expect(methods(result.calls)).to.deep.equal(["check", "diff", "update"]);
      const update = resourceCalls(result.calls)[2];
      expect(update.request.olds).to.deep.equal(old?.outputs);
      expect(update.request.news).to.include({ message: "hello again" });
      expect(result.steps[0]).to.include({ op: "update" });
      expect(result.steps[0].changedKeys).to.deep.equal(["message"]);
      expect(engine.state.get(engine.urn(ECHO_TYPE, "echo"))?.outputs).to.include({ length: 11 });
      expect(store().log).to.deep.equal(["create alpha v1", "update alpha-1 v1"]);
    });

    it("replaces create-first by default, deleting the old resource with its old __provider", async () => {
      const engine = newEngine();
      await engine.up();
      const oldProvider = engine.state.get(engine.urn(ECHO_TYPE, "echo"))?.outputs[PROVIDER_KEY];
      // A new key forces replacement; a new codeVersion changes the serialized provider, as an upgrade would.
      engine.setConfig({ "echo:key": "beta", "echo:codeVersion": "2" });
      const result = await engine.up();

      expect(methods(result.calls)).to.deep.equal(["check", "diff", "check", "create", "delete"]);
      expect(result.steps[0]).to.include({ op: "replace", deleteBeforeReplace: false });
      expect(result.steps[0].replaces).to.deep.equal(["key"]);
      const [create, del] = resourceCalls(result.calls).slice(3);
      expect(del.request.properties).to.have.property(PROVIDER_KEY, oldProvider);
      expect((create.request.properties as Record<string, unknown>)[PROVIDER_KEY]).to.not.equal(oldProvider);
      expect(store().log).to.deep.equal(["create alpha v1", "create beta v2", "delete alpha-1 v1"]);
      expect(Object.keys(store().objects)).to.deep.equal(["beta-2"]);
      expect(engine.state.get(engine.urn(ECHO_TYPE, "echo"))?.id).to.equal("beta-2");
    });

    it("replaces delete-first when the diff asks for deleteBeforeReplace", async () => {
      const engine = newEngine({ "echo:exclusive": "true" });
      await engine.up();
      engine.setConfig({ "echo:key": "beta" });
      const result = await engine.up();

      expect(methods(result.calls)).to.deep.equal(["check", "diff", "check", "delete", "create"]);
      expect(result.steps[0]).to.include({ op: "replace", deleteBeforeReplace: true });
      expect(store().log).to.deep.equal(["create alpha v1", "delete alpha-1 v1", "create beta v1"]);
    });

    it("deletes a resource removed from the program; destroy deletes the rest with their old outputs", async () => {
      const engine = newEngine({ "echo:second": "true" });
      await engine.up();
      expect(engine.state.size).to.equal(2);
      engine.setConfig({ "echo:second": undefined });
      const up = await engine.up();
      expect(up.steps.map((s) => [s.op, s.urn])).to.deep.equal([
        ["same", engine.urn(ECHO_TYPE, "echo")],
        ["delete", engine.urn(ECHO_TYPE, "second")],
      ]);

      const remaining = engine.state.get(engine.urn(ECHO_TYPE, "echo"));
      const destroy = await engine.destroy();
      expect(methods(destroy.calls)).to.deep.equal(["delete"]);
      expect(resourceCalls(destroy.calls)[0].request).to.deep.include({
        id: "alpha-1",
        properties: remaining?.outputs,
      });
      expect(engine.state.size).to.equal(0);
      expect(store().objects).to.deep.equal({});
    });
  });

  describe("refresh", () => {
    it("reads every resource, reports drift, and drops one whose id comes back empty", async () => {
      const engine = newEngine({ "echo:second": "true" });
      await engine.up();
      const db = store();
      db.objects["alpha-1"].message = "edited by hand";
      delete db.objects["alpha-2"];
      fs.writeFileSync(storePath, JSON.stringify(db));

      const result = await engine.refresh();

      expect(methods(result.calls)).to.deep.equal(["read", "read"]);
      const [echo, second] = result.steps;
      expect(echo).to.include({ op: "refresh" });
      expect(echo.drift).to.deep.equal(["message"]);
      expect(second).to.include({ dropped: true });
      expect([...engine.state.keys()]).to.deep.equal([engine.urn(ECHO_TYPE, "echo")]);
      expect(engine.state.get(engine.urn(ECHO_TYPE, "echo"))?.outputs.message).to.equal("edited by hand");
    });
  });

  describe("secrets", () => {
    it("gives a secret stack config value to configure, and it shows in no property, transcript or host output", async () => {
      const secret = "s3cret-T0KEN-for-the-harness";
      const engine = newEngine();
      engine.setConfig({ "store:token": secret }, { secret: true });
      const result = await engine.up();

      expect(store().configured.map((c) => c.tokenSha256)).to.deep.equal([
        createHash("sha256").update(secret).digest("hex"),
      ]);
      expect(result.calls[0].request.args).to.include({ "store:token": "[secret]" });
      expect(engine.hostOutput).to.include("echo v1: configured");
      for (const [what, text] of [
        ["captured program", JSON.stringify(result.program)],
        ["state", JSON.stringify([...engine.state.values()])],
        ["transcript", JSON.stringify(engine.transcript)],
        ["host output", engine.hostOutput],
      ]) {
        expect(text, what).to.not.include(secret);
      }
    });
  });

  describe("failures", () => {
    it("returns Check failures naming the property, before any Diff or write", async () => {
      const engine = newEngine({ "echo:key": "Not A Key" });
      const err = await failureOf(engine.preview());

      expect(err.cause).to.be.instanceOf(CheckFailedError);
      expect(err.step?.failures).to.deep.equal([
        { property: "key", reason: 'must be lowercase letters, digits and dashes, got "Not A Key"' },
      ]);
      expect(methods(err.result.calls)).to.deep.equal(["check"]);
      expect(store().log).to.deep.equal([]);
    });

    it("keeps the text of an error thrown in create, through gRPC, and records nothing", async () => {
      const message =
        "ONTAP refused “svm1” [code 2621507]\nFix: vserver add-protocols -vserver svm1 -protocols iscsi";
      const engine = newEngine({ "echo:failCreate": message });
      const err = await failureOf(engine.up());

      expect(err.cause).to.be.instanceOf(HostCallError);
      expect((err.cause as HostCallError).details).to.equal(message);
      expect(err.step).to.include({ op: "create" });
      expect(err.result.calls.at(-1)?.error?.details).to.equal(message);
      expect(engine.state.size).to.equal(0);
    });

    it("keeps in the state a resource created but not initialised (ErrorResourceInitFailed)", async () => {
      const engine = newEngine({ "echo:failInit": "created, but it did not come up" });
      const err = await failureOf(engine.up());

      const cause = err.cause as HostCallError;
      expect(cause.details).to.equal("created, but it did not come up");
      expect(cause.initFailure).to.deep.include({
        id: "alpha-1",
        reasons: ["created, but it did not come up"],
      });
      expect(engine.state.get(engine.urn(ECHO_TYPE, "echo"))?.id).to.equal("alpha-1");
    });
  });

  describe("host lifecycle", () => {
    it("starts and configures a host for every operation, as the engine loads its plugins per operation", async () => {
      const engine = newEngine();
      await engine.up();
      const firstHost = engine.currentHost;
      engine.setConfig({ "echo:message": "program config only" });
      const update = await engine.up();
      expect(update.calls.map((c) => c.method)).to.deep.equal(["configure", "check", "diff", "update"]);
      expect(engine.currentHost).to.not.equal(firstHost);
      expect(firstHost?.running).to.equal(false);
      expect(store().configured).to.have.length(2);
    });

    it("with hostPerOperation false, keeps one host until the provider's config changes", async () => {
      const engine = newEngine({}, { hostPerOperation: false });
      await engine.up();
      const firstHost = engine.currentHost;
      engine.setConfig({ "echo:message": "program config only" });
      const update = await engine.up();
      expect(update.calls.map((c) => c.method)).to.deep.equal(["check", "diff", "update"]);
      expect(engine.currentHost).to.equal(firstHost);

      engine.setConfig({ "store:token": "rotated" }, { secret: true });
      await engine.up();
      expect(engine.currentHost).to.not.equal(firstHost);
      expect(firstHost?.running).to.equal(false);
      expect(store().configured).to.have.length(2);
    });

    it("HostProcess prints its port first, answers Configure as the source says, and is gone after stop()", async () => {
      const host = await HostProcess.start({ programDir: ECHO });
      try {
        expect(host.stdout.split("\n")[0]).to.equal(String(host.port));
        expect(await host.configure({ "store:path": storePath })).to.deep.equal({
          acceptSecrets: false,
          supportsPreview: false,
          acceptResources: false,
        });
      } finally {
        await host.stop();
      }
      expect(host.running).to.equal(false);
      const err = await host.check("urn:pulumi:dev::echo::t::n", {}, {}).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(HostCallError);
    });
  });
});

describe("engine harness: the plugin face", () => {
  const engines: Engine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
  });

  it("HostProcess starts bin/pulumi-resource-ontap with the Log service's address; Configure answers supportsPreview", async () => {
    const host = await HostProcess.start({
      programDir: BASIC_PROGRAM,
      command: ONTAP_PLUGIN.command,
      serveEngine: true,
    });
    try {
      expect(host.stdout.split("\n")[0]).to.equal(String(host.port));
      expect(await host.configure({ host: "127.0.0.1:1", username: "admin" })).to.deep.equal({
        acceptSecrets: false,
        supportsPreview: true,
        acceptResources: false,
      });
    } finally {
      await host.stop();
    }
    expect(host.running).to.equal(false);
  });

  it("CheckConfig of the default provider refuses an unknown ontap: key before any resource is checked", async () => {
    const engine = new Engine({
      programDir: BASIC_PROGRAM,
      packageLinks: { [PACKAGE_NAME]: repoRoot },
      config: { "ontap:hots": "cluster1", "ontap-iscsi-basic:svmName": "svm1" },
      face: "plugin",
    });
    engines.push(engine);
    const err = await failureOf(engine.preview());

    expect(err.cause).to.be.instanceOf(CheckFailedError);
    expect((err.cause as CheckFailedError).urn).to.equal(
      `urn:pulumi:dev::${engine.project}::pulumi:providers:ontap::default`,
    );
    expect((err.cause as CheckFailedError).failures.map((f) => f.property)).to.deep.equal(["hots"]);
    expect(err.result.calls.map((c) => c.method)).to.deep.equal(["checkConfig"]);
  });

  it("maps only the types it knows: another dynamic resource is refused, naming it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-harness-"));
    try {
      const storePath = path.join(dir, "store.json");
      fs.writeFileSync(storePath, JSON.stringify({ objects: {}, log: [], configured: [], next: 1 }));
      const engine = new Engine({
        programDir: ECHO,
        config: { "store:path": storePath, "echo:key": "alpha", "echo:message": "hello" },
        face: "plugin",
      });
      engines.push(engine);
      const err = await failureOf(engine.preview());
      expect(err.cause.message).to.include("the plugin face maps only").and.include(ECHO_TYPE);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
