import { expect } from "chai";
import { BASIC_PROGRAM, SERVICES_PATH, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import type { CliStack } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";
import { resourceSummary, simulatorStack } from "./support";

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Lifecycle-4vR!pw-83kq";

/**
 * The life of an examples/basic stack through the real `pulumi` CLI, against the simulator
 * over verified HTTPS: each step asserts the CLI's exit code, what it printed that a user
 * reads, and the requests the cluster saw. The steps share the stack, so they run in order.
 */
describe("CLI: the life of an examples/basic stack through `pulumi`", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack;
  const urnOf = (name: string) =>
    `urn:pulumi:dev::ontap-iscsi-basic::pulumi-nodejs:dynamic/ontap:IscsiService::${name}`;
  const stateOf = async (name = "iscsi") =>
    (await stack.exportStack()).deployment.resources?.find((r) => r.urn === urnOf(name));

  before(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD });
    stack = await simulatorStack(sim, PASSWORD, BASIC_PROGRAM);
    await stack.setConfig("svmName", "svm1");
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  it("`pulumi preview` of a new stack shows one create and writes nothing", async () => {
    const result = await stack.run(["preview"]);

    expect(result.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi create/);
    expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 2 });
    expect(sim.requests).to.not.be.empty;
    expect(sim.requests.filter((r) => r.method !== "GET")).to.deep.equal([]);
    expect(writes(sim)).to.deep.equal([]);
    expect(sim.services()).to.deep.equal([]);
  });

  it("`pulumi up --yes` creates the service with one POST and exports its IQN", async () => {
    const result = await stack.run(["up", "--yes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ created: 2 });
    expect(writes(sim)).to.deep.equal([
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true} → 201`,
    ]);
    const live = sim.service("svm1");
    expect(live).to.include({ enabled: true, alias: "svm1" });
    expect(result.stdout).to.include(`targetName : "${live?.iqn}"`);
    expect((await stateOf())?.id).to.equal(sim.svm("svm1")?.uuid);
  });

  it("a second `pulumi up --expect-no-changes` passes and sends not one request", async () => {
    const result = await stack.run(["up", "--yes", "--expect-no-changes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ unchanged: 2 });
    expect(sim.requests).to.deep.equal([]);
  });

  it("after a change made by hand, `pulumi refresh --preview-only --expect-no-changes` fails and shows the drift", async () => {
    sim.outOfBand.setEnabled("svm1", false);
    const result = await stack.run(["refresh", "--preview-only", "--expect-no-changes"], { check: false });

    expect(result.code).to.not.equal(0);
    expect(result.stdout).to.match(
      /~\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi update \[diff: ~enabled\]/,
    );
    expect(`${result.stdout}${result.stderr}`).to.match(
      /no changes were expected (for \w+ )?but changes were proposed/,
    );
    expect(writes(sim)).to.deep.equal([]);
    expect(sim.service("svm1")?.enabled).to.equal(false);
  });

  it("`pulumi refresh --yes` records the drift; the next `up` re-enables the service with one PATCH", async () => {
    await stack.run(["refresh", "--yes"]);
    expect((await stateOf())?.outputs).to.include({ enabled: false });
    sim.clearRequests();

    const result = await stack.run(["up", "--yes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ updated: 1, unchanged: 1 });
    expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"enabled":true} → 200`]);
    expect(sim.service("svm1")?.enabled).to.equal(true);
  });

  it("an alias change is an update with one PATCH, shown as targetAlias changing in `preview --diff`", async () => {
    await stack.setConfig("targetAlias", "db-target");
    const preview = await stack.run(["preview", "--diff"]);
    expect(preview.stdout).to.match(/~ targetAlias\s*:\s*"svm1" => "db-target"/);
    expect(writes(sim)).to.deep.equal([]);

    const result = await stack.run(["up", "--yes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ updated: 1, unchanged: 1 });
    expect(writes(sim)).to.deep.equal([
      `PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db-target"}} → 200`,
    ]);
    expect(sim.service("svm1")?.alias).to.equal("db-target");
  });

  it("moving to another SVM replaces delete-first: disable and DELETE svm1's service, then POST svm2's", async () => {
    await stack.setConfig("svmName", "svm2");
    const result = await stack.run(["up", "--yes"]);

    expect(result.stdout).to.match(/\+-\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi replaced/);
    expect(writes(sim)).to.deep.equal([
      `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
      `DELETE ${SERVICES_PATH}/{svm1} → 200`,
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm2"},"enabled":true,"target":{"alias":"db-target"}} → 201`,
    ]);
    expect(sim.services().map((s) => s.svmName)).to.deep.equal(["svm2"]);
    expect((await stateOf())?.id).to.equal(sim.svm("svm2")?.uuid);
  });

  it("`pulumi up --replace` onto the same SVM stops in the preview, saying to run it with ONTAP_PREFLIGHT=false, and then goes delete-first", async () => {
    const urn = urnOf("iscsi");
    const refused = await stack.run(["up", "--yes", "--replace", urn], { check: false });
    expect(refused.code).to.not.equal(0);
    expect(refused.stdout + refused.stderr).to.include("ONTAP_PREFLIGHT=false");
    expect(writes(sim)).to.deep.equal([]);

    const result = await stack.run(["up", "--yes", "--replace", urn], { env: { ONTAP_PREFLIGHT: "false" } });

    expect(result.stdout).to.match(/\+-\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi replaced/);
    expect(writes(sim)).to.deep.equal([
      `PATCH ${SERVICES_PATH}/{svm2} {"enabled":false} → 200`,
      `DELETE ${SERVICES_PATH}/{svm2} → 200`,
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm2"},"enabled":true,"target":{"alias":"db-target"}} → 201`,
    ]);
    expect(sim.service("svm2")).to.include({ enabled: true, alias: "db-target" });
  });

  it("`pulumi up --target` changes only the targeted resource", async () => {
    await stack.setConfig("targetAlias", "db-target-2");
    const stackUrn = "urn:pulumi:dev::ontap-iscsi-basic::pulumi:pulumi:Stack::ontap-iscsi-basic-dev";
    const other = await stack.run(["up", "--yes", "--target", stackUrn]);
    expect(resourceSummary(other.stdout)).to.not.have.property("updated");
    expect(writes(sim)).to.deep.equal([]);

    const result = await stack.run(["up", "--yes", "--target", urnOf("iscsi")]);

    expect(resourceSummary(result.stdout)).to.include({ updated: 1 });
    expect(writes(sim)).to.deep.equal([
      `PATCH ${SERVICES_PATH}/{svm2} {"target":{"alias":"db-target-2"}} → 200`,
    ]);
  });

  it("`pulumi stack export` holds no password, and a __provider of at most 800 bytes", async () => {
    const exported = await stack.exportStack();
    const text = JSON.stringify(exported);
    expect(text).to.not.include(PASSWORD);
    for (const file of stack.backendFiles()) {
      expect(require("node:fs").readFileSync(file, "utf8"), file).to.not.include(PASSWORD);
    }
    const service = exported.deployment.resources?.find((r) => r.urn === urnOf("iscsi"));
    const provider = service?.outputs?.__provider;
    expect(provider).to.be.a("string");
    expect(Buffer.byteLength(provider as string)).to.be.at.most(800);
  });

  it("`pulumi destroy --yes` disables the service, then deletes it", async () => {
    const result = await stack.run(["destroy", "--yes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ deleted: 2 });
    expect(writes(sim)).to.deep.equal([
      `PATCH ${SERVICES_PATH}/{svm2} {"enabled":false} → 200`,
      `DELETE ${SERVICES_PATH}/{svm2} → 200`,
    ]);
    expect(sim.services()).to.deep.equal([]);
  });
});
