import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { KNOWN_ONTAP_CODES } from "../../provider/diagnostics/codes";
import { repoRoot } from "../../tools/paths";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README has a "## ${title}" section`).to.be.greaterThan(-1);
  const end = readme.indexOf("\n## ", start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe("README stays true", () => {
  it("lists every ONTAP code of the diagnostics table in its Diagnostics section", () => {
    const diagnostics = section("Diagnostics");
    const missing = KNOWN_ONTAP_CODES.filter((code) => !diagnostics.includes(`| ${code} |`));
    expect(missing).to.deep.equal([]);
  });

  it("gives the two set-up commands and the test command CI runs", () => {
    expect(readme).to.include("npm ci && npm run demo");
    expect(readme).to.include("npm ci && npm test");
    expect(readFileSync(join(repoRoot, ".ci/run"), "utf8")).to.match(/^npm test$/m);
  });

  it("documents every simulator CLI flag", () => {
    for (const flag of [
      "--port",
      "--http",
      "--svms",
      "--username",
      "--password",
      "--latency-ms",
      "--asa-r2",
    ]) {
      expect(section("Development")).to.include(flag);
    }
  });
});
