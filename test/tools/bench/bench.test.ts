import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import type { BenchJson } from "../../../tools/bench/bench";
import { ECONOMY_TARGETS } from "../../../tools/bench/measure";
import { repoRoot } from "../../../tools/paths";

const BENCH = path.join(repoRoot, "dist", "tools", "bench", "bench.js");

describe("npm run bench (smoke size, as CI runs it)", function () {
  // Starts simulators and Pulumi's closure serializer in child processes: not a unit test.
  this.timeout(180_000);
  let stdout: string;
  let result: BenchJson;

  before(async () => {
    ({ stdout } = await promisify(execFile)(process.execPath, [BENCH, "--smoke", "--json"], {
      maxBuffer: 16 * 1024 * 1024,
    }));
    const lines = stdout.trimEnd().split("\n");
    result = JSON.parse(lines[lines.length - 1]) as BenchJson;
  });

  it("prints a readable table before the JSON", () => {
    expect(stdout).to.contain("Request economy");
    expect(stdout).to.contain("Refresh: 50 services on one cluster, 2 ms latency");
  });

  it("ends with exactly the JSON object issue 6 specifies", () => {
    expect(Object.keys(result)).to.deep.equal([
      "requests",
      "refresh",
      "providerBytes",
      "cpuMsPerOp",
      "preview",
      "up",
      "refreshParallel",
      "stateBytesPerResource",
      "cli",
    ]);
    expect(Object.keys(result.preview)).to.deep.equal([
      "services",
      "requests",
      "wallMs",
      "noPreflightWallMs",
    ]);
    expect(Object.keys(result.up)).to.deep.equal([
      "services",
      "gets",
      "posts",
      "wallMs",
      "noPreflightWallMs",
    ]);
    expect(result.refreshParallel.map((r) => r.parallel)).to.deep.equal([1, 8, 16, 64, null]);
    for (const r of result.refreshParallel)
      expect(Object.keys(r)).to.deep.equal(["parallel", "requests", "wallMs", "naiveWallMs"]);
    expect(Object.keys(result.requests)).to.deep.equal(Object.keys(ECONOMY_TARGETS));
    expect(Object.keys(result.refresh)).to.deep.equal([
      "services",
      "latencyMs",
      "requests",
      "naiveRequests",
      "wallMs",
      "naiveWallMs",
    ]);
    const numbers = [
      ...Object.values(result.requests),
      ...Object.values(result.refresh),
      result.providerBytes,
      result.cpuMsPerOp,
      ...Object.values(result.preview),
      ...Object.values(result.up),
      ...result.refreshParallel.flatMap((r) => [r.requests, r.wallMs, r.naiveWallMs]),
      result.stateBytesPerResource,
    ];
    for (const value of numbers) expect(value).to.be.a("number").and.satisfy(Number.isFinite);
  });

  it("leaves the CLI section out at the smoke size, and says so", () => {
    expect(result.cli).to.equal(null);
    expect(stdout).to.contain("Through the real Pulumi CLI: left out");
  });

  it("counts the request economy the issue asks for, and nothing else on the wire", () => {
    expect(result.requests).to.deep.equal(ECONOMY_TARGETS);
  });

  it("refreshes the smoke size in one collection GET against one GET per service", () => {
    expect(result.refresh).to.include({ services: 50, latencyMs: 2, requests: 1, naiveRequests: 50 });
  });

  it("creates every service of the up with one POST each, and refreshes from 8 in flight with a handful of requests", () => {
    expect(result.up).to.include({ services: 50, posts: 50 });
    for (const r of result.refreshParallel.filter((x) => x.parallel !== 1))
      expect(r.requests).to.be.at.most(3);
  });

  // 2,481 bytes in 0.1; since then the stub says which folder lacks the package (its
  // string is stored twice) and the outputs record stateVersion: about 2,860.
  it("keeps one resource's checkpoint entry within 2,900 bytes", () => {
    expect(result.stateBytesPerResource).to.be.greaterThan(0).and.at.most(2900);
  });

  it("measures a __provider of at most 800 bytes", () => {
    expect(result.providerBytes).to.be.greaterThan(0).and.at.most(800);
  });
});
