/**
 * `node dist/tools/docs/reliability.js`: runs the fault suites (dist/test/faults, as
 * `npm run test:faults` does) and writes their results, dated, into the generated block of
 * docs/reliability.md: the suites and their test counts, the fault matrix cell by cell,
 * and the load suite's own report. The hand-written text around the block is kept.
 * Exits 1 when a test failed (the page is still written: it says so). It takes no flags
 * but `--help`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { flagValues, readCommandLine } from "../command-line";
import { repoRoot } from "../paths";
import { FAULT_NAMES, FAULTS, OPERATIONS } from "../simulator/fault-matrix";
import { cell, machine, table, thousands, updateBlocks, utcStamp } from "./markdown";
import type { ReportedTest, SuiteReport } from "./suite-report";

/** The command that regenerates the block. */
export const RELIABILITY_COMMAND = "npm run build && node dist/tools/docs/reliability.js";

/** The fault suites, as package.json's test:faults runs them. */
const FAULT_SUITES = "dist/test/faults/**/*.test.js";

/** What one run of the fault suites produced. */
export interface FaultRun {
  report: SuiteReport;
  /** What the tests themselves printed (the matrix and load summaries). */
  printed: string;
  /** The machine it ran on, e.g. from {@link machine}. */
  machine: string;
}

/**
 * "dist/test/faults/x.test.js" (absolute or not) → "test/faults/x.test.ts".
 * @internal test-only
 */
export function sourceOf(file: string): string {
  const rel = relative(repoRoot, resolve(repoRoot, file)).split("\\").join("/");
  return rel.replace(/^dist\//, "").replace(/\.js$/, ".ts");
}

function counts(tests: readonly ReportedTest[]) {
  return {
    tests: tests.length,
    passed: tests.filter((t) => t.state === "passed").length,
    failed: tests.filter((t) => t.state === "failed").length,
    pending: tests.filter((t) => t.state === "pending").length,
  };
}

function suitesTable(tests: readonly ReportedTest[]): string {
  const groups = new Map<string, ReportedTest[]>();
  for (const test of tests) {
    const key = `${sourceOf(test.file)}\n${test.titlePath[0] ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), test]);
  }
  const rows = [...groups].map(([key, group]) => {
    const [file = "", title = ""] = key.split("\n");
    const c = counts(group);
    const seconds = group.reduce((sum, t) => sum + t.durationMs, 0) / 1000;
    return [
      `[${file}](../${file})`,
      cell(title),
      String(c.tests),
      String(c.passed),
      String(c.failed),
      seconds.toFixed(1),
    ];
  });
  return table(["suite", "its title (what it checks)", "tests", "passed", "failed", "s"], rows, [
    "l",
    "l",
    "r",
    "r",
    "r",
    "r",
  ]);
}

/** The matrix as the table in tools/simulator/fault-matrix.ts requires it, each cell as this run found it. */
function matrixSection(tests: readonly ReportedTest[]): string {
  const matrix = tests.filter((t) => sourceOf(t.file).endsWith("faults/matrix.test.ts"));
  let applicable = 0;
  let passed = 0;
  const rows = OPERATIONS.map((op) => [
    cell(op.name),
    ...FAULT_NAMES.map((fault) => {
      const expected = op.outcomes[fault];
      if (expected === "n/a") return "n/a";
      applicable++;
      const test = matrix.find(
        (t) => t.titlePath[1] === op.name && t.titlePath[2]?.startsWith(`${FAULTS[fault].what}:`),
      );
      if (!test) return "not run";
      if (test.state !== "passed") return "**FAILED**";
      passed++;
      return expected === "ok" ? "ok" : "error → re-run ok";
    }),
  ]);
  const legend = FAULT_NAMES.map((fault) => `\`${fault}\`: ${cell(FAULTS[fault].what)}`).join("; ");
  return [
    `**The fault matrix: ${passed} of ${applicable} cells passed** (${OPERATIONS.length} operations × ${FAULT_NAMES.length} faults; a cell is n/a where the fault cannot hit the operation). ` +
      "`ok`: the first run absorbs the fault; `error → re-run ok`: the first run fails with a clear error, leaves the cluster as it was, and a plain re-run converges.",
    "",
    table(["operation \\ fault", ...FAULT_NAMES.map((f) => `\`${f}\``)], rows),
    "",
    `The faults: ${legend}.`,
  ].join("\n");
}

/**
 * The load suite's summary line ("load: N operations …"), as the test printed it.
 * @internal test-only
 */
export function loadSummary(printed: string): string | undefined {
  return /^\s*(load: \d[^\n]*)$/m.exec(printed)?.[1];
}

/**
 * The generated block of docs/reliability.md for one run of the fault suites.
 * @internal test-only
 */
export function reliabilityBlock(run: FaultRun): string {
  const { tests } = run.report;
  const c = counts(tests);
  const seconds = (Date.parse(run.report.end) - Date.parse(run.report.start)) / 1000;
  const pending = c.pending > 0 ? `, ${c.pending} skipped` : "";
  const load = loadSummary(run.printed);
  return [
    `Run on ${utcStamp(new Date(run.report.start))}, ${run.machine}, by \`${RELIABILITY_COMMAND}\` ` +
      `(the suites of \`npm run test:faults\`): **${thousands(c.tests)} tests, ${thousands(c.passed)} passed, ${c.failed} failed${pending}** in ${Math.round(seconds)} s.`,
    "",
    suitesTable(tests),
    "",
    matrixSection(tests),
    ...(load === undefined
      ? []
      : [
          "",
          "The load suite's own report of this run (timings vary from run to run):",
          "",
          "```",
          load,
          "```",
        ]),
  ].join("\n");
}

/** Runs the fault suites in a child process, as `npm run test:faults` does, with the suite reporter. */
export async function runFaultSuites(): Promise<FaultRun> {
  const dir = mkdtempSync(join(tmpdir(), "docs-faults-"));
  const output = join(dir, "report.json");
  try {
    const mocha = join(repoRoot, "node_modules", "mocha", "bin", "mocha.js");
    const args = [
      mocha,
      "--no-config",
      "--reporter",
      join(repoRoot, "dist", "tools", "docs", "suite-reporter.js"),
      "--reporter-option",
      `output=${output}`,
      "--timeout",
      "30000",
      "--exit",
      FAULT_SUITES,
    ];
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    let printed = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      printed += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", () => resolve());
    });
    let report: SuiteReport;
    try {
      report = JSON.parse(readFileSync(output, "utf8")) as SuiteReport;
    } catch {
      throw new Error(`the fault suites wrote no report; their output:\n${printed}`);
    }
    return { report, printed, machine: machine() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `--help` prints, and what follows a refused command line. */
const USAGE = [
  "usage: reliability",
  "",
  `Runs the fault suites (${FAULT_SUITES}) and writes their results into docs/reliability.md.`,
  "  --help   this text",
].join("\n");

async function main(argv: string[]): Promise<number> {
  const line = readCommandLine(argv, flagValues({ help: { type: "boolean", short: "h" } }), USAGE);
  if ("exitCode" in line) return line.exitCode;
  process.stderr.write(`running the fault suites (${FAULT_SUITES})…\n`);
  const run = await runFaultSuites();
  const path = updateBlocks("reliability.md", RELIABILITY_COMMAND, { "fault-suites": reliabilityBlock(run) });
  const c = counts(run.report.tests);
  process.stdout.write(`wrote ${path}: ${c.tests} tests, ${c.passed} passed, ${c.failed} failed\n`);
  return c.failed === 0 && c.tests > 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
