import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigSource, ConnectionSettings, normalizeHost } from "./config";
import { diffService } from "./iscsi/diff";
import { ClusterMismatchError } from "./iscsi/errors";
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

export { ConfigError } from "./config";
export {
  ClusterMismatchError,
  LostCreateError,
  PartialCreateError,
  ServiceLeftDisabledError,
} from "./iscsi/errors";
export type { IscsiServiceInputs, IscsiServiceOutputs } from "./iscsi/model";
export { OntapDiagnosticError } from "./ontap/diagnostics";

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
    this.settings = new ConnectionSettings(req.config, this.#env);
    this.pool.reset();
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
    if (failures.length === 0 && isNewService(olds, inputs) && this.settings.preflightEnabled()) {
      failures.push(...(await preflight(this.handleFor(inputs.cluster), inputs, managedSvm(olds, inputs))));
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
    const outs = await createIscsiService(this.handleFor(inputs.cluster), inputs);
    return { id: outs.svmUuid, outs };
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
function isNewService(olds: Record<string, unknown>, inputs: IscsiServiceInputs): boolean {
  const known = [inputs.svmName, inputs.svmUuid, inputs.cluster].every((v) => !isUnknown(v));
  if (!known) return false;
  if (Object.keys(olds).length === 0) return true;
  if ((olds.cluster ?? undefined) !== inputs.cluster) return true;
  const sameName = inputs.svmName === undefined || inputs.svmName === olds.svmName;
  const sameUuid =
    inputs.svmUuid === undefined ||
    (typeof olds.svmUuid === "string" && inputs.svmUuid === olds.svmUuid.toLowerCase());
  return !(sameName && sameUuid);
}

/** The SVM an existing resource lives on (old inputs, same cluster): finding it is no failure. */
function managedSvm(olds: Record<string, unknown>, inputs: IscsiServiceInputs): ManagedSvm | undefined {
  if (Object.keys(olds).length === 0 || (olds.cluster ?? undefined) !== inputs.cluster) return undefined;
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
