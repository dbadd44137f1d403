/**
 * The engine harness's host: {@link HostProcess} starts `@pulumi/pulumi`'s dynamic provider
 * host (`cmd/dynamic-provider`) as the engine starts it, or another provider process (the
 * package's plugin, `bin/pulumi-resource-ontap`, given as `command`), and drives it over
 * gRPC with Pulumi's own stubs, loaded from the program's installation (./pulumi-sdk.ts):
 * Configure (CheckConfig for a plugin), Check, Diff, Create, Read, Update and Delete, each
 * recorded as a {@link HostCall}. For a plugin it also serves the engine's Log service
 * (./engine-log.ts), where the plugin sends its warnings, attached to their resources.
 *
 * Why: the host, not this repository, deserializes the provider from `__provider`, turns
 * secrets and unknowns into wire values and back, and reports errors as gRPC statuses; a
 * test of what a user's `pulumi up` does has to go through it. Unlike the CLI, it runs
 * without a Go binary and shows every call. ./engine.ts starts one per operation.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import type * as grpcModule from "@grpc/grpc-js";
import type * as provGrpcModule from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as provProtoModule from "@pulumi/pulumi/proto/provider_pb";
import { type EngineLogEntry, EngineLogServer } from "./engine-log";
import { loadPulumiSdk, type PulumiSdk } from "./pulumi-sdk";
import { type PropertyMap, parseUrn, type WireValue, wrapSecret } from "./wire";

/** How to start the host. */
export interface HostOptions {
  /** The host's working directory: the program's directory, as the engine does. */
  programDir: string;
  /** Extra environment for the host process. */
  env?: NodeJS.ProcessEnv;
  /** The positional argument the host requires. Never dialled by the dynamic provider host. */
  engineAddress?: string;
  /**
   * The provider process to start instead of the dynamic provider host: the executable and
   * its arguments, to which the engine's address is appended (as the engine starts a
   * plugin). It must print its port on its first stdout line.
   */
  command?: string[];
  /**
   * Serve the engine's Log service and give its address to the process (overrides
   * `engineAddress`): what the process logs is kept in {@link HostProcess.logs}. Default false.
   */
  serveEngine?: boolean;
  /** Default 30 s. */
  startTimeoutMs?: number;
  /** Deadline of each call. Default 60 s. */
  callTimeoutMs?: number;
  /** Told of each call when it starts; the object is completed when the call ends. */
  onCall?: (call: HostCall) => void;
}

/** One gRPC call to the host, as the transcript records it. */
export interface HostCall {
  /** 1-based, in the order the calls were started. */
  seq: number;
  method: HostMethod;
  urn?: string;
  /** The request as plain JavaScript (secret config values redacted). */
  request: Record<string, unknown>;
  response?: Record<string, unknown>;
  error?: { code: number; codeName: string; details: string };
  /** Milliseconds from the start of the call to its answer. */
  ms: number;
  /** When the call started and ended (`performance.now()` of this process): overlaps show the scheduling. */
  startedAt: number;
  endedAt?: number;
}

export type HostMethod =
  | "checkConfig"
  | "configure"
  | "check"
  | "diff"
  | "create"
  | "read"
  | "update"
  | "delete";

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface ConfigureResult {
  acceptSecrets: boolean;
  supportsPreview: boolean;
  acceptResources: boolean;
}

export interface CheckResult {
  inputs: PropertyMap;
  failures: CheckFailure[];
}

export interface DiffResult {
  /** "unknown" when the provider left `changes` undefined: the engine then compares the inputs itself. */
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Sent by the protocol; the dynamic provider host never fills them (it drops `stables`). */
  stables: string[];
  diffs: string[];
  /** Only when the provider sent one (`hasDetailedDiff`): each property's change kind. */
  detailedDiff?: Record<string, { kind: PropertyDiffKind; inputDiff: boolean }>;
}

/** `pulumirpc.PropertyDiff.Kind`, by name. */
export type PropertyDiffKind =
  | "add"
  | "add-replace"
  | "delete"
  | "delete-replace"
  | "update"
  | "update-replace";

const PROPERTY_DIFF_KINDS: PropertyDiffKind[] = [
  "add",
  "add-replace",
  "delete",
  "delete-replace",
  "update",
  "update-replace",
];

/** Options of Create and Update. */
export interface WriteOptions {
  /** A preview's Create or Update: the provider answers what it would do, and does nothing. */
  preview?: boolean;
}

export interface CreateResult {
  id: string;
  properties: PropertyMap;
}

export interface ReadResult {
  /** "" when the resource no longer exists. */
  id: string;
  properties: PropertyMap;
  /** Only when the provider's `read` returned `inputs`. */
  inputs?: PropertyMap;
}

export interface UpdateResult {
  properties: PropertyMap;
}

/** A resource created but not initialized (the provider threw an error carrying `id`, `properties`, `reasons`). */
export interface InitFailure {
  id: string;
  properties: PropertyMap;
  reasons: string[];
}

/** A call the host answered with an error, or could not answer. The provider's text is in `details`, intact. */
export class HostCallError extends Error {
  constructor(
    readonly method: HostMethod,
    readonly code: number,
    readonly codeName: string,
    /** The error text exactly as the host sent it (for a provider error: its message). */
    readonly details: string,
    readonly initFailure?: InitFailure,
    hostState?: string,
  ) {
    super(`${method} failed (gRPC ${codeName}): ${details}${hostState ? `\n${hostState}` : ""}`);
    this.name = "HostCallError";
  }
}

/** Host processes not yet exited: killed when this process exits, whatever happened to the tests. */
const liveHosts = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveHosts) child.kill("SIGKILL");
});

type Callback<Res> = (err: grpcModule.ServiceError | null, res: Res) => void;
type Client = provGrpcModule.ResourceProviderClient;

/**
 * The real dynamic provider host of @pulumi/pulumi (`cmd/dynamic-provider`), started as the
 * engine starts it (in the program's directory, with one engine-address argument) and
 * driven over gRPC with Pulumi's own stubs. Every call is recorded in `calls`; everything
 * the process prints is kept in `stdout`/`stderr`. Always `stop()` it.
 */
export class HostProcess {
  /** Every call made, in order. */
  readonly calls: HostCall[] = [];
  private out = "";
  private err = "";
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private client: Client | undefined;
  private boundPort = 0;
  private configureResult: ConfigureResult | undefined;
  private readonly callTimeoutMs: number;
  private readonly onCall: ((call: HostCall) => void) | undefined;

  private constructor(
    private readonly sdk: PulumiSdk,
    private readonly child: ChildProcess,
    options: HostOptions,
    private readonly engineLog: EngineLogServer | undefined,
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.onCall = options.onCall;
    liveHosts.add(child);
    child.stdout?.on("data", (chunk: Buffer) => {
      this.out += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.err += chunk.toString();
    });
    child.once("exit", (code, signal) => {
      this.exit = { code, signal };
    });
    this.exited = new Promise((resolve) => {
      child.once("close", () => {
        liveHosts.delete(child);
        resolve();
      });
    });
  }

  /** Starts the host and connects to the port it prints on its first stdout line. */
  static async start(options: HostOptions): Promise<HostProcess> {
    const programDir = path.resolve(options.programDir);
    const sdk = loadPulumiSdk(programDir);
    const engineLog = options.serveEngine ? await EngineLogServer.start(sdk) : undefined;
    const engineAddress = engineLog?.address ?? options.engineAddress ?? "127.0.0.1:1";
    const [file, ...args] = options.command ?? [process.execPath, sdk.dynamicProviderHost];
    const child = spawn(file, [...args, engineAddress], {
      cwd: programDir,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const host = new HostProcess(sdk, child, options, engineLog);
    try {
      host.boundPort = await host.waitForPort(options.startTimeoutMs ?? 30_000);
    } catch (e) {
      await host.stop();
      const what = options.command
        ? options.command.join(" ")
        : `dynamic provider host ${sdk.dynamicProviderHost}`;
      throw new Error(`${what} (cwd ${programDir}): ${(e as Error).message}\nstderr:\n${host.err}`);
    }
    host.client = new sdk.provGrpc.ResourceProviderClient(
      `127.0.0.1:${host.boundPort}`,
      sdk.grpc.credentials.createInsecure(),
    ) as Client;
    return host;
  }

  private waitForPort(timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.child.stdout?.off("data", onData);
        this.child.off("error", onError);
        this.child.off("exit", onExit);
        fn();
      };
      const onData = () => {
        const newline = this.out.indexOf("\n");
        if (newline < 0) return;
        const line = this.out.slice(0, newline).trim();
        const port = Number(line);
        if (Number.isInteger(port) && port > 0) done(() => resolve(port));
        else done(() => reject(new Error(`its first stdout line is not a port: ${JSON.stringify(line)}`)));
      };
      const onError = (e: Error) => done(() => reject(e));
      const onExit = (code: number | null, signal: string | null) =>
        done(() => reject(new Error(`it exited before printing its port (code ${code}, signal ${signal})`)));
      const timer = setTimeout(
        () => done(() => reject(new Error(`no port within ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.child.stdout?.on("data", onData);
      this.child.once("error", onError);
      this.child.once("exit", onExit);
    });
  }

  /** The port the host listens on (127.0.0.1). */
  get port(): number {
    return this.boundPort;
  }

  /** The process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything the host printed on stdout (its port first). */
  get stdout(): string {
    return this.out;
  }

  /** Everything the host printed on stderr. */
  get stderr(): string {
    return this.err;
  }

  /** What the process sent to the engine's Log service (only with `serveEngine`), in arrival order. */
  get logs(): readonly EngineLogEntry[] {
    return this.engineLog?.entries ?? [];
  }

  /** The Log service's entries as text, one per line: `<severity> <urn>: <message>`. */
  get logText(): string {
    return this.logs.map((l) => `${l.severity} ${l.urn || "(no resource)"}: ${l.message}\n`).join("");
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exit === undefined;
  }

  /**
   * Configure: the engine sends the whole namespaced stack config to a dynamic provider,
   * in `args`, secret values marked secret (the host unwraps them). The host only stores
   * it; each deserialized provider's `configure` runs on its first use. A plugin's default
   * provider gets its package's config un-namespaced instead (the caller builds `variables`).
   */
  async configure(variables: Record<string, string>, secretKeys: string[] = []): Promise<ConfigureResult> {
    const { provProto, structProto } = this.sdk;
    const args: Record<string, WireValue> = {};
    for (const [k, v] of Object.entries(variables)) args[k] = secretKeys.includes(k) ? wrapSecret(v) : v;
    const req = new provProto.ConfigureRequest();
    req.setArgs(structProto.Struct.fromJavaScript(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    const redacted = Object.fromEntries(
      Object.entries(args).map(([k, v]) => [k, secretKeys.includes(k) ? "[secret]" : v]),
    );
    this.configureResult = await this.unary(
      "configure",
      undefined,
      { args: redacted },
      (c, m, o, cb: Callback<provProtoModule.ConfigureResponse>) => c.configure(req, m, o, cb),
      (r): ConfigureResult => ({
        acceptSecrets: r.getAcceptsecrets(),
        supportsPreview: r.getSupportspreview(),
        acceptResources: r.getAcceptresources(),
      }),
    );
    return this.configureResult;
  }

  /** What the last Configure answered (undefined before one succeeded). */
  get configured(): ConfigureResult | undefined {
    return this.configureResult;
  }

  /**
   * CheckConfig of the default provider, as the engine sends it before Configure to a plugin:
   * `news` are the provider's inputs (the un-namespaced config of its package).
   */
  async checkConfig(
    urn: string,
    news: Record<string, string>,
    secretKeys: string[] = [],
  ): Promise<CheckResult> {
    const { provProto } = this.sdk;
    const args: Record<string, WireValue> = {};
    for (const [k, v] of Object.entries(news)) args[k] = secretKeys.includes(k) ? wrapSecret(v) : v;
    const req = new provProto.CheckRequest();
    req.setUrn(urn);
    this.setNameAndType(req, urn);
    req.setOlds(this.struct({}));
    req.setNews(this.struct(args));
    const redacted = Object.fromEntries(
      Object.entries(args).map(([k, v]) => [k, secretKeys.includes(k) ? "[secret]" : v]),
    );
    const toResult = (r: provProtoModule.CheckResponse): CheckResult => ({
      // Only whether it failed matters to the harness; the secrets stay out of the transcript.
      inputs: {},
      failures: r.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    });
    return this.unary(
      "checkConfig",
      urn,
      { urn, news: redacted },
      (c, m, o, cb: Callback<provProtoModule.CheckResponse>) => c.checkConfig(req, m, o, cb),
      toResult,
    );
  }

  /** Check: `olds` are the old inputs (`{}` for a new resource: an empty Struct, never unset). */
  async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const { provProto } = this.sdk;
    const req = new provProto.CheckRequest();
    req.setUrn(urn);
    this.setNameAndType(req, urn);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    const toResult = (r: provProtoModule.CheckResponse): CheckResult => ({
      inputs: (r.getInputs()?.toJavaScript() ?? {}) as PropertyMap,
      failures: r.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    });
    return this.unary("check", urn, { urn, olds, news }, (c, m, o, cb) => c.check(req, m, o, cb), toResult);
  }

  /** Diff: `olds` are the old outputs, `news` the checked inputs. */
  async diff(
    id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs?: PropertyMap,
  ): Promise<DiffResult> {
    const { provProto } = this.sdk;
    const req = new provProto.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    this.setNameAndType(req, urn);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    if (oldInputs) req.setOldInputs(this.struct(oldInputs));
    const changesNames = { 0: "unknown", 1: "none", 2: "some" } as const;
    const toResult = (r: provProtoModule.DiffResponse): DiffResult => {
      const result: DiffResult = {
        changes: changesNames[r.getChanges() as 0 | 1 | 2] ?? "unknown",
        replaces: r.getReplacesList(),
        deleteBeforeReplace: r.getDeletebeforereplace(),
        stables: r.getStablesList(),
        diffs: r.getDiffsList(),
      };
      if (r.getHasdetaileddiff()) {
        const detailed: NonNullable<DiffResult["detailedDiff"]> = {};
        r.getDetaileddiffMap().forEach((d, key) => {
          detailed[key] = { kind: PROPERTY_DIFF_KINDS[d.getKind()] ?? "update", inputDiff: d.getInputdiff() };
        });
        result.detailedDiff = detailed;
      }
      return result;
    };
    return this.unary("diff", urn, { id, urn, olds, news }, (c, m, o, cb) => c.diff(req, m, o, cb), toResult);
  }

  /** Create with the checked inputs; with `preview`, a preview's Create (what it would make). */
  async create(urn: string, properties: PropertyMap, options: WriteOptions = {}): Promise<CreateResult> {
    const { provProto } = this.sdk;
    const req = new provProto.CreateRequest();
    req.setUrn(urn);
    this.setNameAndType(req, urn);
    req.setProperties(this.struct(properties));
    if (options.preview) req.setPreview(true);
    const toResult = (r: provProtoModule.CreateResponse): CreateResult => ({
      id: r.getId(),
      properties: (r.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
    });
    const request = options.preview ? { urn, properties, preview: true } : { urn, properties };
    return this.unary("create", urn, request, (c, m, o, cb) => c.create(req, m, o, cb), toResult);
  }

  /** Read (refresh): `properties` are the old outputs, `inputs` the old inputs. */
  async read(id: string, urn: string, properties: PropertyMap, inputs?: PropertyMap): Promise<ReadResult> {
    const { provProto } = this.sdk;
    const req = new provProto.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    this.setNameAndType(req, urn);
    req.setProperties(this.struct(properties));
    if (inputs) req.setInputs(this.struct(inputs));
    const toResult = (r: provProtoModule.ReadResponse): ReadResult => {
      const result: ReadResult = {
        id: r.getId(),
        properties: (r.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
      };
      const newInputs = r.getInputs();
      if (newInputs) result.inputs = newInputs.toJavaScript() as PropertyMap;
      return result;
    };
    return this.unary("read", urn, { id, urn, properties }, (c, m, o, cb) => c.read(req, m, o, cb), toResult);
  }

  /** Update: `olds` are the old outputs, `news` the checked inputs; with `preview`, a preview's Update. */
  async update(
    id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs?: PropertyMap,
    options: WriteOptions = {},
  ): Promise<UpdateResult> {
    const { provProto } = this.sdk;
    const req = new provProto.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    this.setNameAndType(req, urn);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    if (oldInputs) req.setOldInputs(this.struct(oldInputs));
    if (options.preview) req.setPreview(true);
    const toResult = (r: provProtoModule.UpdateResponse): UpdateResult => ({
      properties: (r.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
    });
    return this.unary(
      "update",
      urn,
      options.preview ? { id, urn, olds, news, preview: true } : { id, urn, olds, news },
      (c, m, o, cb) => c.update(req, m, o, cb),
      toResult,
    );
  }

  /** Delete: `properties` are the old outputs, whose `__provider` is the code that runs. */
  async delete(id: string, urn: string, properties: PropertyMap, oldInputs?: PropertyMap): Promise<void> {
    const { provProto } = this.sdk;
    const req = new provProto.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    this.setNameAndType(req, urn);
    req.setProperties(this.struct(properties));
    if (oldInputs) req.setOldInputs(this.struct(oldInputs));
    await this.unary(
      "delete",
      urn,
      { id, urn, properties },
      (c, m, o, cb) => c.delete(req, m, o, cb),
      () => ({}),
    );
  }

  /** Closes the channel and kills the process (SIGTERM, then SIGKILL after 2 s), then the Log service. Idempotent. */
  async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    if (this.running) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 2_000);
      await this.exited;
      clearTimeout(timer);
    }
    await this.engineLog?.stop();
  }

  private struct(props: PropertyMap) {
    return this.sdk.structProto.Struct.fromJavaScript(props);
  }

  private setNameAndType(
    req: { setName(v: string): unknown; setType(v: string): unknown },
    urn: string,
  ): void {
    const { name, type } = parseUrn(urn);
    req.setName(name);
    req.setType(type);
  }

  private async unary<Res, R extends object>(
    method: HostMethod,
    urn: string | undefined,
    request: Record<string, unknown>,
    invoke: (
      client: Client,
      metadata: grpcModule.Metadata,
      options: Partial<grpcModule.CallOptions>,
      callback: Callback<Res>,
    ) => void,
    toResult: (res: Res) => R,
  ): Promise<R> {
    const client = this.client;
    const started = performance.now();
    const call: HostCall = { seq: this.calls.length + 1, method, request, ms: 0, startedAt: started };
    if (urn !== undefined) call.urn = urn;
    this.calls.push(call);
    this.onCall?.(call);
    try {
      if (!client) throw new Error("the host was stopped");
      const res = await new Promise<Res>((resolve, reject) => {
        invoke(
          client,
          new this.sdk.grpc.Metadata(),
          { deadline: Date.now() + this.callTimeoutMs },
          (err, r) => (err ? reject(err) : resolve(r)),
        );
      });
      const result = toResult(res);
      call.response = { ...result } as Record<string, unknown>;
      return result;
    } catch (e) {
      const error = await this.toHostCallError(method, e);
      call.error = { code: error.code, codeName: error.codeName, details: error.details };
      throw error;
    } finally {
      call.endedAt = performance.now();
      call.ms = Math.round(call.endedAt - started);
    }
  }

  private async toHostCallError(method: HostMethod, e: unknown): Promise<HostCallError> {
    const { grpc } = this.sdk;
    const serviceError = e as Partial<grpcModule.ServiceError>;
    const code = typeof serviceError.code === "number" ? serviceError.code : grpc.status.UNKNOWN;
    const codeName = grpc.status[code] ?? String(code);
    const details = serviceError.details ?? (e instanceof Error ? e.message : String(e));
    let hostState: string | undefined;
    if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED || !this.client) {
      // Give the process a moment to report its exit, then say what it printed.
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 200))]);
      const state = this.running
        ? "still running"
        : `exited (code ${this.exit?.code}, signal ${this.exit?.signal})`;
      hostState = `host ${state}; stderr:\n${this.err.slice(-4000)}`;
    }
    return new HostCallError(
      method,
      code,
      codeName,
      details,
      this.initFailure(serviceError.metadata),
      hostState,
    );
  }

  /** Decodes the `ErrorResourceInitFailed` the host packs into `grpc-status-details-bin`. */
  private initFailure(metadata: grpcModule.Metadata | undefined): InitFailure | undefined {
    const raw = metadata?.get("grpc-status-details-bin")[0];
    if (!raw || typeof raw === "string") return undefined;
    const status = this.sdk.statusProto.Status.deserializeBinary(new Uint8Array(raw));
    for (const any of status.getDetailsList()) {
      if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
      const detail = this.sdk.provProto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return {
        id: detail.getId(),
        properties: (detail.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
        reasons: detail.getReasonsList(),
      };
    }
    return undefined;
  }
}
