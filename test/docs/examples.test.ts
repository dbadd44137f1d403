import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { ensurePackageLink } from "../../tools/engine/capture";
import { repoRoot } from "../../tools/paths";

const examplesDir = join(repoRoot, "examples");
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  // examples/ci holds CI workflows, not a program.
  .filter((name) => existsSync(join(examplesDir, name, "package.json")));

describe("examples", () => {
  it("type-check against the built package, as `npm install` in each example would link it", async function () {
    this.timeout(120_000);
    expect(examples).to.include.members(["basic", "multi-cluster", "adopt-existing"]);
    for (const name of examples) ensurePackageLink(join(examplesDir, name), "pulumi-ontap-iscsi", repoRoot);
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(
      process.execPath,
      [tsc, "-p", join(examplesDir, "tsconfig.json")],
      {
        cwd: repoRoot,
      },
    ).catch((err: { stdout?: string; stderr?: string }) => err);
    expect(`${result.stdout ?? ""}${result.stderr ?? ""}`).to.equal("");
  });
});
