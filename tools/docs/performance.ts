/**
 * `node dist/tools/docs/performance.js [--smoke] [--input <file> | --save <file>]`: runs the benchmark
 * (`node dist/tools/bench/bench.js --json --sizes 10,100,1000,5000`, or its `--smoke` size)
 * and writes what one run measured, dated and with the machine it ran on, into the
 * generated blocks of docs/performance.md. `--input` reads the saved stdout of such a run
 * instead (dated by the file's modification time); `--save` keeps the stdout of the run it
 * makes in a file. The hand-written text is kept. `--help` prints {@link USAGE}.
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchJson } from "../bench/bench";
import { CLI_OPERATIONS, CLI_TARGETS, type CliBench, type CliOperation } from "../bench/cli";
import { pluginBlock } from "../bench/plugin-docs";
import { flagValues, readCommandLine } from "../command-line";
import { repoRoot } from "../paths";
import { cell, table, thousands, updateBlocks, utcStamp } from "./markdown";

/** The command that regenerates the blocks. */
export const PERFORMANCE_COMMAND = "npm run build && node dist/tools/docs/performance.js";

/** The benchmark's arguments for the page: the full size, with the scaling table. */
export const FULL_ARGS = ["--json", "--sizes", "10,100,1000,5000"];
/** The small size (what CI runs). */
export const SMOKE_ARGS = ["--json", "--smoke"];

/** One row of the benchmark's request-economy table. */
export interface EconomyRow {
  operation: string;
  requests: number;
  /** The requests as the simulator saw them. */
  wire: string;
}

/** What the page uses of one benchmark run: the JSON line, and what only the text table says. */
export interface BenchRun {
  json: BenchJson;
  /** "Node v20.20.2, 2 CPUs (…), load average 1.60", from the table's first line. */
  machine?: string;
  economy: EconomyRow[];
  /** The scaling table's Markdown rows (header included), when `--sizes` was given. */
  scaling: string[];
  /** Whole-process CPU per operation, ms. */
  processCpuMs?: number;
  /** Operations measured for CPU. */
  cpuOperations?: number;
  /** Whether two fresh builds of the stub serialize byte-identically to the captured `__provider`. */
  identicalAcrossBuilds?: boolean;
  /** The benchmark's arguments; undefined for a saved run. */
  args?: string[];
  date: Date;
}

/**
 * Reads the benchmark's stdout (the table, then the JSON line last).
 * @internal test-only
 */
export function parseBenchOutput(stdout: string, args: string[] | undefined, date: Date): BenchRun {
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  const last = lines.at(-1) ?? "";
  let json: BenchJson;
  try {
    json = JSON.parse(last) as BenchJson;
  } catch {
    throw new Error(`the benchmark's last line is not its JSON (was --json given?): ${last.slice(0, 200)}`);
  }
  const run: BenchRun = { json, economy: [], scaling: [], date };
  if (args !== undefined) run.args = args;
  const machine = /^pulumi-ontap-iscsi bench: (.*)$/m.exec(stdout)?.[1];
  if (machine !== undefined) run.machine = machine.trim();
  const economyStart = lines.findIndex((line) => line.startsWith("Request economy"));
  if (economyStart !== -1) {
    for (const line of lines.slice(economyStart + 2)) {
      const parts = line.trim().split(/\s{2,}/);
      if (parts.length < 4 || !/^\d+$/.test(parts[1] ?? "")) break;
      run.economy.push({ operation: parts[0] ?? "", requests: Number(parts[1]), wire: parts.at(-1) ?? "" });
    }
  }
  const markdown = lines.indexOf("Markdown:");
  if (markdown !== -1) {
    for (const line of lines.slice(markdown + 1)) {
      if (!line.startsWith("|")) break;
      run.scaling.push(line);
    }
  }
  const processCpu = /whole process \(process\.cpuUsage[^)]*\)[^:]*: ([\d.]+) ms/.exec(stdout)?.[1];
  if (processCpu !== undefined) run.processCpuMs = Number(processCpu);
  const operations = /\((\d+) operations one at a time/.exec(stdout)?.[1];
  if (operations !== undefined) run.cpuOperations = Number(operations);
  const identical = /byte-identical to the captured string: (yes|NO)/.exec(stdout)?.[1];
  if (identical !== undefined) run.identicalAcrossBuilds = identical === "yes";
  return run;
}

/** Words for the operations of the JSON's `requests`, where the table says more than the key. */
const OPERATION_NAMES: Readonly<Record<string, string>> = {
  create: "create",
  read: "read (refresh, one resource)",
  updateAlias: "update: alias only",
  updateEnabled: "update: `enabled` only",
  updateBoth: "update: both",
  deleteEnabled: "delete, service enabled",
  deleteDisabled: "delete, service disabled",
};

/**
 * The generated blocks of docs/performance.md for one run.
 * @internal test-only
 */
export function performanceBlocks(run: BenchRun): Record<string, string> {
  const { json } = run;
  const size = run.args?.includes("--smoke") ? "the smoke size: " : run.args ? "the full size: " : "";
  const command =
    run.args === undefined
      ? "a saved run of the benchmark"
      : `\`node dist/tools/bench/bench.js ${run.args.join(" ")}\``;
  const blocks: Record<string, string> = {};
  blocks.run =
    `Measured on ${utcStamp(run.date)}, ${run.machine ?? "machine not recorded"}, in one run of ${command} ` +
    `(${size}${thousands(json.refresh.services)} services at ${json.refresh.latencyMs} ms added latency).`;

  const wire = new Map(run.economy.map((row) => [row.operation, row.wire]));
  const rows = Object.entries(json.requests).map(([operation, requests]) => [
    OPERATION_NAMES[operation] ?? operation,
    String(requests),
    wire.has(operation) ? `\`${cell(wire.get(operation) ?? "")}\`` : "",
  ]);
  const check = run.economy.find((row) => row.operation.startsWith("check"));
  // The table's remark after the requests ("(preflight; …)") is said in the page's own words.
  const checkWire = check?.wire.replace(/\s*\([^()]*\)$/, "");
  if (check)
    rows.push(["check of a new service (preflight)", String(check.requests), `\`${cell(checkWire ?? "")}\``]);
  blocks.requests = table(["operation", "requests", "as the simulator saw them"], rows, ["l", "r", "l"]);

  const r = json.refresh;
  const ratio = r.naiveWallMs === 0 ? "-" : (r.wallMs / r.naiveWallMs).toFixed(3);
  blocks.refresh =
    run.scaling.length > 0
      ? [`At ${r.latencyMs} ms latency, one refresh of each size:`, "", ...run.scaling].join("\n")
      : table(
          [
            "services",
            "latency",
            "batched: requests",
            "batched: wall ms",
            "one GET per service: requests",
            "one GET per service: wall ms",
            "wall ratio",
          ],
          [
            [
              thousands(r.services),
              `${r.latencyMs} ms`,
              String(r.requests),
              String(r.wallMs),
              thousands(r.naiveRequests),
              String(r.naiveWallMs),
              ratio,
            ],
          ],
          ["r", "r", "r", "r", "r", "r", "r"],
        );

  const identical =
    run.identicalAcrossBuilds === undefined
      ? ""
      : run.identicalAcrossBuilds
        ? " Two fresh builds of the stub serialized byte-identically to what `examples/basic` registers."
        : " **Two fresh builds of the stub did NOT serialize identically to what `examples/basic` registers.**";
  blocks["provider-bytes"] =
    `\`__provider\` of \`examples/basic\`: **${thousands(json.providerBytes)} bytes**.${identical}`;

  const whole =
    run.processCpuMs === undefined
      ? ""
      : ` The whole process (\`process.cpuUsage\`, user + system) spent ${run.processCpuMs.toFixed(3)} ms per operation.`;
  const operations =
    run.cpuOperations === undefined ? "" : ` over ${thousands(run.cpuOperations)} operations`;
  blocks.cpu = `The provider's own code: a median of **${json.cpuMsPerOp.toFixed(3)} ms per operation**${operations}.${whole}`;
  blocks.fleet = fleetBlock(json);
  blocks.cli = cliBlock(json.cli ?? null);
  blocks["cli-plugin"] = pluginBlock(json.cli ?? null);
  return blocks;
}

/** Through the real CLI: each command's wall and CPU against the floor's, as ratios; the checkpoint's size and growth. */
export function cliBlock(cli: CliBench | null): string {
  if (cli === null)
    return "Not measured in the run that wrote this page (the CLI section was left out: `--smoke` or `--no-cli`).";
  const command = (operation: CliOperation) =>
    `\`pulumi ${operation}${operation === "preview" ? "" : " --yes"}\``;
  const rows = CLI_OPERATIONS.map((operation) => {
    const target = CLI_TARGETS[operation];
    const ratio = cli.ratio[operation];
    const row = [
      command(operation),
      thousands(cli.floor[operation]),
      thousands(cli.provider[operation]),
      `**${ratio.toFixed(2)}**`,
      target === undefined ? "-" : `≤ ${target}: ${ratio <= target ? "met" : "**missed**"}`,
    ];
    if (cli.cpu && cli.cpuRatio)
      row.push(
        thousands(cli.cpu.floor[operation].total),
        thousands(cli.cpu.provider[operation].total),
        cli.cpuRatio[operation].toFixed(2),
      );
    return row;
  });
  const header = ["command", "floor: wall ms", "provider: wall ms", "wall: provider / floor", "target"];
  const align = ["l", "r", "r", "r", "l"];
  if (cli.cpu) {
    header.push("floor: CPU ms", "provider: CPU ms", "CPU: provider / floor");
    align.push("r", "r", "r");
  }
  const parts = [
    `${thousands(cli.services)} services at ${cli.latencyMs} ms added latency, \`--parallel ${cli.parallel}\` (the CLI's default on this machine), the Pulumi CLI ${cli.pulumi.replace(/ \(.*\)$/, "").replace(/^pulumi /, "")}:`,
    "",
    table(header, rows, align),
  ];
  if (cli.cpu) {
    const { floor, provider } = cli.cpu;
    const kinds = ["engine", "program", "host", "other"] as const;
    parts.push(
      "",
      "Where the CPU went, provider (floor), ms: `engine` is the `pulumi` process, `program` the Node.js program, `host` the dynamic-provider host (the provider's own code runs there), `other` the language hosts and launchers:",
      "",
      table(
        ["command", ...kinds],
        CLI_OPERATIONS.map((operation) => [
          command(operation),
          ...kinds.map(
            (kind) => `${thousands(provider[operation][kind])} (${thousands(floor[operation][kind])})`,
          ),
        ]),
        ["l", "r", "r", "r", "r"],
      ),
    );
  }
  const { entry } = cli.checkpoint[cli.checkpoint.length - 1];
  const sizes = cli.checkpoint.map(
    (c) =>
      `${thousands(c.services)} services: ${thousands(c.fileBytes)} bytes (${thousands(c.bytesPerResource)} per resource; \`pulumi stack export\` prints ${thousands(c.exportBytes)})`,
  );
  parts.push(
    "",
    `The checkpoint (the file backend's stack file) after the up: **${thousands(cli.checkpointBytesPerResource)} bytes per resource** (the floor's: ${thousands(cli.floorCheckpointBytesPerResource)}). ` +
      `By size: ${sizes.join("; ")}. Each further service adds **${thousands(cli.checkpointGrowthBytesPerResource)} bytes**: ` +
      `its entry, ${thousands(entry.bytes)} bytes of compact JSON, of which \`__provider\` (both copies) is ${thousands(entry.provider)} ` +
      `and the \`sourcePosition\` and \`stackTrace\` the CLI records are ${thousands(entry.stackTrace)}.`,
  );
  return parts.join("\n");
}

/** Through the real host: the preview and up of many new services, refresh at each parallelism, state bytes. */
function fleetBlock(json: BenchJson): string {
  const { preview, up } = json;
  const x = (a: number, b: number) => (b === 0 ? "-" : (a / b).toFixed(2));
  const runs = table(
    ["operation", "services", "requests", "wall ms", "wall ms, preflight off", "ratio"],
    [
      [
        "preview (new services)",
        thousands(preview.services),
        thousands(preview.requests),
        String(preview.wallMs),
        String(preview.noPreflightWallMs),
        x(preview.wallMs, preview.noPreflightWallMs),
      ],
      [
        "up, --parallel 8",
        thousands(up.services),
        `${thousands(up.gets)} GETs + ${thousands(up.posts)} POSTs`,
        String(up.wallMs),
        String(up.noPreflightWallMs),
        x(up.wallMs, up.noPreflightWallMs),
      ],
    ],
    ["l", "r", "r", "r", "r", "r"],
  );
  const refresh = table(
    ["--parallel", "requests", "wall ms", "one GET per service: wall ms", "ratio"],
    json.refreshParallel.map((p) => [
      p.parallel === null ? "unbounded" : String(p.parallel),
      String(p.requests),
      String(p.wallMs),
      String(p.naiveWallMs),
      x(p.wallMs, p.naiveWallMs),
    ]),
    ["r", "r", "r", "r", "r"],
  );
  return [
    runs,
    "",
    `Refresh of ${thousands(preview.services)} services through the real host, by Pulumi's \`--parallel\`:`,
    "",
    refresh,
    "",
    `One resource's checkpoint entry (inputs and outputs, both copies of \`__provider\` included): **${thousands(json.stateBytesPerResource)} bytes**.`,
  ].join("\n");
}

/** Runs the benchmark in a child process and returns its stdout. */
export async function runBench(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [join(repoRoot, "dist", "tools", "bench", "bench.js"), ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`the benchmark exited with ${code}; its output:\n${stdout}`);
  return stdout;
}

/** What `--help` prints, and what follows a refused command line. */
const USAGE = [
  "usage: performance [--smoke] [--input <saved stdout of bench --json> | --save <file for the run's stdout>]",
  "",
  `  (no flag)      run the benchmark (node dist/tools/bench/bench.js ${FULL_ARGS.join(" ")}) and write its results`,
  "                 into docs/performance.md",
  `  --smoke        run it at the smoke size instead (${SMOKE_ARGS.join(" ")})`,
  "  --input FILE   write the results of a saved run instead (its stdout; dated by the file's time)",
  "  --save FILE    keep the stdout of the run this makes in FILE",
  "  --help         this text",
].join("\n");

const FLAGS = {
  smoke: { type: "boolean" },
  input: { type: "string" },
  save: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

async function main(argv: string[]): Promise<number> {
  const line = readCommandLine(argv, flagValues(FLAGS), USAGE);
  if ("exitCode" in line) return line.exitCode;
  const { smoke = false, input, save } = line.options;
  let run: BenchRun;
  if (input !== undefined) {
    run = parseBenchOutput(readFileSync(input, "utf8"), undefined, statSync(input).mtime);
  } else {
    const args = smoke ? SMOKE_ARGS : FULL_ARGS;
    process.stderr.write(`running node dist/tools/bench/bench.js ${args.join(" ")}…\n`);
    const date = new Date();
    const stdout = await runBench(args);
    if (save !== undefined) writeFileSync(save, stdout);
    run = parseBenchOutput(stdout, args, date);
  }
  const path = updateBlocks("performance.md", PERFORMANCE_COMMAND, performanceBlocks(run));
  process.stdout.write(`wrote ${path}\n`);
  return 0;
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
