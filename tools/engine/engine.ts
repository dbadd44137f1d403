/**
 * The engine harness's engine: {@link Engine} runs `pulumi preview`, `up`, `refresh` and
 * `destroy` of a program's dynamic resources by the Pulumi engine's step rules, over an
 * in-memory state (the checkpoint), with the program captured by ./capture.ts and every
 * provider call made through the real dynamic provider host (./host.ts) or, with
 * `face: "plugin"`, through the package's provider plugin (./faces.ts).
 *
 * Why: the provider ships as a dynamic provider, so what runs in production is the
 * `__provider` closure the host deserializes, configured per host process, fed inputs and
 * outputs in the engine's order. Calling the provider class directly skips all of that;
 * the Pulumi CLI does it all but is slow and shows no gRPC call. The harness is fast, sees
 * every call, and lets a test or the explorer choose `--parallel` and the step order; the
 * CLI suite (test/cli) is the judge where the two disagree (docs/architecture.md lists
 * where they did).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as path from "node:path";
import {
  type CapturedProgram,
  type CapturedResource,
  capture,
  ensurePackageLink,
  type ProgramOptions,
} from "./capture";
import type { EngineLogEntry } from "./engine-log";
import { type Face, ONTAP_PLUGIN, type PluginFace, pluginResource } from "./faces";
import { type CheckFailure, type HostCall, HostCallError, HostProcess } from "./host";
import { readProjectName } from "./pulumi-sdk";
import { checkParallel, defaultParallel, StepPool } from "./schedule";
import { changedKeys, containsUnknown, type PropertyMap, wireEqual } from "./wire";

/** How to run a program through the engine simulation. */
export interface EngineOptions extends ProgramOptions {
  /**
   * Which face of the provider the resources go to. "dynamic" (default): the program's
   * dynamic resources, `__provider` and all, through @pulumi/pulumi's dynamic provider
   * host. "plugin": the same registrations as the engine would receive them from a program
   * written for the provider plugin (`plugin.types` maps each dynamic type to the plugin's
   * token; no `__provider`), through the plugin process (`plugin.command`), configured
   * with its package's config un-namespaced (`ontap:host` → `host`) after CheckConfig,
   * and called with Create/Update `preview` in a preview, as it answers Configure with
   * `supportsPreview`. See ./faces.ts.
   */
  face?: Face;
  /** The plugin of `face: "plugin"`. Default: this package's ({@link ONTAP_PLUGIN}). */
  plugin?: PluginFace;
  /** Packages to link into `<programDir>/node_modules` (name → directory), as `npm install` of `file:` deps does. */
  packageLinks?: Record<string, string>;
  /** Extra environment for the dynamic provider host. */
  hostEnv?: NodeJS.ProcessEnv;
  /** Extra environment for the program. */
  programEnv?: NodeJS.ProcessEnv;
  /**
   * Which config changes start a new host. "provider-config" (default): keys outside the
   * program's own project namespace, assuming the provider reads its own namespace
   * ("ontap:host") — in the host, an un-namespaced key resolves against
   * PULUMI_NODEJS_PROJECT ("project" when unset; this harness leaves it unset, as we found
   * nothing in the engine that sets it for resource plugins). "any-config": every change,
   * as separate CLI runs would.
   */
  restartHostOn?: "provider-config" | "any-config";
  /**
   * Start a host process for every operation, as the engine does (default true). False
   * keeps one host while the provider's config is unchanged (see `restartHostOn`): faster,
   * but a provider then sees several operations as one run.
   */
  hostPerOperation?: boolean;
  /**
   * Reuse the result of an earlier run of the program with the same stack config, secret
   * keys, preview flag and environment instead of running it again (each run costs a
   * process that loads @pulumi/pulumi). Only for programs whose registrations depend on
   * their config alone, as examples/basic does. Default false.
   */
  reuseProgramRuns?: boolean;
  /**
   * `--parallel`: at most this many Create/Read/Update/Delete steps at once (Check and Diff
   * run one at a time, in registration order). Default 4 × the CPU cores, as Pulumi's;
   * `Infinity` for unbounded. An operation's own `parallel` overrides it.
   */
  parallel?: number;
}

/** Options of every operation. */
export interface OperationOptions {
  /** `--parallel` for this operation; default the engine's. */
  parallel?: number;
  /** Extra environment for this operation's host, over `EngineOptions.hostEnv` (a new host starts). */
  hostEnv?: NodeJS.ProcessEnv;
}

/** Options of `preview` and `up`. */
export interface UpOptions extends OperationOptions {
  /**
   * `--replace <urn>`: replace these resources even if nothing changed. As the engine does
   * (step_generator.go, `isTargetedReplace`): Check gets no olds, the provider's Diff is not
   * called (the engine answers it itself: replace, blaming `id`, without deleteBeforeReplace),
   * so the replacement is create-first unless the resource option `deleteBeforeReplace` is set.
   */
  replace?: string[];
}

/** A resource as the engine's state (the checkpoint) holds it. */
export interface ResourceState {
  urn: string;
  type: string;
  id: string;
  /** The checked inputs, `__provider` included (dynamic face). */
  inputs: PropertyMap;
  /** What the provider returned, `__provider` included (the dynamic host always adds it). */
  outputs: PropertyMap;
  /** Top-level keys that are secret (inputs that were; outputs with the same key). */
  secretKeys: string[];
}

/**
 * What a step did (or, in a preview, would do). "check" means the step stopped at Check:
 * see `failures`.
 */
export type StepOp = "create" | "update" | "replace" | "delete" | "same" | "refresh" | "check";

export interface Step {
  op: StepOp;
  urn: string;
  type: string;
  /** Top-level input keys that differ from the old inputs (all keys for a create). */
  changedKeys: string[];
  /** For a replace: what the provider's diff named (`["id"]` for a `--replace`). */
  replaces?: string[];
  /** For a replace: whether the old resource went (or goes) first. */
  deleteBeforeReplace?: boolean;
  /** For a replace: the inputs of the engine's second Check (no olds), which the create gets. */
  recheckedInputs?: PropertyMap;
  /**
   * In a preview of a provider that supports previews (the plugin), what its preview
   * Create or Update answered; never in the state.
   */
  previewed?: ResourceState;
  /** For a refresh: top-level output keys the read changed. */
  drift?: string[];
  /** For a refresh: the provider reported the resource gone (empty id); it left the state. */
  dropped?: boolean;
  old?: ResourceState;
  new?: ResourceState;
  failures?: CheckFailure[];
  error?: Error;
  /** The host calls made for this resource during the operation, in order. */
  calls: HostCall[];
}

export type OperationKind = "preview" | "up" | "refresh" | "destroy";

/** One `pulumi preview | up | refresh | destroy`. */
export interface OperationResult {
  kind: OperationKind;
  steps: Step[];
  /** Every host call of the operation (Configure included when the host started for it). */
  calls: HostCall[];
  /** The program run (preview and up). */
  program?: CapturedProgram;
  /** How many steps of each kind. */
  summary: Partial<Record<StepOp, number>>;
  /** The `--parallel` it ran with. */
  parallel: number;
  /** Most Create/Read/Update/Delete steps in flight at once. */
  peakParallel: number;
  /** Milliseconds spent starting and configuring the host (0 when one was reused). */
  hostStartMs: number;
}

/** The operation failed; `result` holds what happened up to the failure. */
export class DeploymentError extends Error {
  constructor(
    readonly result: OperationResult,
    /** The step that failed, when one did. */
    readonly step: Step | undefined,
    override readonly cause: Error,
  ) {
    super(`${result.kind} failed${step ? ` at ${step.urn} (${step.op})` : ""}: ${cause.message}`, { cause });
    this.name = "DeploymentError";
  }
}

/** Check answered with failures: the engine stops before any Diff or write for the resource. */
export class CheckFailedError extends Error {
  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
  ) {
    super(`invalid inputs for ${urn}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    this.name = "CheckFailedError";
  }
}

const DYNAMIC_TYPE = /^pulumi-nodejs:dynamic(\/|:)/;

/** Both results, once both have settled (so nothing is left running behind a failure). */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === "rejected") throw ra.reason;
  if (rb.status === "rejected") throw rb.reason;
  return [ra.value, rb.value];
}

/**
 * A small simulation of the Pulumi engine's step logic for dynamic resources, with an
 * in-memory state, driving the real dynamic provider host. Each operation starts its own
 * host process and configures it, as the engine loads its plugins afresh for every
 * operation (a CLI `pulumi up` is a preview, then an update, in two processes). It follows
 * the rules of `pkg/resource/deploy/step_generator.go`:
 *
 * - preview: Check, and Diff for resources in the state; no Create/Update/Delete when the
 *   provider answered Configure with `supportsPreview: false` (the dynamic host); otherwise
 *   (the plugin) Create with `preview` for a create or a replacement (after its second
 *   Check) and Update with `preview` for an update (pkg/resource/plugin/provider_plugin.go
 *   skips them only for a provider without preview support); never Delete;
 * - up: Check (olds = old inputs), then no state → Create; otherwise Diff (olds = old
 *   outputs): `changes` false → same; true with `replaces` → replace, delete-first when the
 *   resource option `deleteBeforeReplace` says so or, when the program left it unset, the
 *   diff does; else create now and delete the old one at the end; true otherwise → Update (olds = old outputs). An undefined
 *   `changes` makes the engine compare old and new inputs itself (`__provider` included).
 *   Resources no longer in the program are deleted at the end, last registered first;
 * - `--replace <urn>` (`UpOptions.replace`): Check without olds, no Diff, replace blaming `id`,
 *   delete-first only when the resource option `deleteBeforeReplace` says so;
 * - refresh: Read (old outputs) for every resource; an empty id drops it;
 * - destroy: Delete with the old outputs (so the old `__provider`), last registered first.
 *
 * Scheduling follows the engine's (`--parallel`, `EngineOptions.parallel`): Check and Diff
 * one resource at a time in registration order (pulumi/pulumi#3302); Create, Read, Update
 * and Delete steps at most `parallel` at once (default 4 × CPU cores, pulumi/pulumi#15016),
 * a delete-first replacement being one step (Delete, then Create).
 *
 * Every old resource is deleted with its old outputs, so with its old `__provider` string:
 * the host deserializes (and configures) one provider per distinct string.
 *
 * Not simulated: resources whose inputs depend on other resources' outputs during `up`,
 * explicit providers, `ignoreChanges`/`replaceOnChanges` (rejected when used), dependencies
 * between resources (every step is independent of the others).
 */
export class Engine {
  /**
   * The stack config as the state records it for the default provider, taken at the end of
   * each successful `up`: `pulumi refresh` and `pulumi destroy` do not run the program, and
   * the engine configures the provider from this record, not from the current config (the
   * real CLI does so; test/cli/refactors shows it).
   */
  private providerConfig: Record<string, string> | undefined;
  /** Stack config, namespaced keys. Change it between operations with `setConfig`. */
  readonly config: Record<string, string>;
  readonly secretKeys: Set<string>;
  readonly programDir: string;
  readonly project: string;
  readonly stack: string;
  /** Every operation run, in order. */
  readonly operations: OperationResult[] = [];
  /** Every host call, across host restarts. */
  readonly transcript: HostCall[] = [];
  /** The face the resources go to. */
  readonly face: Face;
  private readonly plugin: PluginFace;

  private readonly resources = new Map<string, ResourceState>();
  /** Old resources of create-before-delete replacements whose delete has not succeeded yet. */
  private readonly pendingDeletes: ResourceState[] = [];
  private readonly hosts: HostProcess[] = [];
  private host: HostProcess | undefined;
  private hostConfigKey = "";
  private currentCalls: HostCall[] | undefined;
  /** The step a host call belongs to (refresh runs steps concurrently). */
  private readonly stepContext = new AsyncLocalStorage<Step>();
  private readonly programRuns = new Map<string, Promise<CapturedProgram>>();

  constructor(private readonly options: EngineOptions) {
    this.programDir = path.resolve(options.programDir);
    this.face = options.face ?? "dynamic";
    this.plugin = options.plugin ?? ONTAP_PLUGIN;
    this.project = options.project ?? readProjectName(this.programDir);
    this.stack = options.stack ?? "dev";
    this.config = { ...options.config };
    this.providerConfig = undefined;
    this.secretKeys = new Set(options.secretKeys);
    for (const [name, dir] of Object.entries(options.packageLinks ?? {})) {
      ensurePackageLink(this.programDir, name, dir);
    }
  }

  /** The state after the last operation, in registration order. */
  get state(): ReadonlyMap<string, ResourceState> {
    return this.resources;
  }

  /**
   * Everything every host process printed, stdout and stderr, and (a plugin) what it sent
   * to the engine's Log service, one `<severity> <urn>: <message>` line each.
   */
  get hostOutput(): string {
    return this.hosts.map((h) => h.stdout + h.stderr + h.logText).join("");
  }

  /** What every host process sent to the engine's Log service (the plugin face only), in order. */
  get logs(): EngineLogEntry[] {
    return this.hosts.flatMap((h) => h.logs);
  }

  /** The host of the current or last operation. */
  get currentHost(): HostProcess | undefined {
    return this.host;
  }

  /**
   * The URN the engine gives a resource registered at the top level of the program. On the
   * plugin face a program's dynamic type is its plugin token (`plugin.types`), as a program
   * written for the plugin registers it: the same call names the same resource on both faces.
   */
  urn(type: string, name: string): string {
    const token = this.face === "plugin" ? (this.plugin.types[type] ?? type) : type;
    return `urn:pulumi:${this.stack}::${this.project}::${token}::${name}`;
  }

  /** Sets stack config values (undefined removes a key). */
  setConfig(values: Record<string, string | undefined>, options: { secret?: boolean } = {}): void {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) {
        delete this.config[k];
        this.secretKeys.delete(k);
      } else {
        this.config[k] = v;
        if (options.secret) this.secretKeys.add(k);
      }
    }
  }

  /** `pulumi preview`: Check and Diff only; the state does not change. */
  preview(options: UpOptions = {}): Promise<OperationResult> {
    return this.operation("preview", options, async (op) => {
      const targets = this.replaceTargets(options);
      const [program, host] = await settleBoth(this.runProgram(true), this.ensureHost(op, options.hostEnv));
      op.program = program;
      const registered = new Set<string>();
      // Only a provider that supports previews is asked what its Create/Update would do.
      const previews = host.configured?.supportsPreview === true;
      const steps = this.pool(op);
      try {
        for (const r of this.providerResources(program)) {
          if (steps.failed) break;
          registered.add(r.urn);
          const old = this.resources.get(r.urn);
          const forced = old !== undefined && targets.has(r.urn);
          const step = this.newStep(op, old ? "same" : "create", r.urn, r.type, old);
          const inputs = await this.check(host, step, r, forced ? undefined : old);
          if (!old) {
            step.changedKeys = Object.keys(inputs).sort();
            if (previews) await steps.submit(() => this.previewCreate(host, step, r, inputs));
            continue;
          }
          if (forced) this.forceReplace(step, r, old, inputs);
          else await this.diff(host, step, r, old, inputs);
          if (!previews) continue;
          if (step.op === "update") {
            await steps.submit(async () => {
              const res = await this.call(step, () =>
                host.update(old.id, r.urn, old.outputs, inputs, old.inputs, { preview: true }),
              );
              step.previewed = { ...old, inputs, outputs: res.properties, secretKeys: r.secretKeys };
            });
          } else if (step.op === "replace") {
            await steps.submit(() => this.previewCreate(host, step, r, step.recheckedInputs ?? inputs));
          }
        }
      } finally {
        await steps.drain().catch(() => {});
      }
      await steps.drain();
      for (const old of [...this.pendingDeletes, ...this.unregistered(registered)]) {
        this.newStep(op, "delete", old.urn, old.type, old);
      }
    });
  }

  /**
   * `pulumi up` (the update part, without its preview): the steps run and the state changes.
   * Check and Diff run one resource at a time, in registration order; each resource's
   * Create, Update or replacement (delete-first: Delete then Create, as one chain) runs as
   * a step, at most `parallel` at once, and Check waits while all are busy. The deletes of
   * replaced (create-first) and no longer registered resources run after every other step,
   * at most `parallel` at once; so do the deletes an earlier failed up left pending (Pulumi
   * ≥ 3.46 deletes them at the end like any other, pulumi/pulumi a3128e50, "Do not execute
   * pending deletes at the start of deployment"; before, it deleted them first).
   */
  up(options: UpOptions = {}): Promise<OperationResult> {
    return this.operation("up", options, async (op) => {
      const targets = this.replaceTargets(options);
      const [program, host] = await settleBoth(this.runProgram(false), this.ensureHost(op, options.hostEnv));
      op.program = program;
      const earlier = [...this.pendingDeletes];
      const replaced: Array<{ step: Step; old: ResourceState }> = [];
      const registered: string[] = [];
      const steps = this.pool(op);
      try {
        for (const r of this.providerResources(program)) {
          if (steps.failed) break;
          registered.push(r.urn);
          for (const [key, value] of Object.entries(r.inputs)) {
            if (containsUnknown(value)) {
              throw new Error(
                `${r.urn}: input "${key}" is unknown during up; the harness cannot run such programs`,
              );
            }
          }
          const old = this.resources.get(r.urn);
          const forced = old !== undefined && targets.has(r.urn);
          const step = this.newStep(op, old ? "same" : "create", r.urn, r.type, old);
          const inputs = await this.check(host, step, r, forced ? undefined : old);
          if (!old) {
            step.changedKeys = Object.keys(inputs).sort();
            await steps.submit(() => this.create(host, step, r, inputs));
            continue;
          }
          if (forced) this.forceReplace(step, r, old, inputs);
          else await this.diff(host, step, r, old, inputs);
          if (step.op === "same") {
            // A same step records the new inputs; the outputs stay.
            step.new = { ...old, inputs, secretKeys: r.secretKeys };
            this.resources.set(r.urn, step.new);
          } else if (step.op === "update") {
            await steps.submit(async () => {
              try {
                const res = await this.call(step, () =>
                  host.update(old.id, r.urn, old.outputs, inputs, old.inputs),
                );
                step.new = this.record(r, old.id, inputs, res.properties);
              } catch (e) {
                // A partial failure: the engine records the outputs the error carries
                // (step.go UpdateStep.Apply, resource.StatusPartialFailure).
                if (e instanceof HostCallError && e.initFailure)
                  step.new = this.record(r, old.id, inputs, e.initFailure.properties);
                throw e;
              }
            });
          } else if (step.deleteBeforeReplace) {
            await steps.submit(async () => {
              await this.call(step, () => host.delete(old.id, r.urn, old.outputs, old.inputs));
              this.resources.delete(r.urn);
              await this.create(host, step, r, step.recheckedInputs ?? inputs);
            });
          } else {
            await steps.submit(async () => {
              await this.create(host, step, r, step.recheckedInputs ?? inputs);
              this.pendingDeletes.push(old);
              replaced.push({ step, old });
            });
          }
        }
      } finally {
        await steps.drain().catch(() => {});
        this.keepRegistrationOrder(registered);
      }
      await steps.drain();
      const deletes = this.pool(op);
      for (const { step, old } of replaced) {
        if (
          !(await deletes.submit(async () => {
            await this.call(step, () => host.delete(old.id, old.urn, old.outputs, old.inputs));
            this.pendingDeletes.splice(this.pendingDeletes.indexOf(old), 1);
          }))
        )
          break;
      }
      for (const old of earlier) {
        if (deletes.failed) break;
        await deletes.submit(() => this.deletePending(op, host, old));
      }
      for (const old of this.unregistered(new Set(registered))) {
        if (deletes.failed) break;
        const step = this.newStep(op, "delete", old.urn, old.type, old);
        await deletes.submit(async () => {
          await this.call(step, () => host.delete(old.id, old.urn, old.outputs, old.inputs));
          this.resources.delete(old.urn);
        });
      }
      await deletes.drain();
      this.providerConfig = { ...this.config };
    });
  }

  /**
   * `pulumi refresh`: Read every resource, at most `parallel` at once, in state order; an
   * empty id removes it from the state. Every Read runs even when one fails.
   */
  refresh(options: OperationOptions = {}): Promise<OperationResult> {
    return this.operation("refresh", options, async (op) => {
      const host = await this.ensureHost(op, options.hostEnv, this.providerConfig);
      const olds = [...this.resources.values()];
      const steps = olds.map((old) => this.newStep(op, "refresh", old.urn, old.type, old));
      const settled: Array<PromiseSettledResult<Awaited<ReturnType<HostProcess["read"]>>>> = [];
      const reads = this.pool(op);
      for (const [i, old] of olds.entries()) {
        await reads.submit(() =>
          this.call(steps[i], () => host.read(old.id, old.urn, old.outputs, old.inputs)).then(
            (value) => {
              settled[i] = { status: "fulfilled", value };
            },
            (reason: unknown) => {
              settled[i] = { status: "rejected", reason };
            },
          ),
        );
      }
      await reads.drain();
      let firstError: unknown;
      settled.forEach((s, i) => {
        const old = olds[i];
        const step = steps[i];
        if (s.status === "rejected") {
          firstError ??= s.reason;
          return;
        }
        if (s.value.id === "") {
          step.dropped = true;
          this.resources.delete(old.urn);
          return;
        }
        const inputs = s.value.inputs ?? old.inputs;
        step.drift = changedKeys(old.outputs, s.value.properties);
        step.changedKeys = changedKeys(old.inputs, inputs);
        step.new = { ...old, id: s.value.id, inputs, outputs: s.value.properties };
        this.resources.set(old.urn, step.new);
      });
      if (firstError) throw firstError;
    });
  }

  /** `pulumi destroy`: Delete every resource with its old outputs, last registered first, at most `parallel` at once. */
  destroy(options: OperationOptions = {}): Promise<OperationResult> {
    return this.operation("destroy", options, async (op) => {
      const host = await this.ensureHost(op, options.hostEnv, this.providerConfig);
      const deletes = this.pool(op);
      for (const old of [...this.pendingDeletes]) {
        if (deletes.failed) break;
        await deletes.submit(() => this.deletePending(op, host, old));
      }
      for (const old of [...this.resources.values()].reverse()) {
        if (deletes.failed) break;
        const step = this.newStep(op, "delete", old.urn, old.type, old);
        await deletes.submit(async () => {
          await this.call(step, () => host.delete(old.id, old.urn, old.outputs, old.inputs));
          this.resources.delete(old.urn);
        });
      }
      await deletes.drain();
    });
  }

  /** `pulumi state delete <urn>`: the resource leaves the state; nothing is called. */
  stateDelete(urn: string): void {
    if (!this.resources.delete(urn)) throw new Error(`state delete ${urn}: no such resource in the stack`);
  }

  /** Stops the host process. Idempotent; call it in `afterEach`. */
  async stop(): Promise<void> {
    const host = this.host;
    this.host = undefined;
    await host?.stop();
  }

  private async operation(
    kind: OperationKind,
    options: OperationOptions,
    body: (op: OperationResult) => Promise<void>,
  ): Promise<OperationResult> {
    const parallel = checkParallel(options.parallel ?? this.options.parallel ?? defaultParallel());
    const op: OperationResult = {
      kind,
      steps: [],
      calls: [],
      summary: {},
      parallel,
      peakParallel: 0,
      hostStartMs: 0,
    };
    this.operations.push(op);
    this.currentCalls = op.calls;
    try {
      await body(op);
    } catch (e) {
      const cause = e instanceof Error ? e : new Error(String(e));
      throw new DeploymentError(
        op,
        op.steps.find((s) => s.error === cause),
        cause,
      );
    } finally {
      this.currentCalls = undefined;
      for (const step of op.steps) op.summary[step.op] = (op.summary[step.op] ?? 0) + 1;
    }
    return op;
  }

  /** A step pool of the operation's `--parallel`; its peak is reported on the operation. */
  private pool(op: OperationResult): StepPool {
    return new StepPool(op.parallel, (running) => {
      op.peakParallel = Math.max(op.peakParallel, running);
    });
  }

  /** Puts the registered resources first in the state, in registration order, as the checkpoint keeps them. */
  private keepRegistrationOrder(registered: string[]): void {
    const ordered = new Map<string, ResourceState>();
    for (const urn of registered) {
      const state = this.resources.get(urn);
      if (state) ordered.set(urn, state);
    }
    for (const [urn, state] of this.resources) if (!ordered.has(urn)) ordered.set(urn, state);
    this.resources.clear();
    for (const [urn, state] of ordered) this.resources.set(urn, state);
  }

  private newStep(op: OperationResult, kind: StepOp, urn: string, type: string, old?: ResourceState): Step {
    const step: Step = { op: kind, urn, type, changedKeys: [], calls: [] };
    if (old) step.old = old;
    op.steps.push(step);
    return step;
  }

  /** Runs a host call for a step, recording its error on the step. */
  private async call<T>(step: Step, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.stepContext.run(step, fn);
    } catch (e) {
      step.error = e instanceof Error ? e : new Error(String(e));
      throw step.error;
    }
  }

  private async check(
    host: HostProcess,
    step: Step,
    r: CapturedResource,
    old: ResourceState | undefined,
  ): Promise<PropertyMap> {
    const res = await this.call(step, () => host.check(r.urn, old?.inputs ?? {}, r.inputs));
    if (res.failures.length > 0) {
      step.op = "check";
      step.failures = res.failures;
      step.error = new CheckFailedError(r.urn, res.failures);
      throw step.error;
    }
    return res.inputs;
  }

  /** Diff against the old state; sets the step's op (same, update or replace). */
  private async diff(
    host: HostProcess,
    step: Step,
    r: CapturedResource,
    old: ResourceState,
    inputs: PropertyMap,
  ): Promise<void> {
    const res = await this.call(step, () => host.diff(old.id, r.urn, old.outputs, inputs, old.inputs));
    step.changedKeys = changedKeys(old.inputs, inputs);
    const changes = res.changes === "some" || (res.changes === "unknown" && !wireEqual(old.inputs, inputs));
    // As the engine's DiffResult.Replace(): replace keys, or a detailed diff's replace kind.
    const replace =
      res.replaces.length > 0 ||
      Object.values(res.detailedDiff ?? {}).some((d) => d.kind.endsWith("replace"));
    if (!changes) {
      step.op = "same";
    } else if (replace) {
      step.op = "replace";
      step.replaces = res.replaces;
      // The resource option, when the program set it, overrides the provider.
      step.deleteBeforeReplace = r.deleteBeforeReplace ?? res.deleteBeforeReplace;
      // The engine checks a replaced resource again without olds ("recompute the default
      // values"), and creates it with those inputs.
      step.recheckedInputs = await this.check(host, step, r, undefined);
    } else {
      step.op = "update";
    }
  }

  /** A `--replace` target: the engine's own diff, replace blaming `id`; the provider is not asked. */
  private forceReplace(step: Step, r: CapturedResource, old: ResourceState, inputs: PropertyMap): void {
    step.op = "replace";
    step.replaces = ["id"];
    step.deleteBeforeReplace = r.deleteBeforeReplace ?? false;
    step.changedKeys = changedKeys(old.inputs, inputs);
  }

  /** The URNs of a `--replace`; each must be in the state, as the CLI requires. */
  private replaceTargets(options: UpOptions): Set<string> {
    for (const urn of options.replace ?? []) {
      if (!this.resources.has(urn)) throw new Error(`--replace ${urn}: no such resource in the stack`);
    }
    return new Set(options.replace);
  }

  private async create(
    host: HostProcess,
    step: Step,
    r: CapturedResource,
    inputs: PropertyMap,
  ): Promise<void> {
    try {
      const res = await this.call(step, () => host.create(r.urn, inputs));
      step.new = this.record(r, res.id, inputs, res.properties);
    } catch (e) {
      // Created but not initialized: the engine keeps it in the state, so it is not leaked.
      if (e instanceof HostCallError && e.initFailure) {
        step.new = this.record(r, e.initFailure.id, inputs, e.initFailure.properties);
      }
      throw e;
    }
  }

  /** A preview's Create: what the provider says it would record; the state does not change. */
  private async previewCreate(
    host: HostProcess,
    step: Step,
    r: CapturedResource,
    inputs: PropertyMap,
  ): Promise<void> {
    const res = await this.call(step, () => host.create(r.urn, inputs, { preview: true }));
    step.previewed = {
      urn: r.urn,
      type: r.type,
      id: res.id,
      inputs,
      outputs: res.properties,
      secretKeys: r.secretKeys,
    };
  }

  private record(r: CapturedResource, id: string, inputs: PropertyMap, outputs: PropertyMap): ResourceState {
    const state: ResourceState = { urn: r.urn, type: r.type, id, inputs, outputs, secretKeys: r.secretKeys };
    this.resources.set(r.urn, state);
    return state;
  }

  /** The delete of an old resource an earlier up left marked for deletion. */
  private async deletePending(op: OperationResult, host: HostProcess, old: ResourceState): Promise<void> {
    const step = this.newStep(op, "delete", old.urn, old.type, old);
    await this.call(step, () => host.delete(old.id, old.urn, old.outputs, old.inputs));
    this.pendingDeletes.splice(this.pendingDeletes.indexOf(old), 1);
  }

  private unregistered(registered: Set<string>): ResourceState[] {
    return [...this.resources.values()].filter((s) => !registered.has(s.urn)).reverse();
  }

  /**
   * The program's resources as the face's provider receives them: the dynamic resources as
   * they are, or (plugin face) each mapped to the plugin's registration.
   */
  private providerResources(program: CapturedProgram): CapturedResource[] {
    const resources: CapturedResource[] = [];
    for (const r of program.resources) {
      if (!r.custom) continue; // components: no provider calls
      if (!DYNAMIC_TYPE.test(r.type) || r.provider !== "") {
        throw new Error(
          `${r.urn}: only dynamic resources with the default provider are simulated (type ${r.type})`,
        );
      }
      if (r.ignoreChanges.length > 0 || r.replaceOnChanges.length > 0) {
        throw new Error(`${r.urn}: ignoreChanges/replaceOnChanges are not simulated`);
      }
      resources.push(this.face === "plugin" ? pluginResource(r, this.plugin) : r);
    }
    return resources;
  }

  private async runProgram(preview: boolean): Promise<CapturedProgram> {
    const run = () =>
      capture({
        programDir: this.programDir,
        project: this.project,
        stack: this.stack,
        config: this.config,
        secretKeys: [...this.secretKeys],
        preview,
        env: this.options.programEnv,
      });
    if (!this.options.reuseProgramRuns) return run();
    const key = JSON.stringify([
      Object.entries(this.config).sort(),
      [...this.secretKeys].sort(),
      preview,
      this.options.programEnv ?? {},
    ]);
    let result = this.programRuns.get(key);
    if (!result) {
      result = run();
      this.programRuns.set(key, result);
      result.catch(() => this.programRuns.delete(key));
    }
    // A copy: callers own what they get.
    return structuredClone(await result);
  }

  /**
   * The default provider of the plugin, as the engine sets it up: its inputs are the stack
   * config of its package, un-namespaced (`ontap:host` → `host`), secrets marked; CheckConfig
   * first (failures fail the operation, before any resource), then Configure with them.
   */
  private async configurePlugin(host: HostProcess, config: Record<string, string>): Promise<void> {
    const prefix = `${this.plugin.package}:`;
    const args: Record<string, string> = {};
    const secrets: string[] = [];
    for (const [k, v] of Object.entries(config)) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      args[key] = v;
      if (this.secretKeys.has(k)) secrets.push(key);
    }
    const urn = `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${this.plugin.package}::default`;
    const checked = await host.checkConfig(urn, args, secrets);
    if (checked.failures.length > 0) throw new CheckFailedError(urn, checked.failures);
    await host.configure(args, secrets);
  }

  /**
   * The running host, configured with `config` (default: the current stack config); a new
   * one when the config changed.
   */
  private async ensureHost(
    op: OperationResult,
    hostEnv?: NodeJS.ProcessEnv,
    config: Record<string, string> = this.config,
  ): Promise<HostProcess> {
    const programKey = (k: string) =>
      this.options.restartHostOn !== "any-config" && k.startsWith(`${this.project}:`);
    const key = JSON.stringify([
      Object.entries(config)
        .filter(([k]) => !programKey(k))
        .sort(),
      [...this.secretKeys].filter((k) => !programKey(k)).sort(),
      hostEnv ?? {},
    ]);
    if (this.options.hostPerOperation === false && this.host?.running && this.hostConfigKey === key)
      return this.host;
    await this.stop();
    const started = performance.now();
    const plugin = this.face === "plugin";
    const host = await HostProcess.start({
      programDir: this.programDir,
      env: { ...this.options.hostEnv, ...hostEnv },
      ...(plugin ? { command: this.plugin.command, serveEngine: true } : {}),
      onCall: (call) => {
        this.transcript.push(call);
        this.currentCalls?.push(call);
        this.stepContext.getStore()?.calls.push(call);
      },
    });
    this.host = host;
    this.hosts.push(host);
    this.hostConfigKey = key;
    if (plugin) await this.configurePlugin(host, config);
    else await host.configure(config, [...this.secretKeys]);
    op.hostStartMs = performance.now() - started;
    return host;
  }
}
