/**
 * What the engine scenarios (test/engine), the demo and the benchmark share: the programs,
 * a simulator over verified HTTPS, an Engine whose stack config points at it with a secret
 * password, and readable renderings of what reached the cluster.
 */
import * as path from "node:path";
import { IscsiServiceProvider } from "../../provider";
import { repoRoot } from "../paths";
import { startSimulator } from "../simulator";
import type { RequestLogEntry, Simulator, SimulatorOptions } from "../simulator/types";
import { DeploymentError, Engine, type EngineOptions } from "./engine";
import type { Face } from "./faces";
import type { HostCall } from "./host";

/**
 * The README's first example: one IscsiService, config `svmName`, `enabled`, `targetAlias`, `adopt`.
 * @internal test-only
 */
export const BASIC_PROGRAM = path.join(repoRoot, "examples", "basic");

/** One IscsiService on each of `count` SVMs ({@link manySvmNames}); sources stay in tools/, code runs from dist/. */
export const MANY_PROGRAM = path.join(repoRoot, "tools", "engine", "fixtures", "many");

/**
 * The IscsiService resources of the JSON program config `resources` ([{name, args, opts?}]): refactors as data.
 * @internal test-only
 */
export const STACK_PROGRAM = path.join(repoRoot, "tools", "engine", "fixtures", "stack");

/** One IscsiService of STACK_PROGRAM: its name, its args and resource options. */
export type StackResource = { name: string; args: Record<string, unknown>; opts?: Record<string, unknown> };

/**
 * Program config for STACK_PROGRAM.
 * @internal test-only
 */
export function stackConfig(resources: StackResource[]): Record<string, string> {
  return { resources: JSON.stringify(resources) };
}

/**
 * An Engine on STACK_PROGRAM with these resources (the program runs anew for every operation).
 * @internal test-only
 */
export function stackEngine(
  sim: Simulator,
  password: string,
  resources: StackResource[],
  config: Record<string, string> = {},
  face: Face = "dynamic",
): Engine {
  return scenarioEngine(sim, {
    programDir: STACK_PROGRAM,
    password,
    config: { ...stackConfig(resources), ...config },
    reuseProgramRuns: false,
    face,
  });
}

/**
 * Changes the program of a STACK_PROGRAM engine, as an edit of the program would.
 * @internal test-only
 */
export function setStackResources(engine: Engine, resources: StackResource[]): void {
  engine.setConfig({ [`${engine.project}:resources`]: JSON.stringify(resources) });
}

/** The package name a program's `require` (and the serialized `__provider`) resolves. */
export const PACKAGE_NAME = "pulumi-ontap-iscsi";

/**
 * The type token of IscsiService (module "ontap", type "IscsiService"), as the TypeScript
 * SDK's dynamic resource registers it; `Engine.urn` maps it to the plugin's token
 * ({@link PLUGIN_SERVICE_TYPE}) on the plugin face.
 * @internal test-only
 */
export const SERVICE_TYPE = "pulumi-nodejs:dynamic/ontap:IscsiService";

/**
 * The plugin's type token of IscsiService (provider/plugin/schema.ts).
 * @internal test-only
 */
export const PLUGIN_SERVICE_TYPE = "ontap:index:IscsiService";

/** The collection of iSCSI services in ONTAP's REST API. */
export { SERVICES_PATH } from "../simulator/routes/service-record";

/** The SVM names the `many` fixture uses: svm-000, svm-001, ... */
export function manySvmNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `svm-${String(i).padStart(3, "0")}`);
}

/**
 * Stack config that points the provider's default connection at a simulator, CA verified.
 * @internal test-only
 */
export function connectionConfig(sim: Simulator, password: string): Record<string, string> {
  if (!sim.caCert) throw new Error("the scenarios run over HTTPS: start the simulator without `http`");
  return {
    "ontap:host": sim.host,
    "ontap:username": "admin",
    "ontap:password": password,
    "ontap:caCert": sim.caCert,
  };
}

/**
 * What a scenario suite's name ends with on a face: nothing on the dynamic face (the names
 * the suites always had), " (plugin)" on the plugin face.
 * @internal test-only
 */
export function faceSuffix(face: Face): string {
  return face === "plugin" ? " (plugin)" : "";
}

/** Options of {@link scenarioEngine}. */
export interface ScenarioOptions {
  /** Default: examples/basic. */
  programDir?: string;
  /** Program config, un-namespaced (`svmName`); namespaced keys (`ontap:preflight`) go as they are. */
  config?: Record<string, string>;
  /** The stack's secret `ontap:password`; it must be the simulator's. */
  password: string;
  /** Default true: each distinct config runs the program once. */
  reuseProgramRuns?: boolean;
  /** Which face of the provider the engine drives (default "dynamic"; see tools/engine/faces.ts). */
  face?: Face;
  engine?: Partial<EngineOptions>;
}

/** An Engine on a program whose package link is made, with the connection to `sim` in stack config. */
export function scenarioEngine(sim: Simulator, options: ScenarioOptions): Engine {
  const programDir = options.programDir ?? BASIC_PROGRAM;
  const engine = new Engine({
    programDir,
    packageLinks: { [PACKAGE_NAME]: repoRoot },
    config: connectionConfig(sim, options.password),
    secretKeys: ["ontap:password"],
    reuseProgramRuns: options.reuseProgramRuns ?? true,
    face: options.face ?? "dynamic",
    ...options.engine,
  });
  engine.setConfig(programConfig(engine, options.config ?? {}));
  return engine;
}

/** Namespaces un-namespaced keys with the engine's project, as `pulumi config set key` does. */
export function programConfig(
  engine: Engine,
  values: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `${engine.project}:${k}`, v]),
  );
}

/** Starts a simulator over HTTPS with its test CA and the given password. */
export function startHttpsSimulator(options: SimulatorOptions & { password: string }): Promise<Simulator> {
  return startSimulator({ ...options, http: false });
}

/**
 * The resource calls, in order: the provider's own (Configure, which opens every
 * operation's host, and a plugin's CheckConfig before it) left out.
 * @internal test-only
 */
export function resourceCalls(calls: HostCall[]): HostCall[] {
  return calls.filter((c) => c.method !== "configure" && c.method !== "checkConfig");
}

/**
 * The resource methods called, in order (Configure and CheckConfig left out).
 * @internal test-only
 */
export function methods(calls: HostCall[]): string[] {
  return resourceCalls(calls).map((c) => c.method);
}

/**
 * A request as a line: method, path with each SVM UUID shown as `{svm name}` (unless
 * `literal`), the query without `fields`, the body and the status answered.
 * E.g. `PATCH /api/protocols/san/iscsi/services/{svm1} {"enabled":false} → 200`.
 */
export function requestLine(sim: Simulator, r: RequestLogEntry, options: { literal?: boolean } = {}): string {
  const showUuids = (text: string) =>
    options.literal
      ? text
      : text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (uuid) => {
          const svm = sim.svm(uuid);
          return svm ? `{${svm.name}}` : uuid;
        });
  const query = Object.entries(r.query)
    .filter(([k]) => k !== "fields")
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const body = r.body === undefined ? "" : ` ${JSON.stringify(r.body)}`;
  return showUuids(`${r.method} ${r.path}${query ? `?${query}` : ""}${body} → ${r.status}`);
}

/**
 * The writes (anything but GET) the simulator received, as {@link requestLine} renders them.
 * @internal test-only
 */
export function writes(sim: Simulator): string[] {
  return sim.requests.filter((r) => r.method !== "GET").map((r) => requestLine(sim, r));
}

/**
 * The next poll of an ONTAP job answers ONTAP's "entry doesn't exist" (404, error 4): the
 * job was purged before the provider asked, so the write's outcome is unknown to it.
 * @internal test-only
 */
export function purgeNextPolledJob(sim: Simulator): void {
  sim.injectFault({ kind: "http-error", status: 404, code: "4", method: "GET", path: "/api/cluster/jobs" });
}

/**
 * The {@link DeploymentError} an operation fails with (the test fails if it succeeds).
 * @internal test-only
 */
export async function failureOf(operation: Promise<unknown>): Promise<DeploymentError> {
  try {
    await operation;
  } catch (e) {
    if (e instanceof DeploymentError) return e;
    throw e;
  }
  throw new Error("expected the operation to fail");
}

/**
 * The provider called in this process with the same stack config, no host in between: what
 * its own answers look like, to compare with what came through gRPC.
 * @internal test-only
 */
export async function directProvider(config: Record<string, string>): Promise<IscsiServiceProvider> {
  const provider = new IscsiServiceProvider({ env: {}, logger: { debug: () => {}, warn: () => {} } });
  await provider.configure({ config: { get: (key: string) => config[key] } });
  return provider;
}
