/**
 * The benchmark's measurements through the real dynamic-provider host (tools/engine): a
 * preview and an up of `services` new services, and refreshes of them at several
 * `--parallel` values against one GET per service. The simulator runs in a child process.
 */
import { Engine, type OperationResult, type ResourceState } from "../engine/engine";
import { MANY_PROGRAM, manySvmNames, PACKAGE_NAME } from "../engine/scenario";
import { repoRoot } from "../paths";
import { type RemoteSimulator, startRemoteSimulator } from "./remote-sim";

/** The `--parallel` values a refresh is measured at (Infinity: unbounded). */
export const REFRESH_PARALLELS = [1, 8, 16, 64, Number.POSITIVE_INFINITY];

/** The `--parallel` of the measured up. */
export const UP_PARALLEL = 8;

/** Environment of the host that makes the provider send one GET per Read (provider/session.ts). */
const SINGLE_READS = { PULUMI_ONTAP_ISCSI_SINGLE_READS: "1" };

export interface PreviewResult {
  services: number;
  requests: number;
  wallMs: number;
  noPreflightWallMs: number;
}

export interface UpResult {
  services: number;
  gets: number;
  posts: number;
  wallMs: number;
  noPreflightWallMs: number;
}

export interface RefreshParallelResult {
  /** null: unbounded. */
  parallel: number | null;
  requests: number;
  wallMs: number;
  naiveRequests: number;
  naiveWallMs: number;
}

export interface EngineRuns {
  preview: PreviewResult;
  up: UpResult;
  refreshParallel: RefreshParallelResult[];
  stateBytesPerResource: number;
}

function engineFor(sim: RemoteSimulator, services: number, preflight: boolean): Engine {
  const engine = new Engine({
    programDir: MANY_PROGRAM,
    packageLinks: { [PACKAGE_NAME]: repoRoot },
    config: {
      "ontap:host": sim.host,
      "ontap:username": "admin",
      "ontap:password": "netapp123",
      "ontap:caCert": sim.caCert,
      "ontap:preflight": String(preflight),
    },
    secretKeys: ["ontap:password"],
    reuseProgramRuns: true,
  });
  engine.setConfig({ [`${engine.project}:count`]: String(services) });
  return engine;
}

/**
 * The wall time of an operation's resource calls: from the first Check/Diff/Create/Read/…
 * sent to the last answered. Starting the host and running the program are left out: the
 * engine pays them whatever the provider does.
 */
export function stepsWallMs(op: OperationResult): number {
  const calls = op.calls.filter((c) => c.method !== "configure");
  if (calls.length === 0) return 0;
  const start = Math.min(...calls.map((c) => c.startedAt));
  const end = Math.max(...calls.map((c) => c.endedAt ?? c.startedAt));
  return end - start;
}

/**
 * A model of one resource's entry in the checkpoint (apitype.ResourceV3, `omitempty`
 * fields left out), indented with four spaces: both copies of `__provider` included. The
 * real CLI (3.276) writes its file backend as compact JSON and adds each resource's
 * `sourcePosition` and `stackTrace`; ./cli measures the entry it writes.
 */
export function checkpointEntry(engine: Engine, state: ResourceState): string {
  const stack = `urn:pulumi:${engine.stack}::${engine.project}::pulumi:pulumi:Stack::${engine.project}-${engine.stack}`;
  const entry = {
    urn: state.urn,
    custom: true,
    id: state.id,
    type: state.type,
    inputs: state.inputs,
    outputs: state.outputs,
    parent: stack,
    provider: `urn:pulumi:${engine.stack}::${engine.project}::pulumi:providers:pulumi-nodejs::default::00000000-0000-0000-0000-000000000000`,
    propertyDependencies: Object.fromEntries(Object.keys(state.inputs).map((k) => [k, []])),
    created: "2026-01-01T00:00:00.000000000Z",
    modified: "2026-01-01T00:00:00.000000000Z",
  };
  return JSON.stringify(entry, null, 4);
}

async function counted(sim: RemoteSimulator, run: () => Promise<OperationResult>) {
  await sim.clearRequests();
  const op = await run();
  const log = await sim.requests();
  if (log.unexpected.length > 0) throw new Error(`unexpected requests: ${log.unexpected.join("; ")}`);
  return { op, requests: log.requests };
}

/** Preview, up and refreshes of `services` services at `latencyMs`, through the real host. */
export async function measureEngineRuns(
  services: number,
  latencyMs: number,
  progress: (message: string) => void = () => {},
): Promise<EngineRuns> {
  const svms = manySvmNames(services);
  const [main, spare] = await Promise.all([
    startRemoteSimulator({ svms, latencyMs }),
    startRemoteSimulator({ svms, latencyMs }),
  ]);
  try {
    const engine = engineFor(main, services, true);
    const bare = engineFor(spare, services, false);
    try {
      progress(`engine: preview of ${services} new services (preflight on, then off)`);
      const preview = await counted(main, () => engine.preview());
      const previewBare = await bare.preview();
      progress(`engine: up of ${services} services at --parallel ${UP_PARALLEL} (preflight on, then off)`);
      const up = await counted(main, () => engine.up({ parallel: UP_PARALLEL }));
      const upBare = await bare.up({ parallel: UP_PARALLEL });
      if (engine.state.size !== services || bare.state.size !== services)
        throw new Error(`the up left ${engine.state.size} and ${bare.state.size} of ${services} services`);
      await spare.stop();

      const refreshParallel: RefreshParallelResult[] = [];
      for (const parallel of REFRESH_PARALLELS) {
        progress(
          `engine: refresh of ${services} at --parallel ${parallel} (batched, then one GET per service)`,
        );
        const batched = await counted(main, () => engine.refresh({ parallel }));
        const naive = await counted(main, () => engine.refresh({ parallel, hostEnv: SINGLE_READS }));
        for (const { op } of [batched, naive]) {
          if (op.steps.some((s) => s.dropped || (s.drift ?? []).length > 0))
            throw new Error(`the refresh at --parallel ${parallel} reported drift that is not there`);
        }
        refreshParallel.push({
          parallel: Number.isFinite(parallel) ? parallel : null,
          requests: batched.requests.length,
          wallMs: Math.round(stepsWallMs(batched.op)),
          naiveRequests: naive.requests.length,
          naiveWallMs: Math.round(stepsWallMs(naive.op)),
        });
      }
      const first = [...engine.state.values()][0];
      return {
        preview: {
          services,
          requests: preview.requests.length,
          wallMs: Math.round(stepsWallMs(preview.op)),
          noPreflightWallMs: Math.round(stepsWallMs(previewBare)),
        },
        up: {
          services,
          gets: up.requests.filter((r) => r.method === "GET").length,
          posts: up.requests.filter((r) => r.method === "POST").length,
          wallMs: Math.round(stepsWallMs(up.op)),
          noPreflightWallMs: Math.round(stepsWallMs(upBare)),
        },
        refreshParallel,
        stateBytesPerResource: Buffer.byteLength(checkpointEntry(engine, first)),
      };
    } finally {
      await engine.stop();
      await bare.stop();
    }
  } finally {
    await Promise.all([main.stop(), spare.stop()]);
  }
}
