import * as path from "node:path";
import { expect } from "chai";
import { purgeNextPolledJob, SERVICES_PATH, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import type { CliStack, StackExport } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";
import { resourceSummary, simulatorStack } from "./support";

/** Distinctive, so that finding one anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Faces-9pQ!pw-41zm";
const PASSWORD2 = "Cli-Faces-Second-3kL!pw-77ty";
const FACES = path.join(repoRoot, "test", "cli", "fixtures", "faces");
const PLUGINS = { ontap: path.join(repoRoot, "bin") };
const PLUGIN_TYPE = "ontap:index:IscsiService";
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/ontap:IscsiService";

type Entry = {
  face: "dynamic" | "plugin";
  name: string;
  args: Record<string, unknown>;
  opts?: Record<string, unknown>;
};

async function setResources(stack: CliStack, entries: Entry[]): Promise<void> {
  await stack.setConfig("resources", JSON.stringify(entries));
}

function services(state: StackExport, type: string) {
  return (state.deployment.resources ?? []).filter((r) => r.type === type);
}

/**
 * The plugin face through the real `pulumi`: a stack of the dynamic provider moved to the
 * plugin with no write to the cluster, `pulumi import` of a service made by hand, and two
 * clusters through explicit provider instances; every exported stack scanned for the passwords.
 */
describe("CLI: the provider plugin beside the dynamic provider", function () {
  this.timeout(180_000);

  describe("migration from the dynamic IscsiService to the plugin's", () => {
    let sim: Simulator;
    let stack: CliStack;
    before(async () => {
      sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD, sessions: { svm1: 2 } });
      stack = await simulatorStack(sim, PASSWORD, FACES, { plugins: PLUGINS });
    });
    after(async () => {
      await stack?.dispose();
      await sim?.stop();
    });

    it("moves the service with zero writes: retainOnDelete, then import into the plugin's resource", async () => {
      const args = { svmName: "svm1", targetAlias: "db" };
      await setResources(stack, [{ face: "dynamic", name: "iscsi", args }]);
      await stack.run(["up", "--yes"]);
      const before = sim.service("svm1");
      const id = services(await stack.exportStack(), DYNAMIC_TYPE)[0]?.id;
      expect(id).to.equal(before?.svmUuid);
      sim.clearRequests();

      // Step 1: the dynamic resource keeps its service when it leaves the program.
      await setResources(stack, [{ face: "dynamic", name: "iscsi", args, opts: { retainOnDelete: true } }]);
      await stack.run(["up", "--yes"]);
      // Step 2: the plugin's resource imports the live service; the dynamic one leaves the state only.
      await setResources(stack, [{ face: "plugin", name: "iscsi", args, opts: { import: id } }]);
      const moved = await stack.run(["up", "--yes"]);
      expect(moved.stdout).to.match(/=\s+ontap:index:IscsiService iscsi imported/);
      expect(moved.stdout).to.match(/-\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi deleted/);
      // Step 3: the import option is dropped; nothing left to change.
      await setResources(stack, [{ face: "plugin", name: "iscsi", args }]);
      await stack.run(["preview", "--expect-no-changes"]);
      await stack.run(["refresh", "--yes", "--expect-no-changes"]);

      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm1")).to.deep.equal(before);
      const state = await stack.exportStack();
      expect(services(state, DYNAMIC_TYPE)).to.deep.equal([]);
      const [plugin] = services(state, PLUGIN_TYPE);
      expect(plugin.id).to.equal(id);
      expect(plugin.outputs).to.include({ svmName: "svm1", targetAlias: "db", enabled: true, adopted: true });
      expect(plugin.outputs).to.not.have.property("__provider");
      expect(JSON.stringify(state)).to.not.include(PASSWORD);
    });

    it("shows a disable's cut-off warning under the resource, and destroys through the plugin", async () => {
      await setResources(stack, [
        { face: "plugin", name: "iscsi", args: { svmName: "svm1", enabled: false } },
      ]);
      const preview = await stack.run(["preview"]);
      expect(preview.stdout).to.match(
        /ontap:index:IscsiService \(iscsi\):\n\s+warning: Disabling the iSCSI service on SVM "svm1" .* ends 2 active iSCSI sessions/,
      );
      // The property-level diff: only `enabled` (the CLI's --diff display prints warnings on stderr, unattached).
      const diff = await stack.run(["preview", "--diff"]);
      expect(diff.stdout).to.match(/~ enabled\s*: true => false/);
      expect(diff.stdout).to.match(/\[diff: ~enabled\]|~ 1 to update/);
      const destroy = await stack.run(["destroy", "--yes"]);
      expect(resourceSummary(destroy.stdout)).to.deep.equal({ deleted: 2 });
      expect(sim.service("svm1")).to.equal(undefined);
    });
  });

  describe("`pulumi import` of a service made by hand", () => {
    let sim: Simulator;
    let stack: CliStack;
    before(async () => {
      sim = await startHttpsSimulator({
        svms: ["svm1", { name: "svm2", service: { alias: "by-hand", enabled: true } }],
        password: PASSWORD,
      });
      stack = await simulatorStack(sim, PASSWORD, FACES, { plugins: PLUGINS });
      await setResources(stack, []);
    });
    after(async () => {
      await stack?.dispose();
      await sim?.stop();
    });

    it("imports it by SVM name with reads only; the program that says the same shows no change", async () => {
      sim.clearRequests();
      const imported = await stack.run([
        "import",
        PLUGIN_TYPE,
        "legacy",
        "svm2",
        "--yes",
        "--protect=false",
        "--generate-code=false",
      ]);
      expect(resourceSummary(imported.stdout)).to.include({ imported: 1 });
      const [state] = services(await stack.exportStack(), PLUGIN_TYPE);
      expect(state.id).to.equal(sim.service("svm2")?.svmUuid);
      expect(state.inputs).to.include({ svmName: "svm2", targetAlias: "by-hand" });
      await setResources(stack, [
        {
          face: "plugin",
          name: "legacy",
          args: { svmName: "svm2", targetAlias: "by-hand" },
        },
      ]);
      await stack.run(["preview", "--expect-no-changes"]);
      expect(writes(sim)).to.deep.equal([]);
    });

    it("refuses an id that names no SVM, saying the form, and imports nothing", async () => {
      const result = await stack.run(
        ["import", PLUGIN_TYPE, "other", "no/such/svm!", "--yes", "--generate-code=false"],
        {
          check: false,
        },
      );
      expect(result.code).to.not.equal(0);
      expect(result.stdout + result.stderr).to.match(/the id is \[<profile>\/\]<SVM name or UUID>/);
      expect(writes(sim)).to.deep.equal([]);
    });
  });

  /**
   * Pulumi ≥ 3.46 deletes an old resource an earlier failed `up` left marked for deletion at
   * the end of the next `up`, after the program's registrations (pulumi/pulumi a3128e50):
   * by then the provider has checked the resource that adopted its service.
   */
  for (const face of ["dynamic", "plugin"] as const)
    describe(`a hand-over in a create-first replacement whose run fails before the old resource's delete (${face})`, () => {
      let sim: Simulator;
      let stack: CliStack;
      const type = face === "plugin" ? PLUGIN_TYPE : DYNAMIC_TYPE;
      before(async () => {
        sim = await startHttpsSimulator({ svms: ["svm1", "svm2", "svm3"], password: PASSWORD });
        stack = await simulatorStack(sim, PASSWORD, FACES, face === "plugin" ? { plugins: PLUGINS } : {});
      });
      after(async () => {
        await stack?.dispose();
        await sim?.stop();
      });

      it("the next `up` deletes the old resource last and leaves the service the adopter holds, with its hosts", async () => {
        await setResources(stack, [
          { face, name: "db", args: { svmName: "svm2", targetAlias: "db" } },
          { face, name: "logs", args: { svmName: "svm3", targetAlias: "logs" } },
        ]);
        await stack.run(["up", "--yes"]);
        sim.outOfBand.addSessions({ svm2: 2 });
        // db moves to svm1 create-first; app takes db's service on svm2 over; logs' update,
        // registered once both are done (dependsOn), is refused: the run fails between db's
        // create and the delete of its old resource.
        await setResources(stack, [
          {
            face,
            name: "db",
            args: { svmName: "svm1", targetAlias: "db" },
            opts: { deleteBeforeReplace: false },
          },
          { face, name: "app", args: { svmName: "svm2", targetAlias: "app", adopt: true } },
          {
            face,
            name: "logs",
            args: { svmName: "svm3", targetAlias: "logs-2" },
            opts: { dependsOn: ["db", "app"] },
          },
        ]);
        sim.injectFault({
          kind: "http-error",
          status: 500,
          method: "PATCH",
          path: `${SERVICES_PATH}/${sim.svm("svm3")?.uuid}`,
        });
        const failed = await stack.run(["up", "--yes", "--skip-preview"], { check: false });
        expect(failed.code).to.not.equal(0);
        const marked = services(await stack.exportStack(), type).filter((r) => r.delete === true);
        expect(marked.map((r) => [r.urn.split("::").pop(), r.outputs?.svmName])).to.deep.equal([
          ["db", "svm2"],
        ]);
        sim.clearRequests();

        const next = await stack.run(["up", "--yes", "--skip-preview"]);
        // The old resource's delete comes after logs' update, the program's last step.
        const out = next.stdout;
        expect(out.indexOf(`${type} db deleted original`)).to.be.greaterThan(
          out.indexOf(`${type} logs updated`),
        );
        expect(out.indexOf(`${type} logs updated`)).to.be.greaterThan(-1);
        expect(out).to.include(
          'The iSCSI service on SVM "svm2" (cluster ' +
            `${sim.host}) is managed by another resource of this stack that stays on it: left in place, untouched`,
        );
        expect(resourceSummary(out)).to.deep.equal({ updated: 1, unchanged: 3 });
        expect(
          writes(sim).filter((w) => w.startsWith("DELETE") || w.includes('"enabled":false')),
        ).to.deep.equal([]);
        expect(sim.service("svm2")).to.include({ enabled: true, alias: "app" });
        expect(sim.sessions("svm2")).to.have.length(2);
        const state = services(await stack.exportStack(), type);
        expect(state.filter((r) => r.delete === true)).to.deep.equal([]);
        expect(state.map((r) => [r.urn.split("::").pop(), r.outputs?.svmName]).sort()).to.deep.equal([
          ["app", "svm2"],
          ["db", "svm1"],
          ["logs", "svm3"],
        ]);
      });
    });

  for (const face of ["dynamic", "plugin"] as const)
    describe(`an update whose ONTAP job was purged before it was polled (${face})`, () => {
      let sim: Simulator;
      let stack: CliStack;
      const type = face === "plugin" ? PLUGIN_TYPE : DYNAMIC_TYPE;
      before(async () => {
        sim = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
        stack = await simulatorStack(sim, PASSWORD, FACES, face === "plugin" ? { plugins: PLUGINS } : {});
      });
      after(async () => {
        await stack?.dispose();
        await sim?.stop();
      });

      it("Pulumi records the service as read back, so a program that goes back to the old alias changes it back", async () => {
        await setResources(stack, [{ face, name: "db", args: { svmName: "svm1", targetAlias: "db" } }]);
        await stack.run(["up", "--yes"]);
        await setResources(stack, [{ face, name: "db", args: { svmName: "svm1", targetAlias: "web" } }]);
        sim.setAsyncJobs(true, 0);
        purgeNextPolledJob(sim);
        const failed = await stack.run(["up", "--yes", "--skip-preview"], { check: false });
        expect(failed.code).to.not.equal(0);
        expect(failed.stdout + failed.stderr).to.include("was read back after the failure");
        const [recorded] = services(await stack.exportStack(), type);
        expect(recorded.outputs).to.include({ targetAlias: "web" });
        sim.setAsyncJobs(false);
        sim.clearRequests();

        await setResources(stack, [{ face, name: "db", args: { svmName: "svm1", targetAlias: "db" } }]);
        await stack.run(["up", "--yes", "--skip-preview"]);
        expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db"}} → 200`]);
        expect(sim.service("svm1")).to.include({ alias: "db" });
      });
    });

  describe("two clusters through explicit provider instances in one program", () => {
    let west: Simulator;
    let east: Simulator;
    let stack: CliStack;
    before(async () => {
      west = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
      east = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD2 });
      stack = await simulatorStack(west, PASSWORD, FACES, { plugins: PLUGINS });
      await stack.setConfig("eastPassword", PASSWORD2, { secret: true });
      await stack.setConfig(
        "providers",
        JSON.stringify([
          {
            name: "east",
            args: {
              host: east.host,
              username: "admin",
              caCert: east.caCert,
              password: { $secretConfig: "eastPassword" },
            },
          },
        ]),
      );
    });
    after(async () => {
      await stack?.dispose();
      await west?.stop();
      await east?.stop();
    });

    it("creates one service on each cluster, and one through an `ontap:clusters` profile; the second password stays a secret", async () => {
      // The same cluster through a profile of the default provider's stack config.
      await stack.run(["config", "set", "--path", "ontap:clusters.eastp.host", east.host]);
      await stack.run(["config", "set", "--path", "ontap:clusters.eastp.username", "admin"]);
      await stack.run(["config", "set", "--path", "--secret", "ontap:clusters.eastp.password", PASSWORD2]);
      await stack.run(["config", "set", "--path", "ontap:clusters.eastp.caCert", "--", east.caCert ?? ""]);
      await setResources(stack, [
        { face: "plugin", name: "west-svc", args: { svmName: "svm1" } },
        { face: "plugin", name: "east-svc", args: { svmName: "svm1" }, opts: { provider: "east" } },
        { face: "plugin", name: "east-profile-svc", args: { svmName: "svm2", cluster: "eastp" } },
      ]);
      await stack.run(["up", "--yes"]);
      expect(west.service("svm1")).to.not.equal(undefined);
      expect(east.service("svm1")).to.not.equal(undefined);
      expect(east.service("svm2")).to.not.equal(undefined);
      expect(west.service("svm2")).to.equal(undefined);
      const state = await stack.exportStack();
      const hosts = services(state, PLUGIN_TYPE).map((r) => r.outputs?.host);
      expect(hosts.sort()).to.deep.equal([west.host, east.host, east.host].sort());
      const text = JSON.stringify(state);
      expect(text).to.not.include(PASSWORD);
      expect(text).to.not.include(PASSWORD2);
      await stack.run(["up", "--yes", "--expect-no-changes"]);
      await stack.run(["destroy", "--yes"]);
      expect(west.service("svm1")).to.equal(undefined);
      expect(east.services()).to.deep.equal([]);
    });
  });
});
