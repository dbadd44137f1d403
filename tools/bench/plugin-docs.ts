/**
 * `node dist/tools/bench/plugin-docs.js --input <file>`: writes the generated block
 * `cli-plugin` of docs/performance.md (the plugin face beside the dynamic provider, through
 * the real CLI) from the saved stdout of a benchmark run with `--json` — the run that
 * `node dist/tools/docs/performance.js --save <file>` makes and writes the page's other
 * blocks from, so that every number on the page comes from one run. `--help` prints
 * {@link USAGE}.
 */
import { readFileSync } from "node:fs";
import { flagValues, readCommandLine } from "../command-line";
import { table, thousands, updateBlocks } from "../docs/markdown";
import type { BenchJson } from "./bench";
import { type CliBench, PLUGIN_EXPORT_BYTES_TARGET, PLUGIN_OPERATIONS } from "./cli";

/** The block's name in docs/performance.md. */
export const PLUGIN_BLOCK = "cli-plugin";

/** Where the commands below keep the run's stdout. */
const SAVED = ".tmp/bench-run.txt";

/** The commands that write the page, this block included, from one run. */
export const PLUGIN_DOCS_COMMAND = `npm run build && node dist/tools/docs/performance.js --save ${SAVED} && node dist/tools/bench/plugin-docs.js --input ${SAVED}`;

/** The block: each face's up and refresh, their ratio, bytes per resource, the plugin's start. */
export function pluginBlock(cli: CliBench | null): string {
  if (cli === null)
    return "Not measured in the run that wrote this page (the CLI section was left out: `--smoke` or `--no-cli`).";
  const plugin = cli.plugin;
  if (!plugin) return "Not measured in the run that wrote this page (the plugin face was left out).";
  const header = ["command", "dynamic provider: wall ms", "plugin: wall ms", "wall: plugin / dynamic"];
  const align = ["l", "r", "r", "r"];
  if (plugin.cpu && plugin.cpuRatio && cli.cpu) {
    header.push(
      "dynamic provider: CPU ms",
      "plugin: CPU ms",
      "CPU: plugin / dynamic",
      "provider process CPU ms: dynamic (plugin)",
    );
    align.push("r", "r", "r", "r");
  }
  const rows = PLUGIN_OPERATIONS.map((operation) => {
    const row = [
      `\`pulumi ${operation} --yes\``,
      thousands(cli.provider[operation]),
      thousands(plugin.wall[operation]),
      `**${plugin.ratio[operation].toFixed(2)}**`,
    ];
    if (plugin.cpu && plugin.cpuRatio && cli.cpu)
      row.push(
        thousands(cli.cpu.provider[operation].total),
        thousands(plugin.cpu[operation].total),
        plugin.cpuRatio[operation].toFixed(2),
        `${thousands(cli.cpu.provider[operation].host)} (${thousands(plugin.cpu[operation].host)})`,
      );
    return row;
  });
  const dynamic = cli.checkpoint[cli.checkpoint.length - 1];
  const { entry } = plugin.checkpoint;
  const met = plugin.exportBytesPerResource <= PLUGIN_EXPORT_BYTES_TARGET ? "met" : "**missed**";
  const exportedEntries =
    entry.exported === null || dynamic.entry.exported === null
      ? ""
      : ` One service's own entry in the export: the plugin's ${thousands(entry.exported)} bytes, the dynamic provider's ${thousands(dynamic.entry.exported)}.`;
  const samples = plugin.startSamplesMs.map((v) => v.toFixed(0)).join(", ");
  return [
    `${thousands(cli.services)} services at ${cli.latencyMs} ms added latency, each face on a simulator of its own, \`--parallel ${cli.parallel}\`, in the run above:`,
    "",
    table(header, rows, align),
    "",
    `Checkpoint, \`pulumi stack export\`'s bytes / services: the plugin's **${thousands(plugin.exportBytesPerResource)} bytes per resource** ` +
      `(target ≤ ${thousands(PLUGIN_EXPORT_BYTES_TARGET)}: ${met}), the dynamic provider's ${thousands(plugin.dynamicExportBytesPerResource)}: ` +
      `${thousands(plugin.checkpoint.exportBytes)} and ${thousands(dynamic.exportBytes)} bytes for ${thousands(cli.services)} services.${exportedEntries} ` +
      `The file backend's stack file (compact JSON): ${thousands(plugin.checkpoint.bytesPerResource)} and ${thousands(cli.checkpointBytesPerResource)} bytes per resource; ` +
      `a plugin service's entry there is ${thousands(entry.bytes)} bytes, no \`__provider\`, of which the \`sourcePosition\` and \`stackTrace\` are ${thousands(entry.stackTrace)}.`,
    "",
    `The plugin's start, from spawning \`node bin/pulumi-resource-ontap\` to its port line on stdout: median **${plugin.startMs.toFixed(0)} ms** of ${plugin.startSamplesMs.length} starts (${samples} ms).`,
  ].join("\n");
}

/** What `--help` prints, and what follows a refused command line. */
const USAGE = [
  "usage: plugin-docs --input <saved stdout of bench --json>",
  "",
  `  --input FILE   write the block "${PLUGIN_BLOCK}" of docs/performance.md from this saved run`,
  `                 (e.g. the one node dist/tools/docs/performance.js --save FILE made)`,
  "  --help         this text",
].join("\n");

const FLAGS = {
  input: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The JSON line of a benchmark's stdout: its last line. */
function benchJson(stdout: string): BenchJson {
  const last = stdout.trimEnd().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as BenchJson;
  } catch {
    throw new Error(`the benchmark's last line is not its JSON (was --json given?): ${last.slice(0, 200)}`);
  }
}

function main(argv: string[]): number {
  const line = readCommandLine(argv, flagValues(FLAGS), USAGE);
  if ("exitCode" in line) return line.exitCode;
  const { input } = line.options;
  if (input === undefined) {
    process.stderr.write(`--input is required\n${USAGE}\n`);
    return 2;
  }
  const json = benchJson(readFileSync(input, "utf8"));
  const path = updateBlocks("performance.md", PLUGIN_DOCS_COMMAND, {
    [PLUGIN_BLOCK]: pluginBlock(json.cli ?? null),
  });
  process.stdout.write(`wrote ${path}\n`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
