/**
 * `npm run bench -- [--json] [--smoke] [--services N] [--latency-ms N] [--sizes 10,100,…]
 *   [--cpu-cycles N] [--cli | --no-cli] [--cli-services N]`
 *
 * Measures the targets of issue 6 against simulators it starts in child processes and
 * prints a table; with `--json`, the last line of stdout is exactly one JSON object:
 * {"requests":{…},"refresh":{…},"providerBytes":N,"cpuMsPerOp":N,"preview":{…},"up":{…},
 * "refreshParallel":[…],"stateBytesPerResource":N,"cli":{…}|null}; preview to
 * stateBytesPerResource through the real host (./engine-runs), `cli` through the real
 * `pulumi` CLI against the engine's floor, with the plugin face beside the dynamic provider
 * (./cli; null when the section was left out).
 * `--smoke` is the small CI size (50 services at 2 ms) and leaves the CLI section out
 * unless `--cli` is given (then at 5 services). `--sizes` adds a scaling table of refreshes
 * (batched vs one GET per service) at the given sizes. `--help` lists the flags ({@link USAGE}).
 * Progress goes to stderr.
 */
import * as os from "node:os";
import { type CommandLine, parseFlags, readCommandLine, wholeNumber } from "../command-line";
import {
  CLI_OPERATIONS,
  CLI_TARGETS,
  type CliBench,
  measureCli,
  PLUGIN_EXPORT_BYTES_TARGET,
  PLUGIN_OPERATIONS,
  type PluginBench,
} from "./cli";
import { type EngineRuns, measureEngineRuns, UP_PARALLEL } from "./engine-runs";
import {
  type CpuResult,
  ECONOMY_TARGETS,
  type Economy,
  type EconomyOperation,
  measureCpu,
  measureEconomy,
  measureRefresh,
  type RefreshResult,
} from "./measure";
import { measureProviderBytes, type ProviderBytes } from "./provider-bytes";

/** Services of the CLI section at the smoke size, when `--cli` asks for it. */
const SMOKE_CLI_SERVICES = 5;

/** What `--help` prints, and what follows a refused command line. */
const USAGE = [
  "usage: npm run bench -- [--json] [--smoke] [--services N] [--latency-ms N] [--sizes N,N,…] [--cpu-cycles N] [--cli | --no-cli] [--cli-services N]",
  "",
  "Measures the provider against simulators it starts in child processes and prints a table.",
  "",
  "  --json             end stdout with one line: the results as one JSON object",
  "  --smoke            the small CI size: 50 services at 2 ms, 20 CPU cycles, no CLI section",
  "  --services N       services of the refresh and of the runs through the real host (default 1000)",
  "  --latency-ms N     latency the simulators add to every request (default 20)",
  "  --sizes N,N,…      add a scaling table of refreshes at these sizes",
  "  --cpu-cycles N     measured create/read/update×3/delete cycles for cpuMsPerOp (default 100)",
  "  --cli, --no-cli    run or leave out the section through the real pulumi CLI (default: run it,",
  "                     except with --smoke); the last one given wins",
  `  --cli-services N   services of the CLI section (default: --services; ${SMOKE_CLI_SERVICES} with --smoke)`,
  "  --help             this text",
].join("\n");

/** Command-line options. */
export interface BenchOptions {
  json: boolean;
  services: number;
  latencyMs: number;
  /** Extra refresh sizes for the scaling table; empty: none. */
  sizes: number[];
  /** Measured create/read/update×3/delete cycles for cpuMsPerOp. */
  cpuCycles: number;
  /** Whether to run the CLI section (./cli): default yes, except at the smoke size. */
  cli: boolean;
  /** Services of the CLI section; default `services` (5 at the smoke size). */
  cliServices: number;
}

/** The JSON the issue specifies, in its key order. */
export interface BenchJson {
  requests: Record<EconomyOperation, number>;
  refresh: {
    services: number;
    latencyMs: number;
    requests: number;
    naiveRequests: number;
    wallMs: number;
    naiveWallMs: number;
  };
  providerBytes: number;
  cpuMsPerOp: number;
  /** Through the real host: a preview of `services` new services (preflight on; wall without it). */
  preview: EngineRuns["preview"];
  /** Through the real host: their up at --parallel 8. */
  up: EngineRuns["up"];
  /** Through the real host: refreshes at --parallel 1, 8, 16, 64 and unbounded (null). */
  refreshParallel: Array<{ parallel: number | null; requests: number; wallMs: number; naiveWallMs: number }>;
  /** One resource's checkpoint entry, both copies of `__provider` included. */
  stateBytesPerResource: number;
  /**
   * Through the real `pulumi` CLI: wall ms of preview, up, refresh and destroy of the
   * provider's stack and of the floor's (./cli), their ratios, the checkpoint's bytes per
   * resource and its growth; `plugin`: the plugin face's up and refresh beside the dynamic
   * provider's in the same run, both faces' `pulumi stack export` bytes per resource, and
   * the plugin's start time. null when the section was left out (--smoke, --no-cli).
   */
  cli: CliBench | null;
}

/** Targets of issue 6 that the table checks. */
const TARGETS = {
  refreshRequestsPer1000: 10,
  wallRatio: 0.1,
  providerBytes: 800,
  cpuMsPerOp: 1,
  stateBytesPerResource: 2600,
  /** Issue 14: preview/up requests, their wall against no preflight, refresh at 8 and 16. */
  engineRequests: 10,
  preflightWallRatio: 1.5,
  refreshWallRatio: 0.5,
};

/** The flags, as node:util's parseArgs takes them (`--no-cli` is the negation of `--cli`). */
const FLAGS = {
  json: { type: "boolean" },
  smoke: { type: "boolean" },
  services: { type: "string" },
  "latency-ms": { type: "string" },
  sizes: { type: "string" },
  "cpu-cycles": { type: "string" },
  cli: { type: "boolean" },
  "cli-services": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses the command line; throws with a message for anything it does not know.
 * @internal test-only (exported for test/tools/bench/command-line.test.ts)
 */
export function parseCommandLine(argv: string[]): CommandLine<BenchOptions> {
  const { values } = parseFlags(argv, FLAGS, { negative: true });
  if (values.help) return { help: true };
  const smoke = values.smoke === true;
  const count = (flag: keyof typeof FLAGS, min: number, smokeDefault: number, fallback: number): number => {
    const text = values[flag];
    if (typeof text === "string") return wholeNumber(`--${flag}`, text, min);
    return smoke ? smokeDefault : fallback;
  };
  const services = count("services", 1, 50, 1000);
  return {
    help: false,
    options: {
      json: values.json === true,
      services,
      latencyMs: count("latency-ms", 0, 2, 20),
      sizes:
        values.sizes === undefined
          ? []
          : values.sizes.split(",").map((n) => wholeNumber("--sizes", n.trim(), 1)),
      cpuCycles: count("cpu-cycles", 1, 20, 100),
      cli: values.cli ?? !smoke,
      cliServices: count("cli-services", 1, SMOKE_CLI_SERVICES, services),
    },
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Columns right-aligned, except the first and those named in `left`. */
function table(rows: string[][], left: number[] = []): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => (c === 0 || left.includes(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const ms = (value: number) => value.toFixed(0);
const verdict = (ok: boolean) => (ok ? "ok" : "MISS");

function ratio(part: number, whole: number): string {
  return whole === 0 ? "-" : (part / whole).toFixed(3);
}

function economySection(economy: Economy): string {
  const rows = [["operation", "requests", "target", "", "on the wire"]];
  for (const name of Object.keys(ECONOMY_TARGETS) as EconomyOperation[]) {
    const { requests, wire } = economy.operations[name];
    rows.push([
      name,
      String(requests),
      String(ECONOMY_TARGETS[name]),
      verdict(requests === ECONOMY_TARGETS[name]),
      wire.join(", "),
    ]);
  }
  rows.push([
    "check (new service)",
    String(economy.check.requests),
    "-",
    "",
    `${economy.check.wire.join(", ")} (preflight; ontap:preflight=false skips it)`,
  ]);
  rows.push(["diff", String(economy.diff.requests), "-", "", "(pure)"]);
  return `Request economy (counted by the simulator, one service, each operation alone)\n${table(rows, [3, 4])}`;
}

function refreshRequestTarget(services: number): number {
  return Math.max(1, Math.ceil((services / 1000) * TARGETS.refreshRequestsPer1000));
}

function refreshSection(refresh: RefreshResult): string {
  const wall = refresh.wallMs / refresh.naiveWallMs;
  const rows = [
    ["", "requests", "wall ms"],
    ["batched (provider.read × N at once)", String(refresh.requests), ms(refresh.wallMs)],
    ["one GET per service (getService × N)", String(refresh.naiveRequests), ms(refresh.naiveWallMs)],
    ["batched / one-per-service", ratio(refresh.requests, refresh.naiveRequests), wall.toFixed(3)],
  ];
  const requestTarget = refreshRequestTarget(refresh.services);
  // The wall-time target is set for 1,000 services at 20 ms; smaller runs cannot amortise much.
  const wallVerdict =
    refresh.services >= 1000 && refresh.latencyMs >= 20
      ? verdict(wall <= TARGETS.wallRatio)
      : "n/a at this size";
  return [
    `Refresh: ${refresh.services} services on one cluster, ${refresh.latencyMs} ms latency, per-cluster cap 8 (default)`,
    table(rows),
    `  requests ≤ ${requestTarget}: ${verdict(refresh.requests <= requestTarget)}; wall ≤ ${TARGETS.wallRatio} of one-per-service: ${wallVerdict}`,
    `  batched on the wire: ${summarizeWire(refresh.wire)}`,
  ].join("\n");
}

function summarizeWire(wire: string[]): string {
  const counts = new Map<string, number>();
  for (const line of wire) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n > 1 ? `${n} × ${line}` : line)).join(", ");
}

function scalingSection(results: RefreshResult[]): string {
  const rows = [
    [
      "services",
      "batched requests",
      "batched ms",
      "one-per-service requests",
      "one-per-service ms",
      "wall ratio",
    ],
  ];
  for (const r of results) {
    rows.push([
      String(r.services),
      String(r.requests),
      ms(r.wallMs),
      String(r.naiveRequests),
      ms(r.naiveWallMs),
      ratio(r.wallMs, r.naiveWallMs),
    ]);
  }
  const latency = results[0]?.latencyMs ?? 0;
  const markdown = [
    `| services | batched: requests | batched: wall ms | one GET per service: requests | one GET per service: wall ms | wall ratio |`,
    `|---:|---:|---:|---:|---:|---:|`,
    ...results.map(
      (r) =>
        `| ${r.services} | ${r.requests} | ${ms(r.wallMs)} | ${r.naiveRequests} | ${ms(r.naiveWallMs)} | ${ratio(r.wallMs, r.naiveWallMs)} |`,
    ),
  ];
  return `Scaling (${latency} ms latency, cap 8)\n${table(rows)}\n\nMarkdown:\n${markdown.join("\n")}`;
}

function bytesSection(bytes: ProviderBytes): string {
  return [
    `__provider of examples/basic: ${bytes.bytes} bytes (target ≤ ${TARGETS.providerBytes}): ${verdict(bytes.bytes <= TARGETS.providerBytes)}`,
    `  two fresh builds of sdk/provider-stub.ts serialize to ${bytes.rebuildBytes.join(" and ")} bytes; byte-identical to the captured string: ${bytes.identicalAcrossBuilds ? "yes" : "NO"}`,
  ].join("\n");
}

function engineSection(runs: EngineRuns, latencyMs: number): string {
  const p = runs.preview;
  const u = runs.up;
  const rows = [
    ["--parallel", "requests", "wall ms", "one GET per service: requests", "wall ms", "ratio", ""],
  ];
  for (const r of runs.refreshParallel) {
    const limit = r.parallel === 8 || r.parallel === 16;
    const ok =
      r.wallMs <= r.naiveWallMs &&
      (!limit ||
        (r.requests <= TARGETS.engineRequests && r.wallMs <= TARGETS.refreshWallRatio * r.naiveWallMs));
    rows.push([
      r.parallel === null ? "unbounded" : String(r.parallel),
      String(r.requests),
      ms(r.wallMs),
      String(r.naiveRequests),
      ms(r.naiveWallMs),
      ratio(r.wallMs, r.naiveWallMs),
      verdict(ok),
    ]);
  }
  const previewOk =
    p.requests <= TARGETS.engineRequests && p.wallMs <= TARGETS.preflightWallRatio * p.noPreflightWallMs;
  const upOk =
    u.gets <= TARGETS.engineRequests && u.wallMs <= TARGETS.preflightWallRatio * u.noPreflightWallMs;
  return [
    `Through the real dynamic-provider host (engine harness), ${p.services} services at ${latencyMs} ms; wall = first to last resource call`,
    `  preview of new services: ${p.requests} requests, ${ms(p.wallMs)} ms (without preflight ${ms(p.noPreflightWallMs)} ms): ${verdict(previewOk)}`,
    `  up at --parallel ${UP_PARALLEL}: ${u.gets} GETs, ${u.posts} POSTs, ${ms(u.wallMs)} ms (without preflight ${ms(u.noPreflightWallMs)} ms): ${verdict(upOk)}`,
    "  refresh:",
    table(rows).replace(/^/gm, "    "),
    `  checkpoint entry of one resource: ${runs.stateBytesPerResource} bytes (target ≤ ${TARGETS.stateBytesPerResource}): ${verdict(runs.stateBytesPerResource <= TARGETS.stateBytesPerResource)}`,
  ].join("\n");
}

function cliSection(cli: CliBench | null): string {
  if (cli === null)
    return "Through the real Pulumi CLI: left out (--smoke or --no-cli; --cli adds it, building the CLI if needed)";
  const header = ["command", "floor ms", "provider ms", "provider / floor", "target", ""];
  if (cli.cpu) header.push("floor CPU ms", "provider CPU ms", "CPU ratio");
  const rows = [header];
  for (const operation of CLI_OPERATIONS) {
    const target = CLI_TARGETS[operation];
    const ratio = cli.ratio[operation];
    const row = [
      `pulumi ${operation}${operation === "preview" ? "" : " --yes"}`,
      ms(cli.floor[operation]),
      ms(cli.provider[operation]),
      ratio.toFixed(2),
      target === undefined ? "-" : `≤ ${target}`,
      target === undefined ? "" : verdict(ratio <= target),
    ];
    if (cli.cpu && cli.cpuRatio)
      row.push(
        ms(cli.cpu.floor[operation].total),
        ms(cli.cpu.provider[operation].total),
        cli.cpuRatio[operation].toFixed(2),
      );
    rows.push(row);
  }
  const sizes = cli.checkpoint
    .map((c) => `${c.services}: ${c.fileBytes} bytes (${c.bytesPerResource} per resource)`)
    .join("; ");
  const lines = [
    `Through the real Pulumi CLI: ${cli.services} services at ${cli.latencyMs} ms, --parallel ${cli.parallel} (the CLI's default); wall = the whole pulumi process`,
    `  CLI: ${cli.pulumi}`,
    "  floor: the same program shape on a dynamic provider that does nothing (tools/bench/fixtures/noop)",
    table(rows, [5]).replace(/^/gm, "  "),
  ];
  if (cli.cpu) {
    const { floor, provider } = cli.cpu;
    lines.push(
      "  CPU ms by process, provider (floor): engine = pulumi, program = the Node.js program, host = the provider",
    );
    for (const operation of CLI_OPERATIONS) {
      const kinds = (["engine", "program", "host", "other"] as const).map(
        (kind) => `${kind} ${provider[operation][kind]} (${floor[operation][kind]})`,
      );
      lines.push(`    ${operation.padEnd(8)} ${kinds.join(", ")}`);
    }
  }
  const { entry } = cli.checkpoint[cli.checkpoint.length - 1];
  lines.push(
    `  checkpoint (the backend's stack file) after the up: ${cli.checkpointBytesPerResource} bytes per resource (the floor's: ${cli.floorCheckpointBytesPerResource})`,
    `  by size: ${sizes}; each further service adds ${cli.checkpointGrowthBytesPerResource} bytes`,
    `  one service's entry: ${entry.bytes} bytes, of which __provider (both copies) ${entry.provider}, sourcePosition and stackTrace ${entry.stackTrace}`,
  );
  if (cli.plugin) lines.push(pluginLines(cli, cli.plugin));
  return lines.join("\n");
}

/** The plugin face beside the dynamic provider, in the CLI section. */
function pluginLines(cli: CliBench, plugin: PluginBench): string {
  const header = ["command", "dynamic provider ms", "plugin ms", "plugin / dynamic"];
  if (plugin.cpu) header.push("dynamic CPU ms", "plugin CPU ms", "CPU ratio");
  const rows = [header];
  for (const operation of PLUGIN_OPERATIONS) {
    const row = [
      `pulumi ${operation} --yes`,
      ms(cli.provider[operation]),
      ms(plugin.wall[operation]),
      plugin.ratio[operation].toFixed(2),
    ];
    if (plugin.cpu && plugin.cpuRatio && cli.cpu)
      row.push(
        ms(cli.cpu.provider[operation].total),
        ms(plugin.cpu[operation].total),
        plugin.cpuRatio[operation].toFixed(2),
      );
    rows.push(row);
  }
  const dynamicEntry = cli.checkpoint[cli.checkpoint.length - 1].entry;
  const { entry } = plugin.checkpoint;
  const exported = (bytes: number | null) => (bytes === null ? "?" : String(bytes));
  const ok = plugin.exportBytesPerResource <= PLUGIN_EXPORT_BYTES_TARGET;
  const samples = plugin.startSamplesMs.map((v) => v.toFixed(0)).join(", ");
  return [
    `  the plugin (pulumi-resource-ontap, tools/bench/fixtures/plugin) beside the dynamic provider, ${cli.services} services, a simulator of its own:`,
    table(rows).replace(/^/gm, "    "),
    `    pulumi stack export / services: plugin ${plugin.exportBytesPerResource} bytes per resource (target ≤ ${PLUGIN_EXPORT_BYTES_TARGET}): ${verdict(ok)}; dynamic provider ${plugin.dynamicExportBytesPerResource}`,
    `      (the whole export: manifest, secrets provider, stack, default provider and the services; one service's entry in it: plugin ${exported(entry.exported)}, dynamic provider ${exported(dynamicEntry.exported)})`,
    `    backend file / services: plugin ${plugin.checkpoint.bytesPerResource}, dynamic provider ${cli.checkpointBytesPerResource}; a plugin service's entry: ${entry.bytes} bytes, no __provider, sourcePosition and stackTrace ${entry.stackTrace}`,
    `    plugin start (spawn of node bin/pulumi-resource-ontap to its port line): median ${plugin.startMs.toFixed(0)} ms of ${plugin.startSamplesMs.length} (${samples})`,
  ].join("\n");
}

function cpuSection(cpu: CpuResult): string {
  const f = (value: number) => value.toFixed(3);
  const parts = Object.entries(cpu.ownByOperation).map(([name, value]) => `${name} ${f(value)}`);
  return [
    `CPU per operation at 0 ms latency (${cpu.operations} operations one at a time; the simulator runs in a child process)`,
    `  provider's own code: ${f(cpu.ownMs)} ms (target ≤ ${TARGETS.cpuMsPerOp}): ${verdict(cpu.ownMs <= TARGETS.cpuMsPerOp)}  [median over cycles; V8 profiler samples]`,
    `    under it, HTTP transport (node-fetch, Node http/tls/net/streams): ${f(cpu.transportMs)} ms; neither (GC, event loop): ${f(cpu.otherMs)} ms`,
    `    own code by operation (mean, ms): ${parts.join(", ")}`,
    `  whole process (process.cpuUsage, user + system, median): ${f(cpu.processMs)} ms`,
  ].join("\n");
}

/** Runs every measurement; prints the table, then (with --json) the JSON line. */
export async function main(argv: string[]): Promise<number> {
  const line = readCommandLine(argv, parseCommandLine, USAGE);
  if ("exitCode" in line) return line.exitCode;
  const { options } = line;
  const cpus = os.cpus();
  const machine = `Node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? "unknown"}), load average ${os.loadavg()[0].toFixed(2)}`;

  progress("request economy");
  const economy = await measureEconomy();
  progress(`cpu per operation (${options.cpuCycles} cycles)`);
  const cpu = await measureCpu(options.cpuCycles);
  progress("__provider (capture of examples/basic, two builds of the stub)");
  const bytes = await measureProviderBytes();
  progress(`refresh of ${options.services} services at ${options.latencyMs} ms`);
  const refresh = await measureRefresh(options.services, options.latencyMs);
  const runs = await measureEngineRuns(options.services, options.latencyMs, progress);
  let cli: CliBench | null = null;
  if (options.cli) {
    progress(`cli: ${options.cliServices} services at ${options.latencyMs} ms through the real pulumi CLI`);
    cli = await measureCli({ services: options.cliServices, latencyMs: options.latencyMs, progress });
  }
  const scaling: RefreshResult[] = [];
  for (const size of options.sizes) {
    if (size === options.services) {
      scaling.push(refresh);
      continue;
    }
    progress(`scaling: refresh of ${size} services at ${options.latencyMs} ms`);
    scaling.push(await measureRefresh(size, options.latencyMs));
  }

  const sections = [
    `pulumi-ontap-iscsi bench: ${machine}`,
    economySection(economy),
    refreshSection(refresh),
    ...(scaling.length > 0 ? [scalingSection(scaling)] : []),
    engineSection(runs, options.latencyMs),
    cliSection(cli),
    bytesSection(bytes),
    cpuSection(cpu),
  ];
  process.stdout.write(`${sections.join("\n\n")}\n`);

  const json: BenchJson = {
    requests: Object.fromEntries(
      (Object.keys(ECONOMY_TARGETS) as EconomyOperation[]).map((name) => [
        name,
        economy.operations[name].requests,
      ]),
    ) as Record<EconomyOperation, number>,
    refresh: {
      services: refresh.services,
      latencyMs: refresh.latencyMs,
      requests: refresh.requests,
      naiveRequests: refresh.naiveRequests,
      wallMs: Math.round(refresh.wallMs),
      naiveWallMs: Math.round(refresh.naiveWallMs),
    },
    providerBytes: bytes.bytes,
    cpuMsPerOp: Number(cpu.ownMs.toFixed(3)),
    preview: runs.preview,
    up: runs.up,
    refreshParallel: runs.refreshParallel.map(({ parallel, requests, wallMs, naiveWallMs }) => ({
      parallel,
      requests,
      wallMs,
      naiveWallMs,
    })),
    stateBytesPerResource: runs.stateBytesPerResource,
    cli,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(json)}\n`);

  // Deterministic targets fail the run; timings are reported, never enforced (noisy machines).
  const economyOk = (Object.keys(ECONOMY_TARGETS) as EconomyOperation[]).every(
    (name) => economy.operations[name].requests === ECONOMY_TARGETS[name],
  );
  return economyOk && bytes.identicalAcrossBuilds ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
