import * as path from "node:path";
import { expect } from "chai";
import { SERVICES_PATH, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import type { CliResult, CliStack } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";
import { resourceSummary, simulatorStack } from "./support";

const PASSWORD = "Cli-DataSources-4kQ!pw-19zr";

/** An IscsiService and getIscsiServiceOutput reading it back, in one program. */
const DATA_SOURCE_PROGRAM = path.join(repoRoot, "tools", "engine", "fixtures", "data-source");

const printed = (result: CliResult) =>
  `${result.command} exited ${result.code}\n${result.stdout}${result.stderr}`;

/**
 * docs/data-sources.md: an `…Output` data source that reads the service the same program
 * creates. The engine hands a dynamic resource's inputs back as its outputs in a preview, so
 * `service.svmName` is known there while the service does not exist yet; the data source
 * waits for the resource's id instead (unknown in the preview of its create), as Pulumi's own
 * `get…Output` invokes do. Through the real CLI on a new stack: `pulumi up` previews first.
 */
describe("CLI: a data source reading the service its own program creates", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack | undefined;

  before(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
  });
  afterEach(async () => {
    await stack?.dispose();
    stack = undefined;
    for (const s of sim.services()) sim.outOfBand.deleteService(s.svmName);
  });
  after(async () => {
    await sim?.stop();
  });

  for (const wait of ["args", "dependsOn"] as const) {
    const how =
      wait === "args" ? "getIscsiServiceOutput({ svmName: service.svmName })" : "{ dependsOn: service }";
    it(`${how}: the preview of a new stack shows the output as unknown; \`up\` creates, then reads the service`, async () => {
      stack = await simulatorStack(sim, PASSWORD, DATA_SOURCE_PROGRAM);
      await stack.setConfigs({ svmName: "svm1", wait });

      const preview = await stack.run(["preview"], { check: false });
      expect(preview.code, printed(preview)).to.equal(0);
      expect(preview.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi create/);
      expect(preview.stdout, printed(preview)).to.match(/liveAlias\s*:\s*\[unknown\]/);
      expect(preview.stdout).to.not.include("IscsiServiceNotFoundError");
      expect(writes(sim)).to.deep.equal([]);

      const up = await stack.run(["up", "--yes"], { check: false });
      expect(up.code, printed(up)).to.equal(0);
      expect(resourceSummary(up.stdout)).to.deep.equal({ created: 2 });
      const outputs = JSON.parse((await stack.run(["stack", "output", "--json"])).stdout);
      expect(outputs).to.deep.equal({ liveAlias: "db", liveIqn: sim.service("svm1")?.iqn });

      // Once the service exists, a preview reads it (the id is known): a no-op preview sends
      // the provider no request, so the GET of the service is the data source's.
      sim.clearRequests();
      await stack.run(["preview", "--expect-no-changes"]);
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).to.include(`GET ${SERVICES_PATH}`);
    });
  }
});
