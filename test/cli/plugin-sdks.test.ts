import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { repoRoot } from "../../tools/paths";
import { pulumiCli } from "./support";

/**
 * The SDKs committed in plugin-sdks/ are what the CLI's generators make of schema.json today
 * (schema.json itself is checked against the code by test/plugin/plugin.test.ts): a change of
 * a field, a setting or a function that is not regenerated with `npm run sdks` fails here.
 */
describe("CLI: plugin-sdks/ is generated from schema.json", function () {
  this.timeout(300_000);

  it("regenerating the Node.js, Python, Go and .NET SDKs changes nothing", () => {
    pulumiCli();
    const run = spawnSync("bash", [path.join(repoRoot, "tools", "pulumi-cli", "gen-sdks.sh"), "--check"], {
      encoding: "utf8",
    });
    expect(run.status, `${run.stderr}\nregenerate with: npm run sdks`).to.equal(0);
  });
});
