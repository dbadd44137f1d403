/**
 * The benchmark's `cli` section: what a user waits for, through the real `pulumi` CLI.
 *
 * `pulumi preview`, `up --yes`, `refresh --yes` and `destroy --yes` of N IscsiServices
 * (tools/engine/fixtures/many) against a simulator with added latency, at the CLI's default
 * `--parallel`, side by side with the same commands on the engine's floor: a program of the
 * same shape whose dynamic provider does nothing (./fixtures/noop). The floor is what the
 * engine costs by itself (the program run, the plugin's start, the gRPC calls, the
 * checkpoint writes of the file backend); the ratio provider/floor is what the provider
 * adds. Each command's wall time is the whole `pulumi` process, as a user or a CI job waits
 * for it. The two stacks' commands alternate (floor, provider, floor, …) so that a load on
 * the machine falls on both alike.
 *
 * Beside them, the provider's other face: the plugin pulumi-resource-ontap (bin/), driven
 * by a program of the same shape (./fixtures/plugin) against a simulator of its own with the
 * same SVMs and latency. Its `up --yes` and `refresh --yes` run right after the dynamic
 * provider's in the same run (floor, dynamic provider, plugin), so plugin / dynamic provider
 * is compared under the same load; then the checkpoint of both faces as `pulumi stack
 * export` prints it, and the plugin's start time.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { MANY_PROGRAM, manySvmNames } from "../engine/scenario";
import { repoRoot } from "../paths";
import {
  CliCommandError,
  CliStack,
  findPulumiCli,
  type PulumiCli,
  type StackExport,
} from "../pulumi-cli/cli";
import { type ProcessCpu, processCpuAvailable, sampleProcessCpu } from "./process-cpu";
import { type RemoteSimulator, startRemoteSimulator } from "./remote-sim";

/** The floor: `count` dynamic resources whose provider does nothing. */
export const NOOP_PROGRAM = path.join(repoRoot, "tools", "bench", "fixtures", "noop");

/** The plugin face: `count` `ontap:index:IscsiService`s of the plugin, the shape of MANY_PROGRAM. */
export const PLUGIN_PROGRAM = path.join(repoRoot, "tools", "bench", "fixtures", "plugin");

/** The folder of `pulumi-resource-ontap`, which the plugin stack's Pulumi.yaml names. */
export const PLUGIN_BIN_DIR = path.join(repoRoot, "bin");

/** The commands measured, in the order a stack's life runs them. */
export const CLI_OPERATIONS = ["preview", "up", "refresh", "destroy"] as const;

export type CliOperation = (typeof CLI_OPERATIONS)[number];

/** Wall ms of each command. */
export type CliWalls = Record<CliOperation, number>;

/** The commands the plugin's stack runs beside the dynamic provider's. */
export const PLUGIN_OPERATIONS = ["up", "refresh"] as const;

export type PluginOperation = (typeof PLUGIN_OPERATIONS)[number];

/** Wall ms (or a ratio) of each of the plugin's commands. */
export type PluginWalls = Record<PluginOperation, number>;

/** Most a plugin resource may cost in `pulumi stack export`, bytes per resource (the target). */
export const PLUGIN_EXPORT_BYTES_TARGET = 1200;

/** Starts of the plugin timed for {@link PluginBench.startMs}. */
export const PLUGIN_STARTS = 7;

/** Most the provider's wall may be, as a multiple of the floor's (the targets; destroy has none). */
export const CLI_TARGETS: Readonly<Partial<Record<CliOperation, number>>> = {
  preview: 1.5,
  up: 1.25,
  refresh: 1.25,
};

/** The password of the simulator and of the stack's secret `ontap:password`. */
const PASSWORD = "netapp123";

/** The checkpoint of a provider stack after its `up`. */
export interface CheckpointSize {
  services: number;
  /** Bytes of `pulumi stack export`'s output. */
  exportBytes: number;
  /** Bytes of the stack's file in the file backend (what every checkpoint write rewrites). */
  fileBytes: number;
  /** fileBytes / services (the stack, the default provider and the manifest included). */
  bytesPerResource: number;
  /**
   * The first service's entry as the file holds it (compact JSON), and the bytes in it of
   * `__provider` (both copies, keys included) and of the `sourcePosition` and `stackTrace`
   * the CLI records for each resource; `exported`: the same entry's bytes in `pulumi stack
   * export`'s output (indented by four spaces, at its depth; the comma and newline after it
   * included), null if that output is not the indented JSON this assumes.
   */
  entry: { bytes: number; provider: number; stackTrace: number; exported: number | null };
}

/**
 * The plugin face beside the dynamic provider, in the same run. Bytes per resource are
 * `pulumi stack export`'s output (the whole deployment as the CLI prints it, indented: the
 * manifest, the secrets provider, the stack, the default provider and the N services)
 * divided by the number of services N.
 */
export interface PluginBench {
  /** Wall ms of the plugin stack's commands (the whole `pulumi` process). */
  wall: PluginWalls;
  /** plugin / dynamic provider (`CliBench.provider`), per command. */
  ratio: PluginWalls;
  /** CPU ms of each command, by kind of process (the plugin's is `host`); null where /proc cannot be read. */
  cpu: Record<PluginOperation, ProcessCpu> | null;
  /** plugin / dynamic provider of the CPU totals; null with `cpu`. */
  cpuRatio: PluginWalls | null;
  /** The plugin stack's checkpoint after its up (bytesPerResource: of the backend's file). */
  checkpoint: CheckpointSize;
  /** `pulumi stack export` bytes / services, the plugin's stack after its up (target ≤ 1,200). */
  exportBytesPerResource: number;
  /** The same for the dynamic provider's stack after its up. */
  dynamicExportBytesPerResource: number;
  /** Median ms from spawning the plugin (`node bin/pulumi-resource-ontap`) to its port line on stdout. */
  startMs: number;
  /** Every start timed, ms, in the order run. */
  startSamplesMs: number[];
}

/** What the section measured. */
export interface CliBench {
  services: number;
  latencyMs: number;
  /** "pulumi v3.276.0 (cache: /…/bin)". */
  pulumi: string;
  /** The CLI's default `--parallel` on this machine (4 × CPUs), which every command ran with. */
  parallel: number;
  floor: CliWalls;
  provider: CliWalls;
  /** provider / floor, per command. */
  ratio: CliWalls;
  /**
   * CPU ms of each command (all its processes, by kind: ./process-cpu), which a load on
   * the machine does not stretch as it stretches wall time; null where /proc cannot be read.
   */
  cpu: { floor: Record<CliOperation, ProcessCpu>; provider: Record<CliOperation, ProcessCpu> } | null;
  /** provider / floor of the CPU totals, per command; null with `cpu`. */
  cpuRatio: CliWalls | null;
  /** The backend file's bytes per resource after the up of `services` services. */
  checkpointBytesPerResource: number;
  /** The same for the floor's stack, for comparison. */
  floorCheckpointBytesPerResource: number;
  /** The provider stack's checkpoint after an up of each size, smallest first. */
  checkpoint: CheckpointSize[];
  /** What one more service adds to the backend file: the slope between the two sizes, bytes. */
  checkpointGrowthBytesPerResource: number;
  /** The plugin face beside the dynamic provider ({@link PluginBench}); null when left out. */
  plugin: PluginBench | null;
}

/** Options of {@link measureCli}. */
export interface CliBenchOptions {
  services: number;
  latencyMs: number;
  /** The second size of the checkpoint's growth; default services / 10. */
  checkpointServices?: number;
  /** Build the CLI when none is found (tools/pulumi-cli/install.sh); default true. */
  build?: boolean;
  /** Measure the plugin face too ({@link PluginBench}); default true. */
  plugin?: boolean;
  /** Starts of the plugin timed; default {@link PLUGIN_STARTS}. */
  pluginStarts?: number;
  progress?: (message: string) => void;
}

/** "pulumi v3.276.0 (cache: /…/bin)", for the line a run prints. */
export function describeCli(cli: PulumiCli): string {
  return `pulumi ${cli.version} (${cli.origin}: ${cli.binDir})`;
}

/** The CLI's default `--parallel` (4 × CPUs), as `pulumi up --help` states it. */
export function defaultParallel(cli: PulumiCli): number {
  const help = execFileSync(cli.pulumi, ["up", "--help"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  const value = /--parallel int32 .*\(default (\d+)\)/.exec(help)?.[1];
  if (value === undefined) throw new Error("`pulumi up --help` states no default --parallel");
  return Number(value);
}

/** The stack's checkpoint file in the file backend: `.pulumi/stacks/<project>/<stack>.json`. */
function checkpointFile(stack: CliStack): string {
  const files = stack
    .backendFiles()
    .filter(
      (f) => f.endsWith(`${path.sep}${stack.stack}.json`) && f.includes(`${path.sep}stacks${path.sep}`),
    );
  if (files.length !== 1) throw new Error(`expected one checkpoint file, found: ${files.join(", ")}`);
  return files[0];
}

/** Bytes of `"key":value` as the file holds it. */
function memberBytes(key: string, value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
}

interface FileResource {
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  sourcePosition?: unknown;
  stackTrace?: unknown;
}

/** The services' type in the state: the dynamic provider's, or the plugin's. */
const DYNAMIC_TYPE = /^pulumi-nodejs:dynamic\//;
const PLUGIN_TYPE = /^ontap:index:IscsiService$/;

async function checkpointSize(
  stack: CliStack,
  services: number,
  type = DYNAMIC_TYPE,
): Promise<CheckpointSize> {
  const exported = await stack.run(["stack", "export"]);
  const file = checkpointFile(stack);
  const fileBytes = fs.statSync(file).size;
  const text = fs.readFileSync(file, "utf8");
  const checkpoint = JSON.parse(text);
  // The sizes below re-serialize what the file holds: they are exact only if this holds.
  if (Buffer.byteLength(JSON.stringify(checkpoint)) !== fileBytes)
    throw new Error("the checkpoint file is not compact JSON: re-serialized, its size differs");
  const resources = (checkpoint.checkpoint?.latest?.resources ?? []) as FileResource[];
  const custom = resources.filter((r) => type.test(r.type));
  if (custom.length !== services)
    throw new Error(`the checkpoint holds ${custom.length} resources of type ${type}, not ${services}`);
  const first = custom[0];
  return {
    services,
    exportBytes: Buffer.byteLength(exported.stdout),
    fileBytes,
    bytesPerResource: Math.round(fileBytes / services),
    entry: {
      bytes: Buffer.byteLength(JSON.stringify(first)),
      provider:
        memberBytes("__provider", first.inputs?.__provider) +
        memberBytes("__provider", first.outputs?.__provider),
      stackTrace:
        memberBytes("sourcePosition", first.sourcePosition) + memberBytes("stackTrace", first.stackTrace),
      exported: exportedEntryBytes(exported.stdout, type),
    },
  };
}

/**
 * Bytes of the first resource of `type` in `pulumi stack export`'s output: the CLI prints
 * the deployment as JSON indented by four spaces, a resource at depth 3. Null when the
 * output is not exactly that (re-serialized, its size differs).
 */
function exportedEntryBytes(stdout: string, type: RegExp): number | null {
  const parsed = JSON.parse(stdout) as StackExport;
  if (Buffer.byteLength(`${JSON.stringify(parsed, null, 4)}\n`) !== Buffer.byteLength(stdout)) return null;
  const first = parsed.deployment.resources?.find((r) => type.test(r.type));
  if (!first) return null;
  const indent = " ".repeat(12);
  const lines = JSON.stringify(first, null, 4).split("\n");
  return Buffer.byteLength(`${lines.map((line) => indent + line).join("\n")},\n`);
}

/**
 * Points the copy's Pulumi.yaml at its index.js. The fixtures of tools/engine have no
 * package.json and no `main`: the Node host then runs the `main` of the nearest
 * package.json, which for a copy under the repository is the repository's own
 * (dist/sdk/index.js), and the program registers nothing.
 */
function runIndexJs(stack: CliStack): void {
  const file = path.join(stack.dir, "Pulumi.yaml");
  const yaml = fs.readFileSync(file, "utf8");
  if (!/^main:/m.test(yaml)) fs.writeFileSync(file, `${yaml.trimEnd()}\nmain: index.js\n`);
}

/**
 * Names the plugin in the copy's Pulumi.yaml (`plugins.providers`, the repository's bin/:
 * an absolute path, so written here rather than in the fixture).
 */
function usePluginBin(stack: CliStack): void {
  const file = path.join(stack.dir, "Pulumi.yaml");
  const yaml = fs.readFileSync(file, "utf8");
  const plugins = [
    "plugins:",
    "  providers:",
    "    - name: ontap",
    `      path: ${JSON.stringify(PLUGIN_BIN_DIR)}`,
  ];
  fs.writeFileSync(file, `${yaml.trimEnd()}\n${plugins.join("\n")}\n`);
}

/**
 * Ms from spawning the plugin as the engine starts it (`node bin/pulumi-resource-ontap`,
 * which requires dist/provider/plugin/main.js and runs it) to its port line on stdout;
 * the process is then stopped (SIGTERM) and awaited before the next start.
 */
export async function timePluginStart(): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, [path.join(PLUGIN_BIN_DIR, "pulumi-resource-ontap")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(
        () => reject(new Error(`the plugin printed no port in 30 s: ${stderr}`)),
        30_000,
      );
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        if (!stdout.includes("\n")) return;
        const ms = performance.now() - start;
        clearTimeout(timer);
        const port = stdout.split("\n")[0].trim();
        if (/^\d+$/.test(port)) resolve(Math.round(ms * 10) / 10);
        else reject(new Error(`the plugin's first line is not a port: ${JSON.stringify(port)}`));
      });
      child.once("close", (code) => {
        clearTimeout(timer);
        reject(new Error(`the plugin exited ${code} before its port line: ${stderr}`));
      });
    });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `pulumi stack export` bytes per service. */
function exportPerResource(size: CheckpointSize): number {
  return Math.round(size.exportBytes / size.services);
}

/** Runs one command; returns its wall ms (the whole process, start to exit) and, where it can, its CPU. */
async function timed(stack: CliStack, args: string[]): Promise<{ ms: number; cpu?: ProcessCpu }> {
  const start = performance.now();
  const { child, result } = stack.start(args, { timeoutMs: 3_600_000 });
  const sampler =
    child.pid !== undefined && processCpuAvailable()
      ? sampleProcessCpu(child.pid, stack.cli.pulumi)
      : undefined;
  const done = await result;
  const ms = Math.round(performance.now() - start);
  const cpu = sampler?.stop();
  if (done.code !== 0) throw new CliCommandError(done);
  return { ms, cpu };
}

const COMMANDS: Record<CliOperation, string[]> = {
  preview: ["preview"],
  up: ["up", "--yes"],
  refresh: ["refresh", "--yes"],
  destroy: ["destroy", "--yes"],
};

/** Checks that the provider stack's command did what it says to the cluster, so that a fast failure is not a result. */
async function verify(operation: CliOperation, sim: RemoteSimulator, services: number): Promise<void> {
  const log = await sim.requests();
  if (log.unexpected.length > 0) throw new Error(`unexpected requests: ${log.unexpected.join("; ")}`);
  const failed = log.requests.filter((r) => r.status < 200 || r.status >= 300);
  if (failed.length > 0)
    throw new Error(`${operation}: ${failed.length} requests failed, e.g. ${JSON.stringify(failed[0])}`);
  const writes = log.requests.filter((r) => r.method !== "GET");
  const live = (await sim.services()).length;
  const expected: Record<CliOperation, { writes: (n: number) => boolean; live: number }> = {
    preview: { writes: (n) => n === 0, live: 0 },
    up: { writes: (n) => n === services, live: services },
    refresh: { writes: (n) => n === 0, live: services },
    // An enabled service is disabled, then deleted: two writes each.
    destroy: { writes: (n) => n === 2 * services, live: 0 },
  };
  const want = expected[operation];
  if (!want.writes(writes.length) || live !== want.live)
    throw new Error(`${operation}: ${writes.length} writes, ${live} services on the cluster afterwards`);
}

function isPluginOperation(operation: CliOperation): operation is PluginOperation {
  return (PLUGIN_OPERATIONS as readonly string[]).includes(operation);
}

/** Sets `count` and points the stack's `ontap:*` config at `sim` (the password a secret). */
async function connect(stack: CliStack, sim: RemoteSimulator, services: number): Promise<void> {
  // One command for all (`config set-all`): `key=value` is one argument, so the PEM is no flag.
  const plain = {
    count: String(services),
    "ontap:host": sim.host,
    "ontap:username": "admin",
    "ontap:caCert": sim.caCert,
  };
  await stack.run([
    "config",
    "set-all",
    ...Object.entries(plain).flatMap(([key, value]) => ["--plaintext", `${key}=${value}`]),
    "--secret",
    `ontap:password=${PASSWORD}`,
  ]);
}

/** a / b per command, to two decimals. */
function ratios(a: CliWalls, b: CliWalls): CliWalls {
  return Object.fromEntries(CLI_OPERATIONS.map((op) => [op, Number((a[op] / b[op]).toFixed(2))])) as CliWalls;
}

/**
 * Both stacks through preview, up, refresh and destroy, commands alternating; then the
 * provider stack's checkpoint at a second size for its growth.
 */
export async function measureCli(options: CliBenchOptions): Promise<CliBench> {
  const progress = options.progress ?? (() => {});
  const { services, latencyMs } = options;
  const cli = findPulumiCli({ build: options.build ?? true });
  if (!cli) throw new Error("no Pulumi CLI found (tools/pulumi-cli/install.sh builds one)");
  progress(`cli: ${describeCli(cli)}`);
  const small = options.checkpointServices ?? Math.max(1, Math.round(services / 10));
  const withPlugin = options.plugin ?? true;
  const sim = await startRemoteSimulator({ svms: manySvmNames(Math.max(services, small)), latencyMs });
  // The plugin's services live on a cluster of their own: one service per SVM, and both faces are up at once.
  let pluginSim: RemoteSimulator | undefined;
  let floor: CliStack | undefined;
  let provider: CliStack | undefined;
  let plugin: CliStack | undefined;
  try {
    if (withPlugin) pluginSim = await startRemoteSimulator({ svms: manySvmNames(services), latencyMs });
    floor = await CliStack.create({ cli, programDir: NOOP_PROGRAM });
    provider = await CliStack.create({ cli, programDir: MANY_PROGRAM });
    runIndexJs(provider);
    await floor.setConfig("count", String(services));
    await connect(provider, sim, services);
    if (pluginSim) {
      plugin = await CliStack.create({ cli, programDir: PLUGIN_PROGRAM });
      usePluginBin(plugin);
      await connect(plugin, pluginSim, services);
    }

    const floorWalls = {} as CliWalls;
    const providerWalls = {} as CliWalls;
    const floorCpu = {} as Record<CliOperation, ProcessCpu>;
    const providerCpu = {} as Record<CliOperation, ProcessCpu>;
    let cpuComplete = true;
    const pluginWalls = {} as PluginWalls;
    const pluginCpu = {} as Record<PluginOperation, ProcessCpu>;
    let pluginCpuComplete = true;
    let checkpoint: CheckpointSize | undefined;
    let floorCheckpoint: CheckpointSize | undefined;
    let pluginCheckpoint: CheckpointSize | undefined;
    for (const operation of CLI_OPERATIONS) {
      const onPlugin = plugin && pluginSim && isPluginOperation(operation) ? operation : undefined;
      progress(
        `cli: pulumi ${COMMANDS[operation].join(" ")} of ${services} (floor, then provider${onPlugin ? ", then plugin" : ""})`,
      );
      const onFloor = await timed(floor, COMMANDS[operation]);
      await sim.clearRequests();
      const onProvider = await timed(provider, COMMANDS[operation]);
      await verify(operation, sim, services);
      floorWalls[operation] = onFloor.ms;
      providerWalls[operation] = onProvider.ms;
      if (onFloor.cpu && onProvider.cpu) {
        floorCpu[operation] = onFloor.cpu;
        providerCpu[operation] = onProvider.cpu;
      } else cpuComplete = false;
      if (onPlugin && plugin && pluginSim) {
        await pluginSim.clearRequests();
        const timedPlugin = await timed(plugin, COMMANDS[onPlugin]);
        await verify(onPlugin, pluginSim, services);
        pluginWalls[onPlugin] = timedPlugin.ms;
        if (timedPlugin.cpu) pluginCpu[onPlugin] = timedPlugin.cpu;
        else pluginCpuComplete = false;
      }
      if (operation === "up") {
        floorCheckpoint = await checkpointSize(floor, services);
        checkpoint = await checkpointSize(provider, services);
        if (plugin) pluginCheckpoint = await checkpointSize(plugin, services, PLUGIN_TYPE);
      }
    }
    if (!checkpoint || !floorCheckpoint) throw new Error("the up measured no checkpoint");

    let pluginBench: PluginBench | null = null;
    if (pluginCheckpoint) {
      if (pluginCheckpoint.entry.provider !== 0)
        throw new Error("a plugin resource's state holds __provider");
      const starts = options.pluginStarts ?? PLUGIN_STARTS;
      progress(`cli: the plugin's start, ${starts} times`);
      const startSamplesMs: number[] = [];
      for (let i = 0; i < starts; i++) startSamplesMs.push(await timePluginStart());
      const dynamicCpu = (op: PluginOperation) => providerCpu[op].total;
      const cpuOk = pluginCpuComplete && cpuComplete;
      pluginBench = {
        wall: pluginWalls,
        ratio: Object.fromEntries(
          PLUGIN_OPERATIONS.map((op) => [op, Number((pluginWalls[op] / providerWalls[op]).toFixed(2))]),
        ) as PluginWalls,
        cpu: cpuOk ? pluginCpu : null,
        cpuRatio: cpuOk
          ? (Object.fromEntries(
              PLUGIN_OPERATIONS.map((op) => [op, Number((pluginCpu[op].total / dynamicCpu(op)).toFixed(2))]),
            ) as PluginWalls)
          : null,
        checkpoint: pluginCheckpoint,
        exportBytesPerResource: exportPerResource(pluginCheckpoint),
        dynamicExportBytesPerResource: exportPerResource(checkpoint),
        startMs: median(startSamplesMs),
        startSamplesMs,
      };
    }

    progress(`cli: checkpoint of an up of ${small} services`);
    await provider.setConfig("count", String(small));
    await provider.run(["up", "--yes"], { timeoutMs: 3_600_000 });
    const smaller = await checkpointSize(provider, small);
    await provider.run(["destroy", "--yes"], { timeoutMs: 3_600_000 });
    const sizes = [smaller, checkpoint].sort((a, b) => a.services - b.services);
    const growth =
      sizes[1].services === sizes[0].services
        ? checkpoint.bytesPerResource
        : Math.round((sizes[1].fileBytes - sizes[0].fileBytes) / (sizes[1].services - sizes[0].services));

    const ratio = ratios(providerWalls, floorWalls);
    const cpuTotals = (cpu: Record<CliOperation, ProcessCpu>) =>
      Object.fromEntries(CLI_OPERATIONS.map((op) => [op, cpu[op].total])) as CliWalls;
    return {
      services,
      latencyMs,
      pulumi: describeCli(cli),
      parallel: defaultParallel(cli),
      floor: floorWalls,
      provider: providerWalls,
      ratio,
      cpu: cpuComplete ? { floor: floorCpu, provider: providerCpu } : null,
      cpuRatio: cpuComplete ? ratios(cpuTotals(providerCpu), cpuTotals(floorCpu)) : null,
      checkpointBytesPerResource: checkpoint.bytesPerResource,
      floorCheckpointBytesPerResource: floorCheckpoint.bytesPerResource,
      checkpoint: sizes,
      checkpointGrowthBytesPerResource: growth,
      plugin: pluginBench,
    };
  } finally {
    await floor?.dispose();
    await provider?.dispose();
    await plugin?.dispose();
    await sim.stop();
    await pluginSim?.stop();
  }
}
