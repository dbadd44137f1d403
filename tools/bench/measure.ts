/**
 * The benchmark's measurements. Each starts what it needs; the simulator always runs in a
 * child process (./remote-sim), so this process holds only the provider and its client.
 */
import { IscsiServiceProvider } from "../../provider";
import { findServiceByUuid } from "../../provider/api/protocols-san-iscsi-services";
import { ConnectionSettings } from "../../provider/config";
import { SNAPSHOT_MAX_AGE_MS } from "../../provider/iscsi/batch";
import type { IscsiServiceInputs, IscsiServiceOutputs } from "../../provider/iscsi/model";
import { ClusterPool } from "../../provider/pool";
import { SERVICES_PATH as SERVICES } from "../simulator/routes/service-record";
import { type Attribution, profile } from "./cpu-profile";
import { recordedState } from "./recorded-state";
import { type RemoteSimulator, type SeenRequest, startRemoteSimulator } from "./remote-sim";

/** Requests each operation may cost (issue 6). */
export const ECONOMY_TARGETS = {
  create: 1,
  read: 1,
  updateAlias: 1,
  updateEnabled: 1,
  updateBoth: 2,
  // The disable and the DELETE, after one GET of the SVM's sessions: the delete names the
  // hosts it cuts off (and, with protectActiveSessions, refuses) before it writes.
  deleteEnabled: 3,
  deleteDisabled: 1,
} as const;

export type EconomyOperation = keyof typeof ECONOMY_TARGETS;

/** One counted operation: how many requests the simulator saw, and which. */
export interface Counted {
  requests: number;
  wire: string[];
}

export interface Economy {
  operations: Record<EconomyOperation, Counted>;
  /** For reference, not a target: `check` of a new service (the preflight lookup) and `diff`. */
  check: Counted;
  diff: Counted;
}

export interface RefreshResult {
  services: number;
  latencyMs: number;
  /** Requests of N concurrent `provider.read` calls. */
  requests: number;
  wallMs: number;
  /** Requests and wall time of one {@link findServiceByUuid} per service through a client with the same settings. */
  naiveRequests: number;
  naiveWallMs: number;
  /** The batched requests, e.g. "GET services (all, fields=…)". */
  wire: string[];
}

export interface CpuResult {
  /**
   * Median over cycles of the provider's own CPU per operation, ms: profiler samples inside
   * the operations, attributed as ./cpu-profile explains, divided by the cycle's operations.
   */
  ownMs: number;
  /** The same for the HTTP transport under the provider, and for neither (GC, event loop). */
  transportMs: number;
  otherMs: number;
  /** Mean own CPU by operation kind, ms. */
  ownByOperation: Record<string, number>;
  /** Median of this process's whole CPU time (`process.cpuUsage`, user + system) per operation, ms. */
  processMs: number;
  /** Operations measured in each of the two passes. */
  operations: number;
}

const QUIET = { debug: () => {}, warn: () => {} };

/** Stack config pointing a provider at a simulator, as the Pulumi host would pass it. */
function stackConfig(sim: RemoteSimulator): Record<string, string> {
  return {
    "ontap:host": sim.host,
    "ontap:username": "admin",
    "ontap:password": "netapp123",
    "ontap:caCert": sim.caCert,
  };
}

async function providerFor(sim: RemoteSimulator): Promise<IscsiServiceProvider> {
  const provider = new IscsiServiceProvider({ env: {}, logger: QUIET });
  const config = stackConfig(sim);
  await provider.configure({ config: { get: (key: string) => config[key] } });
  return provider;
}

/** "PATCH services/{uuid} {"enabled":false}": one request, readable. */
function describe(request: SeenRequest): string {
  const where = request.path.startsWith(SERVICES)
    ? `services${request.path.slice(SERVICES.length).replace(/\/[0-9a-f-]{36}/i, "/{uuid}")}`
    : request.path.replace(/^\/api\//, "");
  const params = Object.entries(request.query)
    .filter(([key]) => key !== "fields")
    .map(([key, value]) =>
      key === "svm.uuid" ? `svm.uuid=<${value.split("|").length} UUIDs>` : `${key}=${value}`,
    );
  const whole =
    request.method === "GET" && where === "services" && params.length === 0 ? " (whole collection)" : "";
  const query = params.length > 0 ? `?${params.join("&")}` : "";
  const body = request.body === undefined ? "" : ` ${JSON.stringify(request.body)}`;
  const failed = request.status >= 400 || request.status === 0 ? ` → HTTP ${request.status}` : "";
  return `${request.method} ${where}${query}${whole}${body}${failed}`;
}

async function counted<T>(
  sim: RemoteSimulator,
  operation: () => Promise<T>,
): Promise<{ value: T } & Counted> {
  await sim.clearRequests();
  const value = await operation();
  const log = await sim.requests();
  const wire = log.requests.map(describe);
  if (log.unexpected.length > 0) throw new Error(`unexpected requests: ${log.unexpected.join("; ")}`);
  // The normal path: every request answered with success.
  if (log.requests.some((r) => r.status < 200 || r.status >= 300))
    throw new Error(`a request failed: ${wire.join(", ")}`);
  return { value, requests: log.requests.length, wire };
}

function outputs<T>(result: { outs?: T; props?: T }): T {
  const outs = result.outs ?? result.props;
  if (outs === undefined) throw new Error("the provider returned no outputs");
  return outs;
}

/**
 * Request economy: one service through create, read, the three kinds of update and both
 * kinds of delete, each operation counted by the simulator, which must end in the state
 * the operation asked for.
 */
export async function measureEconomy(): Promise<Economy> {
  const sim = await startRemoteSimulator({ svms: ["econ-a", "econ-b"] });
  try {
    const provider = await providerFor(sim);
    const inputs: IscsiServiceInputs = {
      svmName: "econ-a",
      enabled: true,
      targetAlias: "bench-1",
      adopt: false,
    };
    const check = await counted(sim, () => provider.check({}, { ...inputs }));
    if (check.value.failures?.length)
      throw new Error(`check failed: ${JSON.stringify(check.value.failures)}`);
    const create = await counted(sim, () => provider.create(inputs));
    let olds = outputs(create.value);
    const id = olds.svmUuid;
    const diff = await counted(sim, () => provider.diff(id, olds, { ...inputs, targetAlias: "bench-2" }));
    const read = await counted(sim, () => provider.read(id, olds));
    if (read.value.id !== id) throw new Error("read did not find the service just created");
    const update = async (news: IscsiServiceInputs) => {
      const result = await counted(sim, () => provider.update(id, olds, news));
      olds = outputs(result.value);
      return result;
    };
    const updateAlias = await update({ ...inputs, targetAlias: "bench-2" });
    const updateEnabled = await update({ ...inputs, targetAlias: "bench-2", enabled: false });
    const updateBoth = await update({ ...inputs, targetAlias: "bench-3", enabled: true });
    const live = (await sim.services()).find((s) => s.svmUuid === id);
    if (live?.alias !== "bench-3" || !live.enabled)
      throw new Error(`updates did not apply: ${JSON.stringify(live)}`);
    const deleteEnabled = await counted(sim, () => provider.delete(id, olds));

    const disabled = outputs(await provider.create({ ...inputs, svmName: "econ-b", enabled: false }));
    const deleteDisabled = await counted(sim, () => provider.delete(disabled.svmUuid, disabled));
    const left = await sim.services();
    if (left.length > 0) throw new Error(`deletes left services behind: ${JSON.stringify(left)}`);

    const pick = ({ requests, wire }: Counted): Counted => ({ requests, wire });
    return {
      operations: {
        create: pick(create),
        read: pick(read),
        updateAlias: pick(updateAlias),
        updateEnabled: pick(updateEnabled),
        updateBoth: pick(updateBoth),
        deleteEnabled: pick(deleteEnabled),
        deleteDisabled: pick(deleteDisabled),
      },
      check: pick(check),
      diff: pick(diff),
    };
  } finally {
    await sim.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Timed = <T>(name: string, operation: () => Promise<T>) => Promise<T>;

/** One cycle on one SVM: create, read, update alias, enabled, both, delete (each through `timed`). */
async function cycle(
  provider: IscsiServiceProvider,
  svmName: string,
  n: number,
  timed: Timed,
): Promise<void> {
  const inputs: IscsiServiceInputs = { svmName, enabled: true, targetAlias: `c${n}`, adopt: false };
  let olds: IscsiServiceOutputs = outputs(await timed("create", () => provider.create(inputs)));
  const id = olds.svmUuid;
  await timed("read", () => provider.read(id, olds));
  const update = async (name: string, news: IscsiServiceInputs) => {
    olds = outputs(await timed(name, () => provider.update(id, olds, news)));
  };
  await update("updateAlias", { ...inputs, targetAlias: `d${n}` });
  await update("updateEnabled", { ...inputs, targetAlias: `d${n}`, enabled: false });
  await update("updateBoth", { ...inputs, targetAlias: `e${n}`, enabled: true });
  await timed("delete", () => provider.delete(id, olds));
}

/**
 * CPU per operation at zero latency, operations run one at a time (cycles of create,
 * read, three updates, delete), the simulator in a child process. Two passes: one takes
 * each operation's `process.cpuUsage` (this whole process: provider, node-fetch, Node's
 * HTTP/TLS and the kernel's socket work on its behalf); one runs under V8's sampling
 * profiler and keeps what the provider's own code spent (./cpu-profile).
 */
export async function measureCpu(cycles: number, warmup = 10): Promise<CpuResult> {
  const sim = await startRemoteSimulator({ svms: ["cpu-a"] });
  try {
    const provider = await providerFor(sim);
    const untimed: Timed = (_name, operation) => operation();
    for (let n = 0; n < warmup; n++) await cycle(provider, "cpu-a", n, untimed);

    const processMs: number[] = [];
    for (let n = 0; n < cycles; n++) {
      await cycle(provider, "cpu-a", n, async (_name, operation) => {
        const before = process.cpuUsage();
        const value = await operation();
        const used = process.cpuUsage(before);
        processMs.push((used.user + used.system) / 1000);
        return value;
      });
    }

    const windows: Array<{ cycle: number; name: string; start: bigint; end: bigint }> = [];
    const profiled = await profile(async (mark) => {
      for (let n = 0; n < cycles; n++) {
        await cycle(provider, "cpu-a", n, async (name, operation) => {
          const start = mark();
          const value = await operation();
          windows.push({ cycle: n, name, start, end: mark() });
          return value;
        });
      }
    });
    const perCycle = new Map<number, { parts: Attribution; operations: number }>();
    const byName: Record<string, number[]> = {};
    for (const window of windows) {
      const parts = profiled.attribute(window.start, window.end);
      byName[window.name] = [...(byName[window.name] ?? []), parts.own];
      const sum = perCycle.get(window.cycle) ?? { parts: { own: 0, transport: 0, other: 0 }, operations: 0 };
      sum.parts.own += parts.own;
      sum.parts.transport += parts.transport;
      sum.parts.other += parts.other;
      sum.operations++;
      perCycle.set(window.cycle, sum);
    }
    const perOperation = (key: keyof Attribution) =>
      median([...perCycle.values()].map(({ parts, operations }) => parts[key] / operations));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return {
      ownMs: perOperation("own"),
      transportMs: perOperation("transport"),
      otherMs: perOperation("other"),
      ownByOperation: Object.fromEntries(
        Object.entries(byName).map(([name, values]) => [name, mean(values)]),
      ),
      processMs: median(processMs),
      operations: processMs.length,
    };
  } finally {
    await sim.stop();
  }
}

/**
 * Refresh of `services` services on one cluster at `latencyMs`: every `provider.read`
 * issued at once, as `pulumi refresh` does, against one GET per service ({@link findServiceByUuid})
 * issued at once through a client built from the same settings (same per-cluster cap).
 * Both clients are warmed up (TLS connections open) first; each is measured once.
 */
export async function measureRefresh(services: number, latencyMs: number): Promise<RefreshResult> {
  const seeds = Array.from({ length: services }, (_, i) => ({
    name: `svm${i}`,
    service: { enabled: true, alias: `alias-${i}` },
  }));
  const sim = await startRemoteSimulator({ svms: seeds, latencyMs });
  try {
    const provider = await providerFor(sim);
    const config = stackConfig(sim);
    const settings = new ConnectionSettings({ get: (key: string) => config[key] }, {});
    const naive = new ClusterPool(QUIET).runFor(settings.resolve());
    const olds = (await sim.services()).map((s) => recordedState(s, sim.host));
    const warm = olds.slice(0, 8);
    await Promise.all(warm.map((o) => provider.read(o.svmUuid, o)));
    await Promise.all(warm.map((o) => findServiceByUuid(naive.client, o.svmUuid)));
    // The warm-up's reads leave a snapshot: let it expire, so the refresh below reads the cluster.
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_MAX_AGE_MS + 50));

    await sim.clearRequests();
    let start = performance.now();
    const results = await Promise.all(olds.map((o) => provider.read(o.svmUuid, o)));
    const wallMs = performance.now() - start;
    const batched = await sim.requests();
    results.forEach((result, i) => {
      if (result.id !== olds[i].svmUuid || result.props?.targetAlias !== olds[i].targetAlias)
        throw new Error(`batched read ${i} returned ${JSON.stringify(result)}`);
    });

    await sim.clearRequests();
    start = performance.now();
    const records = await Promise.all(olds.map((o) => findServiceByUuid(naive.client, o.svmUuid)));
    const naiveWallMs = performance.now() - start;
    const single = await sim.requests();
    naive.client.close();
    records.forEach((record, i) => {
      if (record?.svm.uuid !== olds[i].svmUuid)
        throw new Error(`naive read ${i} returned ${JSON.stringify(record)}`);
    });

    return {
      services,
      latencyMs,
      requests: batched.requests.length,
      wallMs,
      naiveRequests: single.requests.length,
      naiveWallMs,
      wire: batched.requests.map(describe),
    };
  } finally {
    await sim.stop();
  }
}
