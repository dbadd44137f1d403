import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parse, stringify } from "yaml";
import { startHttpsSimulator, writes } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import type { CliStack } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";
import { resourceSummary, simulatorStack } from "./support";

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Yaml-6tR!pw-19xc";
const PROGRAM = path.join(repoRoot, "examples", "plugin-yaml");

/**
 * examples/plugin-yaml, a Pulumi YAML program (no SDK: the YAML host reads the plugin's schema),
 * through the real `pulumi` and the YAML language host: the lifecycle a user runs, each step
 * asserting what the CLI printed and the requests the cluster saw. Steps share the stack.
 */
describe("CLI: the plugin from a YAML program (examples/plugin-yaml)", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack;
  const nonGet = () => sim.requests.filter((r) => r.method !== "GET");

  before(async () => {
    sim = await startHttpsSimulator({
      svms: ["svm1", { name: "svm2", service: { alias: "made-by-hand", enabled: true } }],
      password: PASSWORD,
      sessions: { svm1: 2 },
    });
    stack = await simulatorStack(sim, PASSWORD, PROGRAM);
    await stack.setConfig("svmName", "svm1");
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  it("`pulumi preview` of a new stack shows the create and writes nothing", async () => {
    const result = await stack.run(["preview"]);
    expect(result.stdout).to.match(/\+\s+ontap:index:IscsiService iscsi create/);
    expect(nonGet()).to.deep.equal([]);
    expect(sim.service("svm1")).to.equal(undefined);
  });

  it("`pulumi up` creates the service with one POST and exports its IQN and a function's result", async () => {
    const result = await stack.run(["up", "--yes"]);
    expect(resourceSummary(result.stdout)).to.deep.equal({ created: 2 });
    expect(writes(sim).map((w) => w.split(" ")[0])).to.deep.equal(["POST"]);
    const outputs = JSON.parse((await stack.run(["stack", "output", "--json"])).stdout);
    expect(outputs.iqn).to.equal(sim.service("svm1")?.iqn);
    expect(outputs.host).to.equal(sim.host);
    expect(outputs.enabledServices.map((s: { svmName: string }) => s.svmName)).to.include("svm2");
    expect(sim.service("svm1")).to.include({ alias: "db-target", enabled: true });
  });

  it("a second `pulumi up` changes nothing and writes nothing", async () => {
    await stack.run(["up", "--yes", "--expect-no-changes"]);
    expect(nonGet()).to.deep.equal([]);
  });

  it("`pulumi refresh` sees an alias changed outside Pulumi; `pulumi up` puts it back with one PATCH", async () => {
    sim.outOfBand.setAlias("svm1", "changed-by-hand");
    const refresh = await stack.run(["refresh", "--yes"]);
    expect(resourceSummary(refresh.stdout)).to.include({ updated: 1 });
    sim.clearRequests();
    await stack.run(["up", "--yes"]);
    expect(writes(sim).map((w) => w.split(" ")[0])).to.deep.equal(["PATCH"]);
    expect(sim.service("svm1")?.alias).to.equal("db-target");
  });

  it("a new alias is an update in place: `--diff` shows only targetAlias, one PATCH applies it", async () => {
    await stack.setConfig("targetAlias", "db-target-2");
    const diff = await stack.run(["preview", "--diff"]);
    expect(diff.stdout).to.match(/~ targetAlias\s*: "db-target" => "db-target-2"/);
    expect(diff.stdout).to.not.match(/~ enabled\s*:/);
    sim.clearRequests();
    await stack.run(["up", "--yes"]);
    expect(writes(sim).map((w) => w.split(" ")[0])).to.deep.equal(["PATCH"]);
    expect(sim.service("svm1")?.alias).to.equal("db-target-2");
  });

  it("a disable's preview warns under the resource, naming the host it cuts off", async () => {
    await stack.setConfig("enabled", "false");
    const preview = await stack.run(["preview"]);
    expect(preview.stdout).to.match(
      /ontap:index:IscsiService \(iscsi\):\n\s+warning: Disabling the iSCSI service on SVM "svm1" .* ends 2 active iSCSI sessions of 1 host: svm1-host01/,
    );
    expect(nonGet()).to.deep.equal([]);
  });

  it("with protectActiveSessions the disable fails the preview, naming the hosts, and nothing is written", async () => {
    await stack.setConfig("protectActiveSessions", "true");
    const preview = await stack.run(["preview"], { check: false });
    expect(preview.code).to.not.equal(0);
    expect(preview.stdout + preview.stderr).to.match(/svm1-host01/);
    expect(preview.stdout + preview.stderr).to.match(/protectActiveSessions/);
    expect(nonGet()).to.deep.equal([]);
    await stack.setConfigs({ enabled: undefined, protectActiveSessions: undefined });
  });

  it("a preflight failure (an SVM the cluster does not have) fails the preview with the diagnostic", async () => {
    await stack.setConfig("svmName", "svm9");
    const preview = await stack.run(["preview"], { check: false });
    expect(preview.code).to.not.equal(0);
    expect(preview.stdout + preview.stderr).to.match(/svm9/);
    expect(preview.stdout + preview.stderr).to.match(/vserver show/);
    expect(nonGet()).to.deep.equal([]);
    await stack.setConfig("svmName", "svm1");
  });

  it("`pulumi import` of a service made by hand generates YAML; with it in the program, no change", async () => {
    const generated = path.join(stack.scratch, "imported.yaml");
    await stack.run([
      "import",
      "ontap:index:IscsiService",
      "legacy",
      "svm2",
      "--yes",
      "--protect=false",
      "--out",
      generated,
    ]);
    const code = parse(fs.readFileSync(generated, "utf8")) as { resources: Record<string, unknown> };
    expect(code.resources.legacy).to.deep.include({
      properties: { svmName: "svm2", targetAlias: "made-by-hand" },
    });
    const file = path.join(stack.dir, "Pulumi.yaml");
    const project = parse(fs.readFileSync(file, "utf8")) as { resources: Record<string, unknown> };
    project.resources = { ...project.resources, ...code.resources };
    fs.writeFileSync(file, stringify(project));
    await stack.run(["preview", "--expect-no-changes"]);
    expect(nonGet()).to.deep.equal([]);
  });

  it("`pulumi destroy` disables, then deletes both services; the exported stack holds no password", async () => {
    const state = JSON.stringify(await stack.exportStack());
    expect(state).to.not.include(PASSWORD);
    const destroy = await stack.run(["destroy", "--yes"]);
    expect(resourceSummary(destroy.stdout)).to.include({ deleted: 3 });
    expect(sim.services()).to.deep.equal([]);
  });
});
