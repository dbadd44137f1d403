import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { cell, docsDir, replaceBlock } from "../../tools/docs/markdown";
import { parseBenchOutput, performanceBlocks } from "../../tools/docs/performance";
import { loadSummary, reliabilityBlock, sourceOf } from "../../tools/docs/reliability";
import type { ReportedTest } from "../../tools/docs/suite-report";
import { repoRoot } from "../../tools/paths";
import { FAULT_NAMES, FAULTS, OPERATIONS } from "../../tools/simulator/fault-matrix";

/** A benchmark run's stdout, shortened, as `bench --json --sizes 10,1000` prints it. */
const BENCH_STDOUT = `pulumi-ontap-iscsi bench: Node v20.20.2, 2 CPUs (Test CPU), load average 0.50

Request economy (counted by the simulator, one service, each operation alone)
operation            requests  target      on the wire
create                      1       1  ok  POST services?return_records=true {"svm":{"name":"a"}}
read                        1       1  ok  GET services/{uuid}
updateBoth                  2       2  ok  PATCH services/{uuid} {"target":{"alias":"b"}}, PATCH services/{uuid} {"enabled":true}
check (new service)         4       -      GET svm/svms?name=a, GET services?svm.name=a (preflight; ontap:preflight=false skips it)
diff                        0       -      (pure)

Markdown:
| services | batched: requests | batched: wall ms | one GET per service: requests | one GET per service: wall ms | wall ratio |
|---:|---:|---:|---:|---:|---:|
| 10 | 1 | 27 | 10 | 47 | 0.577 |
| 1000 | 1 | 77 | 1000 | 2712 | 0.029 |

__provider of examples/basic: 2005 bytes (target ≤ 2048): ok
  two fresh builds of sdk/provider-stub.ts serialize to 2005 and 2005 bytes; byte-identical to the captured string: yes

CPU per operation at 0 ms latency (600 operations one at a time; the simulator runs in a child process)
  whole process (process.cpuUsage, user + system, median): 0.787 ms
{"requests":{"create":1,"read":1,"updateBoth":2},"refresh":{"services":1000,"latencyMs":20,"requests":1,"naiveRequests":1000,"wallMs":77,"naiveWallMs":2712},"providerBytes":2005,"cpuMsPerOp":0.089,"preview":{"services":1000,"requests":6,"wallMs":1500,"noPreflightWallMs":1200},"up":{"services":1000,"gets":6,"posts":1000,"wallMs":3300,"noPreflightWallMs":3000},"refreshParallel":[{"parallel":8,"requests":1,"wallMs":800,"naiveWallMs":3200},{"parallel":null,"requests":1,"wallMs":1250,"naiveWallMs":3125}],"stateBytesPerResource":2481}
`;

describe("docs generators", () => {
  describe("generated blocks", () => {
    const page = "# Page\n\nBy hand.\n\n<!-- generated:x -->\nold\n<!-- /generated:x -->\n\nAlso by hand.\n";

    it("replace only the text between their markers, naming the command", () => {
      const out = replaceBlock(page, "x", "node gen.js", "new\n");
      expect(out).to.equal(
        "# Page\n\nBy hand.\n\n<!-- generated:x by `node gen.js`: do not edit by hand -->\nnew\n<!-- /generated:x -->\n\nAlso by hand.\n",
      );
      expect(replaceBlock(out, "x", "node gen.js", "new")).to.equal(out);
    });

    it("fail when the page lacks a marker", () => {
      expect(() => replaceBlock(page, "y", "node gen.js", "new")).to.throw(/no generated block "y"/);
    });

    it("are all present in the pages the generators write", () => {
      const performance = readFileSync(join(docsDir, "performance.md"), "utf8");
      for (const name of Object.keys(performanceBlocks(parseBenchOutput(BENCH_STDOUT, [], new Date()))))
        expect(() => replaceBlock(performance, name, "c", "b"), name).to.not.throw();
      const reliability = readFileSync(join(docsDir, "reliability.md"), "utf8");
      expect(() => replaceBlock(reliability, "fault-suites", "c", "b")).to.not.throw();
    });

    it("have been generated: the results pages are dated", () => {
      expect(readFileSync(join(docsDir, "performance.md"), "utf8")).to.match(
        /Measured on \d{4}-\d\d-\d\d \d\d:\d\d UTC, Node v/,
      );
      expect(readFileSync(join(docsDir, "reliability.md"), "utf8")).to.match(
        /Run on \d{4}-\d\d-\d\d \d\d:\d\d UTC, Node v/,
      );
    });
  });

  it("escape table cells: pipes everywhere, angle brackets outside code", () => {
    expect(cell("a <b> | `c <d> | e`")).to.equal("a &lt;b&gt; \\| `c <d> \\| e`");
  });

  describe("performance", () => {
    const run = parseBenchOutput(
      BENCH_STDOUT,
      ["--json", "--sizes", "10,1000"],
      new Date("2026-01-02T03:04:05Z"),
    );

    it("reads the JSON line and what only the table says", () => {
      expect(run.json.refresh.naiveWallMs).to.equal(2712);
      expect(run.machine).to.equal("Node v20.20.2, 2 CPUs (Test CPU), load average 0.50");
      expect(run.economy.map((row) => [row.operation, row.requests])).to.deep.equal([
        ["create", 1],
        ["read", 1],
        ["updateBoth", 2],
        ["check (new service)", 4],
        ["diff", 0],
      ]);
      expect(run.economy[2]?.wire).to.equal(
        'PATCH services/{uuid} {"target":{"alias":"b"}}, PATCH services/{uuid} {"enabled":true}',
      );
      expect(run.scaling).to.have.length(4);
      expect(run.processCpuMs).to.equal(0.787);
      expect(run.cpuOperations).to.equal(600);
      expect(run.identicalAcrossBuilds).to.equal(true);
    });

    it("dates the run, names the machine, and computes the ratio from the run's own numbers", () => {
      const blocks = performanceBlocks(run);
      expect(blocks.run).to.match(/^Measured on 2026-01-02 03:04 UTC, Node v20\.20\.2, 2 CPUs \(Test CPU\)/);
      expect(blocks.fleet)
        .to.include("| preview (new services) | 1,000 | 6 | 1500 | 1200 | 1.25 |")
        .and.include("| up, --parallel 8 | 1,000 | 6 GETs + 1,000 POSTs | 3300 | 3000 | 1.10 |")
        .and.include("| 8 | 1 | 800 | 3200 | 0.25 |")
        .and.include("| unbounded | 1 | 1250 | 3125 | 0.40 |")
        .and.include("**2,481 bytes**");
      expect(blocks.run).to.include("bench.js --json --sizes 10,1000");
      expect(blocks.refresh).to.match(/^At 20 ms latency, one refresh of each size:/);
      expect(blocks.refresh).to.include("| 10 | 1 | 27 | 10 | 47 | 0.577 |");
      const single = performanceBlocks(
        parseBenchOutput(BENCH_STDOUT.replace(/Markdown:[^_]*/, ""), [], new Date()),
      );
      expect(single.refresh).to.include("| 1,000 | 20 ms | 1 | 77 | 1,000 | 2712 | 0.028 |");
      expect(blocks.requests).to.include("| update: both | 2 |");
      expect(blocks.requests).to.include(
        "| check of a new service (preflight) | 4 | `GET svm/svms?name=a, GET services?svm.name=a` |",
      );
      expect(blocks["provider-bytes"]).to.include("**2,005 bytes**");
      expect(blocks.cpu).to.include("**0.089 ms per operation** over 600 operations");
    });

    it("rejects output without the JSON line", () => {
      expect(() => parseBenchOutput("pulumi-ontap-iscsi bench: x\n", [], new Date())).to.throw(/--json/);
    });
  });

  describe("reliability", () => {
    const matrixFile = join(repoRoot, "dist/test/faults/matrix.test.js");
    const tests: ReportedTest[] = [
      ...OPERATIONS.flatMap((op) =>
        FAULT_NAMES.filter((fault) => op.outcomes[fault] !== "n/a").map(
          (fault): ReportedTest => ({
            file: matrixFile,
            titlePath: ["fault matrix", op.name, `${FAULTS[fault].what}: succeeds`],
            state: op.name === "create" && fault === "500" ? "failed" : "passed",
            durationMs: 10,
          }),
        ),
      ),
      { file: "dist/test/faults/tls.test.js", titlePath: ["TLS", "rejects"], state: "passed", durationMs: 5 },
    ];
    const printed =
      "\n  fault matrix: 75 cells passed\n\n  load: 1375 operations (create 500), 1948 requests\n  {}\n";
    const block = reliabilityBlock({
      report: { start: "2026-01-02T03:04:05.000Z", end: "2026-01-02T03:04:25.000Z", tests },
      printed,
      machine: "Node v20.20.2, 2 CPUs (Test CPU)",
    });
    const cells = OPERATIONS.flatMap((op) => FAULT_NAMES.filter((f) => op.outcomes[f] !== "n/a")).length;

    it("dates the run and counts what passed and failed", () => {
      expect(block).to.match(/^Run on 2026-01-02 03:04 UTC, Node v20\.20\.2, 2 CPUs \(Test CPU\)/);
      expect(block).to.include(`**${cells + 1} tests, ${cells} passed, 1 failed** in 20 s`);
    });

    it("groups the tests by file and outermost describe", () => {
      expect(block).to.include(`| [test/faults/tls.test.ts](../test/faults/tls.test.ts) | TLS | 1 | 1 | 0 |`);
      expect(block).to.include(`| fault matrix | ${cells} | ${cells - 1} | 1 |`);
    });

    it("fills the matrix from the table and the results, marking the failed cell", () => {
      expect(block).to.include(`**The fault matrix: ${cells - 1} of ${cells} cells passed**`);
      const create = block.split("\n").find((line) => line.startsWith("| create |")) ?? "";
      expect(create.split(" | ")[FAULT_NAMES.indexOf("500") + 1]).to.equal("**FAILED**");
      const read = block.split("\n").find((line) => line.startsWith("| read |")) ?? "";
      expect(read).to.include("n/a");
    });

    it("quotes the load suite's own report", () => {
      expect(loadSummary(printed)).to.equal("load: 1375 operations (create 500), 1948 requests");
      expect(block).to.include("```\nload: 1375 operations (create 500), 1948 requests\n```");
    });

    it("names test files by their source", () => {
      expect(sourceOf("dist/test/faults/load.test.js")).to.equal("test/faults/load.test.ts");
    });
  });
});
