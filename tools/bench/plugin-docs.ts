/**
 * The generated block `cli-plugin` of docs/performance.md: the plugin face beside the dynamic
 * provider, through the real CLI, from the same benchmark run as the page's other blocks
 * (tools/docs/performance.ts writes it with them).
 */
import { table, thousands } from "../docs/markdown";
import { type CliBench, PLUGIN_EXPORT_BYTES_TARGET, PLUGIN_OPERATIONS } from "./cli";

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
