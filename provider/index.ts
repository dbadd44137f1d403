import type * as pulumi from "@pulumi/pulumi";
import { type ConfigSource, ConnectionSettings, normalizeHost } from "./config";
import { ClusterMismatchError, ConfigError, PartialCreateError } from "./errors";
import { diffService } from "./iscsi/diff";
import {
  type ClusterHandle,
  createIscsiService,
  deleteIscsiService,
  readIscsiService,
  updateIscsiService,
} from "./iscsi/lifecycle";
import { type IscsiServiceInputs, type IscsiServiceOutputs, toInputs } from "./iscsi/model";
import { type ManagedSvm, preflight } from "./iscsi/preflight";
import { isUnknown, validateInputs } from "./iscsi/validate";
import { ClusterPool, type PooledHandle } from "./pool";

export {
  ClusterMismatchError,
  ConfigError,
  LostCreateError,
  OntapDiagnosticError,
  PartialCreateError,
  ServiceLeftDisabledError,
} from "./errors";
export type { IscsiServiceInputs, IscsiServiceOutputs } from "./iscsi/model";

/** Where the provider's warnings go: Pulumi's log (the engine, or stderr in the host). */
export interface ProviderLogger {
  debug(message: string): void;
  warn(message: string): void;
}

/** Options for direct use (tests, tools); the Pulumi host uses the defaults. */
export interface ProviderOptions {
  /** Environment for the ONTAP_* fallback. Default process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: ProviderLogger;
}

function defaultLogger(): ProviderLogger {
  // Loaded lazily: the host already has @pulumi/pulumi loaded, direct users may not need it.
  const log = (require("@pulumi/pulumi") as typeof pulumi).log;
  return { debug: (m) => void log.debug(m), warn: (m) => void log.warn(m) };
}

/**
 * The dynamic provider for `IscsiService`. Connections are read from stack config in
 * `configure` (or the environment) at call time, never from resource inputs.
 */
export class IscsiServiceProvider implements pulumi.dynamic.ResourceProvider {
  private settings: ConnectionSettings;
  private readonly pool: ClusterPool;
  /** #private: the environment may hold ONTAP_PASSWORD, and util.inspect never shows #fields. */
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: ProviderOptions = {}) {
    this.#env = options.env ?? process.env;
    this.settings = new ConnectionSettings(undefined, this.#env);
    this.pool = new ClusterPool(options.logger ?? defaultLogger());
  }

  /** Takes the stack config the host passes (`ontap:*`); may be called again with newer config. */
  async configure(req: { config: ConfigSource }): Promise<void> {
    // The pool keys handles by their settings, so unchanged settings keep their clients,
    // batchers and preflight evidence: the host configures once per `__provider` string.
    this.settings = new ConnectionSettings(req.config, this.#env);
  }

  /** Validates every input before any request; then, for a create, a read-only preflight. */
  async check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = validateInputs(news);
    if (failures.length === 0 && inputs.cluster !== undefined && !isUnknown(inputs.cluster)) {
      try {
        this.settings.resolve(inputs.cluster);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        failures.push({ property: "cluster", reason: err.message });
      }
    }
    const sameCluster = this.sameCluster(olds.cluster, inputs.cluster);
    if (
      failures.length === 0 &&
      isNewService(olds, inputs, sameCluster) &&
      this.settings.preflightEnabled()
    ) {
      const managed = managedSvm(olds, sameCluster);
      failures.push(...(await preflight(this.handleFor(inputs.cluster), inputs, managed)));
    }
    return { inputs: failures.length ? news : inputs, failures };
  }

  /** Pure: no network. Always an explicit `changes`. */
  async diff(
    _id: string,
    olds: IscsiServiceOutputs,
    news: IscsiServiceInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    let newHost: string | undefined;
    try {
      newHost = isUnknown(news.cluster) ? undefined : this.settings.resolve(news.cluster).host;
    } catch {
      newHost = undefined;
    }
    const result = diffService(olds, news, newHost);
    return {
      changes: result.changes,
      replaces: result.replaces,
      deleteBeforeReplace: result.deleteBeforeReplace,
    };
  }

  async create(inputs: IscsiServiceInputs): Promise<pulumi.dynamic.CreateResult<IscsiServiceOutputs>> {
    try {
      const outs = await createIscsiService(this.handleFor(inputs.cluster), inputs);
      return { id: outs.svmUuid, outs };
    } catch (err) {
      // The host records these properties as the resource's outputs as they are; without
      // `__provider` in them, later refresh and delete could not load the provider.
      if (err instanceof PartialCreateError) {
        const provider = (inputs as unknown as Record<string, unknown>).__provider;
        if (provider !== undefined)
          (err.properties as unknown as Record<string, unknown>).__provider = provider;
      }
      throw err;
    }
  }

  /** Refresh: the live service, or an empty id when it (or its SVM) is gone so the engine drops it. */
  async read(
    id: string,
    props?: IscsiServiceOutputs,
  ): Promise<pulumi.dynamic.ReadResult<IscsiServiceOutputs>> {
    if (!props?.svmUuid)
      throw new Error(
        `Cannot refresh iSCSI service ${id}: its state has no svmUuid (pulumi import is not supported by dynamic providers; use adopt: true).`,
      );
    const outs = await readIscsiService(this.pinned(props), props);
    if (!outs) return { id: "" };
    return { id: outs.svmUuid, props: outs, inputs: toInputs(outs) as unknown as IscsiServiceOutputs };
  }

  async update(
    _id: string,
    olds: IscsiServiceOutputs,
    news: IscsiServiceInputs,
  ): Promise<pulumi.dynamic.UpdateResult<IscsiServiceOutputs>> {
    return { outs: await updateIscsiService(this.pinned(olds, news.cluster), olds, news) };
  }

  async delete(_id: string, props: IscsiServiceOutputs): Promise<void> {
    await deleteIscsiService(this.pinned(props), props);
  }

  /** Whether two profile names (undefined: the default connection) reach the same cluster host. */
  private sameCluster(a: unknown, b: string | undefined): boolean {
    const old = typeof a === "string" ? a : undefined;
    if (old === b) return true;
    if (isUnknown(b)) return false;
    try {
      return this.settings.resolve(old).host === this.settings.resolve(b).host;
    } catch {
      return false;
    }
  }

  private handleFor(cluster: string | undefined): PooledHandle {
    return this.pool.handle(this.settings.resolve(cluster));
  }

  /** The handle for a service already in state: refuses when its profile now points at another cluster. */
  private pinned(state: IscsiServiceOutputs, cluster: string | undefined = state.cluster): ClusterHandle {
    const handle = this.handleFor(cluster);
    const recorded = normalizeHost(state.host, "state host");
    if (handle.host !== recorded) {
      const key = cluster === undefined ? "ontap:host" : `ontap:clusters.${cluster}.host`;
      throw new ClusterMismatchError(state.svmName, recorded, key, handle.host);
    }
    return handle;
  }
}

/**
 * Whether `check` should look the SVM up: for a create, or when the inputs may now name
 * another SVM or cluster. Each SVM identifier the new inputs give is compared with the
 * old inputs' (after a refresh they hold both); equal ones mean the same SVM, so a no-op
 * preview sends no request. Unknown identifiers (preview) cannot be looked up.
 */
function isNewService(
  olds: Record<string, unknown>,
  inputs: IscsiServiceInputs,
  sameCluster: boolean,
): boolean {
  const known = [inputs.svmName, inputs.svmUuid, inputs.cluster].every((v) => !isUnknown(v));
  if (!known) return false;
  if (Object.keys(olds).length === 0) return true;
  if (!sameCluster) return true;
  const sameName = inputs.svmName === undefined || inputs.svmName === olds.svmName;
  const sameUuid =
    inputs.svmUuid === undefined ||
    (typeof olds.svmUuid === "string" && inputs.svmUuid === olds.svmUuid.toLowerCase());
  return !(sameName && sameUuid);
}

/** The SVM an existing resource lives on (old inputs, same cluster): finding it is no failure. */
function managedSvm(olds: Record<string, unknown>, sameCluster: boolean): ManagedSvm | undefined {
  if (Object.keys(olds).length === 0 || !sameCluster) return undefined;
  const managed: ManagedSvm = {};
  if (typeof olds.svmName === "string") managed.name = olds.svmName;
  if (typeof olds.svmUuid === "string") managed.uuid = olds.svmUuid;
  return managed.name === undefined && managed.uuid === undefined ? undefined : managed;
}

let shared: IscsiServiceProvider | undefined;

/** The one provider instance of this process: reads of many resources share its per-cluster batching. */
export function sharedProvider(): IscsiServiceProvider {
  shared ??= new IscsiServiceProvider();
  return shared;
}
