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
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { MANY_PROGRAM, manySvmNames } from "../engine/scenario";
import { repoRoot } from "../paths";
import { CliCommandError, CliStack, findPulumiCli, type PulumiCli } from "../pulumi-cli/cli";
import { type ProcessCpu, processCpuAvailable, sampleProcessCpu } from "./process-cpu";
import { type RemoteSimulator, startRemoteSimulator } from "./remote-sim";

/** The floor: `count` dynamic resources whose provider does nothing. */
export const NOOP_PROGRAM = path.join(repoRoot, "tools", "bench", "fixtures", "noop");

/** The commands measured, in the order a stack's life runs them. */
export const CLI_OPERATIONS = ["preview", "up", "refresh", "destroy"] as const;

export type CliOperation = (typeof CLI_OPERATIONS)[number];

/** Wall ms of each command. */
export type CliWalls = Record<CliOperation, number>;

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
   * the CLI records for each resource.
   */
  entry: { bytes: number; provider: number; stackTrace: number };
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
}

/** Options of {@link measureCli}. */
export interface CliBenchOptions {
  services: number;
  latencyMs: number;
  /** The second size of the checkpoint's growth; default services / 10. */
  checkpointServices?: number;
  /** Build the CLI when none is found (tools/pulumi-cli/install.sh); default true. */
  build?: boolean;
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

async function checkpointSize(stack: CliStack, services: number): Promise<CheckpointSize> {
  const exported = await stack.run(["stack", "export"]);
  const file = checkpointFile(stack);
  const fileBytes = fs.statSync(file).size;
  const text = fs.readFileSync(file, "utf8");
  const checkpoint = JSON.parse(text);
  // The sizes below re-serialize what the file holds: they are exact only if this holds.
  if (Buffer.byteLength(JSON.stringify(checkpoint)) !== fileBytes)
    throw new Error("the checkpoint file is not compact JSON: re-serialized, its size differs");
  const resources = (checkpoint.checkpoint?.latest?.resources ?? []) as FileResource[];
  const custom = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
  if (custom.length !== services)
    throw new Error(`the checkpoint holds ${custom.length} dynamic resources, not ${services}`);
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
    },
  };
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
  const sim = await startRemoteSimulator({ svms: manySvmNames(Math.max(services, small)), latencyMs });
  let floor: CliStack | undefined;
  let provider: CliStack | undefined;
  try {
    floor = await CliStack.create({ cli, programDir: NOOP_PROGRAM });
    provider = await CliStack.create({ cli, programDir: MANY_PROGRAM });
    runIndexJs(provider);
    await floor.setConfig("count", String(services));
    // One command for all (`config set-all`): `key=value` is one argument, so the PEM is no flag.
    const plain = {
      count: String(services),
      "ontap:host": sim.host,
      "ontap:username": "admin",
      "ontap:caCert": sim.caCert,
    };
    await provider.run([
      "config",
      "set-all",
      ...Object.entries(plain).flatMap(([key, value]) => ["--plaintext", `${key}=${value}`]),
      "--secret",
      `ontap:password=${PASSWORD}`,
    ]);

    const floorWalls = {} as CliWalls;
    const providerWalls = {} as CliWalls;
    const floorCpu = {} as Record<CliOperation, ProcessCpu>;
    const providerCpu = {} as Record<CliOperation, ProcessCpu>;
    let cpuComplete = true;
    let checkpoint: CheckpointSize | undefined;
    let floorCheckpoint: CheckpointSize | undefined;
    for (const operation of CLI_OPERATIONS) {
      progress(`cli: pulumi ${COMMANDS[operation].join(" ")} of ${services} (floor, then provider)`);
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
      if (operation === "up") {
        floorCheckpoint = await checkpointSize(floor, services);
        checkpoint = await checkpointSize(provider, services);
      }
    }
    if (!checkpoint || !floorCheckpoint) throw new Error("the up measured no checkpoint");

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
    };
  } finally {
    await floor?.dispose();
    await provider?.dispose();
    await sim.stop();
  }
}
