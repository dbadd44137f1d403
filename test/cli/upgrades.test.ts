import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { BASIC_PROGRAM, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import type { CliStack, StackExport } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";
import { simulatorStack } from "./support";

const PASSWORD = "Cli-Upgrades-2hT!pw-55xe";

/**
 * What an installation meets that it did not write (issue 19 item 8), through `pulumi`:
 * state written by a newer package, and a program folder without the package. `refresh`
 * and `destroy` do not run the program: the engine rebuilds the provider from `__provider`.
 */
describe("CLI: state from another version, a folder without the package", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack;

  before(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
    stack = await simulatorStack(sim, PASSWORD, BASIC_PROGRAM);
    await stack.setConfig("svmName", "svm1");
    await stack.run(["up", "--yes"]);
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  /** Rewrites the IscsiService's recorded state with `pulumi stack export` / `import`. */
  async function editServiceState(edit: (outputs: Record<string, unknown>) => void): Promise<void> {
    const exported: StackExport = await stack.exportStack();
    const service = exported.deployment.resources?.find((r) => r.type.endsWith(":IscsiService"));
    if (!service?.outputs) throw new Error("no IscsiService in the stack");
    edit(service.outputs);
    const file = path.join(stack.scratch, "edited.json");
    fs.writeFileSync(file, JSON.stringify(exported));
    await stack.run(["stack", "import", "--file", file]);
  }

  it("the state records the version of its shape", async () => {
    const exported = await stack.exportStack();
    const service = exported.deployment.resources?.find((r) => r.type.endsWith(":IscsiService"));
    expect(service?.outputs?.stateVersion).to.equal(2);
  });

  it("state written by a newer package: refresh and destroy refuse with the upgrade fix, and nothing is sent", async () => {
    await editServiceState((outputs) => {
      outputs.stateVersion = 99;
    });
    for (const command of [
      ["refresh", "--yes"],
      ["destroy", "--yes"],
    ]) {
      const result = await stack.run(command, { check: false });
      const said = `${result.stdout}${result.stderr}`;
      expect(result.code, said).to.not.equal(0);
      expect(said).to.include("written by a newer pulumi-ontap-iscsi").and.include("state version 99");
      expect(said).to.include("npm install pulumi-ontap-iscsi@latest");
    }
    expect(sim.requests).to.deep.equal([]);
    expect(sim.service("svm1")).to.include({ enabled: true });
    await editServiceState((outputs) => {
      outputs.stateVersion = 2;
    });
  });

  it("a program folder without the package: refresh says which folder needs it", async () => {
    const link = path.join(stack.dir, "node_modules", "pulumi-ontap-iscsi");
    const target = fs.readlinkSync(link);
    fs.unlinkSync(link);
    try {
      const result = await stack.run(["refresh", "--yes"], { check: false });
      const said = `${result.stdout}${result.stderr}`;
      expect(result.code).to.not.equal(0);
      expect(said).to.include(`install pulumi-ontap-iscsi in ${fs.realpathSync(stack.dir)}`);
    } finally {
      fs.symlinkSync(target, link, "dir");
    }
    expect(writes(sim)).to.deep.equal([]);
  });

  it("with the package back, destroy disables and deletes as usual", async () => {
    await stack.run(["destroy", "--yes"]);
    expect(sim.services()).to.deep.equal([]);
  });
});
