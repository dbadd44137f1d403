import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect } from "chai";
import { readCases } from "../../tools/explore/cases";
import { repoRoot } from "../../tools/paths";

const MAIN = join(repoRoot, "dist", "tools", "explore", "main.js");

/** Runs `npm run explore -- <args>` without the build, in its own process (virtual time, in-process transport). */
function explore(args: string[]): { code: number | null; lines: string[]; stderr: string } {
  const run = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 150_000,
  });
  return { code: run.status, lines: run.stdout.trim().split("\n"), stderr: run.stderr };
}

interface FindingLine {
  finding: { invariant: number; kind: string; message: string; replay: string };
}

function findings(lines: string[]): FindingLine["finding"][] {
  return lines.filter((l) => l.startsWith('{"finding"')).map((l) => (JSON.parse(l) as FindingLine).finding);
}

/**
 * A short, fixed-seed run of the schedule search (the long one is `npm run explore`, not
 * part of the timed suite). A finding not fixed yet is kept in tools/explore/cases/open
 * (none today): the run fails on any violation of another kind.
 */
describe("explorer: a short schedule search with a fixed seed", function () {
  this.timeout(180_000);

  it("explores 200 schedules and ends with the summary line; every violation is of an open finding's kind", () => {
    const run = explore(["--schedules", "200", "--seed", "2323", "--no-shrink", "--json"]);
    expect(run.stderr).to.equal("");
    const summary = JSON.parse(run.lines[run.lines.length - 1]) as Record<string, number>;
    expect(Object.keys(summary)).to.deep.equal(["schedules", "violations", "seconds", "seed"]);
    expect(summary).to.include({ schedules: 200, seed: 2323 });
    const found = findings(run.lines);
    expect(summary.violations).to.equal(found.length);
    expect(run.code).to.equal(found.length > 0 ? 1 : 0);
    const open = new Set(readCases("open").flatMap((c) => c.case.kinds));
    const unknown = found.filter((f) => !open.has(f.kind));
    expect(
      unknown,
      "violations of a kind that is not an open finding: replay each with npm run explore -- --replay <r>",
    ).to.deep.equal([]);
  });

  it("replays alike: the same seed finds the same violations at the same cases", () => {
    const args = ["--schedules", "40", "--seed", "7", "--no-shrink", "--json"];
    const first = findings(explore(args).lines);
    const second = findings(explore(args).lines);
    expect(second).to.deep.equal(first);
  });
});

describe("explorer: the command line", function () {
  this.timeout(60_000);

  it("--help prints the flags and exits 0; an unknown flag exits 2 with them on stderr", () => {
    const help = explore(["--help"]);
    expect(help.code).to.equal(0);
    for (const flag of ["--schedules", "--seed", "--json", "--no-shrink", "--verbose", "--replay", "--save"])
      expect(help.lines.join("\n")).to.include(flag);
    expect(help.lines.join("\n")).to.include("--cases fixed|open");
    const refused = explore(["--schedules", "5", "--colour"]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/^unknown argument: --colour\n\nusage: npm run explore/);
    expect(explore(["--cases", "closed"]).stderr).to.match(/^--cases takes fixed or open/);
  });
});
