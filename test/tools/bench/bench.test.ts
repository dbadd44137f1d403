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
    expect(Object.keys(result)).to.deep.equal(["requests", "refresh", "providerBytes", "cpuMsPerOp"]);
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
    ];
    for (const value of numbers) expect(value).to.be.a("number").and.satisfy(Number.isFinite);
  });

  it("counts the request economy the issue asks for, and nothing else on the wire", () => {
    expect(result.requests).to.deep.equal(ECONOMY_TARGETS);
  });

  it("refreshes the smoke size in one collection GET against one GET per service", () => {
    expect(result.refresh).to.include({ services: 50, latencyMs: 2, requests: 1, naiveRequests: 50 });
  });

  it("measures a __provider of at most 800 bytes", () => {
    expect(result.providerBytes).to.be.greaterThan(0).and.at.most(800);
  });
});
