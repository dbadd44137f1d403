import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { CONNECTION_LIMITS, type NumericSetting } from "../../provider/ontap/connection";
import { repoRoot } from "../../tools/paths";

const page = readFileSync(join(repoRoot, "docs", "installation-and-configuration.md"), "utf8");

/** The `ontap:` key of each numeric connection setting (`retry.minDelayMs` → `retryMinDelayMs`). */
const KEYS: Record<NumericSetting, string> = {
  timeoutMs: "timeoutMs",
  jobTimeoutMs: "jobTimeoutMs",
  maxConcurrent: "maxConcurrent",
  "retry.retries": "retries",
  "retry.minDelayMs": "retryMinDelayMs",
  "retry.maxDelayMs": "retryMaxDelayMs",
  "retry.maxTotalMs": "retryMaxTotalMs",
};

describe("docs/installation-and-configuration.md: the numeric settings", () => {
  for (const [setting, key] of Object.entries(KEYS) as Array<[NumericSetting, string]>) {
    const { min, max, default: fallback } = CONNECTION_LIMITS[setting];
    it(`ontap:${key}: its row gives the range the check accepts (${min}..${max}) and the default (${fallback})`, () => {
      const row = page.split("\n").find((line) => line.startsWith(`| \`ontap:${key}\` |`));
      expect(row, `a table row for ontap:${key}`).to.be.a("string");
      expect(row).to.include(`${min}..${max}`);
      expect(row).to.include(`default ${fallback}`);
    });
  }

  it("a profile (`ontap:clusters`) lists every numeric setting, jobTimeoutMs included, with the same ranges", () => {
    const section = page.split("## Profiles")[1]?.split("\n## ")[0] ?? "";
    const fields = /`name → \{([^}]*)\}`/.exec(section.replace(/\n/g, " "))?.[1].split(/,\s*/) ?? [];
    expect(fields).to.include.members(Object.values(KEYS));
    expect(section).to.include("same accepted ranges");
  });
});
