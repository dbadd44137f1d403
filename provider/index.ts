import type * as pulumi from "@pulumi/pulumi";
import { type ConfigSource, ConnectionSettings, normalizeHost } from "./config";
import { toDiagnosticError } from "./diagnostics/render";
import {
  ClusterMismatchError,
  ConfigError,
  DuplicateResourceError,
  NewerStateError,
  PartialCreateError,
  PendingCreateError,
  SvmIdentityError,
} from "./errors";
import { announceCutOff, guardRefusal, sessionsOf } from "./iscsi/blast-radius";
import { deleteIscsiService } from "./iscsi/delete";
import { diffService, type Placement } from "./iscsi/diff";
import {
  createIscsiService,
  previewPendingCreate,
  readIscsiService,
  updateIscsiService,
} from "./iscsi/lifecycle";
import { type IscsiServiceInputs, type IscsiServiceOutputs, STATE_VERSION, toInputs } from "./iscsi/model";
import { type ManagedSvm, preflight } from "./iscsi/preflight";
import { type CheckedInputs, isUnknown, knownInputs, validateInputs } from "./iscsi/validate";
import type { OntapLogger } from "./ontap/types";
import type { SvmClaim } from "./ownership";
import { ClusterPool } from "./pool";
import type { ClusterSession } from "./session";

export {
  ActiveSessionsError,
  ClusterMismatchError,
  ConfigError,
  DuplicateResourceError,
  HandOverUnrecordedError,
  LostCreateError,
  NewerStateError,
  OntapDiagnosticError,
  OwnershipConflictError,
  PartialCreateError,
  PendingCreateError,
  ProviderError,
  ServiceLeftDisabledError,
  SvmIdentityError,
  UnreadCreateError,
} from "./errors";
export type { IscsiServiceInputs, IscsiServiceOutputs } from "./iscsi/model";

/** What `read` answers: the live outputs, and the inputs that reproduce them (ReadResult.inputs, 3.216+). */
export interface RefreshResult {
  id: string;
  props?: IscsiServiceOutputs;
  inputs?: IscsiServiceInputs;
}

/** Keys the dynamic-provider host adds to every resource's properties: the serialized provider. */
export interface HostKeys {
  __provider?: string;
}

/** Where the provider's warnings go: Pulumi's log (the engine, or stderr in the host). */
export type ProviderLogger = OntapLogger;

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
    if (failures.length === 0 && !isUnknown(inputs.cluster)) {
      // The connection's settings, the profile's or the default's, as a Check failure: a
      // thrown error would be printed twice, with a stack trace.
      try {
        this.settings.resolve(inputs.cluster);
        this.settings.preflightEnabled();
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        failures.push({ property: inputs.cluster === undefined ? "" : "cluster", reason: err.message });
      }
    }
    const validated = failures.length === 0;
    const sameCluster = this.sameCluster(olds.cluster, inputs.cluster);
    let resolvedUuid: string | undefined;
    if (
      failures.length === 0 &&
      isNewService(olds, inputs, sameCluster) &&
      this.settings.preflightEnabled()
    ) {
      const managed = managedSvm(olds);
      const found = await preflight(this.sessionFor(inputs.cluster), inputs, managed);
      failures.push(...found.failures);
      resolvedUuid = found.svm?.uuid;
    }
    if (validated) {
      const duplicate = await this.claimSvm(olds, news, inputs, resolvedUuid);
      // A second resource on the SVM explains the existing service the preflight found there.
      if (duplicate.length > 0)
        failures.splice(0, failures.length, ...failures.filter((f) => f.property !== "adopt"), ...duplicate);
    }
    if (failures.length === 0) this.noteReplacementGuard(olds, inputs, sameCluster);
    if (failures.length === 0 && this.settings.preflightEnabled())
      failures.push(...(await this.announceCutOff(olds, inputs, sameCluster)));
    return { inputs: failures.length ? news : inputs, failures };
  }

  /**
   * A replacement onto another SVM or cluster deletes the old service with the program's
   * protectActiveSessions, not the old state's: recorded for the delete, with or without
   * preflight (no request).
   */
  private noteReplacementGuard(
    olds: Record<string, unknown>,
    inputs: CheckedInputs,
    sameCluster: boolean,
  ): void {
    if (Object.keys(olds).length === 0 || !isNewService(olds, inputs, sameCluster)) return;
    let host: string;
    try {
      host = this.sessionFor(typeof olds.cluster === "string" ? olds.cluster : undefined).host;
    } catch {
      return;
    }
    const svm = {
      ...(typeof olds.svmUuid === "string" ? { uuid: olds.svmUuid } : {}),
      ...(typeof olds.svmName === "string" ? { name: olds.svmName } : {}),
    };
    this.pool.ownership.setReplacementGuard(svm, host, inputs.protectActiveSessions === true);
  }

  /**
   * When the change would end the old service's sessions (a disable; a replacement onto
   * another SVM or cluster), warn naming the hosts, or with protectActiveSessions fail the
   * check. Read-only, one lookup per cluster and run; a preview that cannot look says so once.
   */
  private async announceCutOff(
    olds: Record<string, unknown>,
    inputs: CheckedInputs,
    sameCluster: boolean,
  ): Promise<Array<{ property: string; reason: string }>> {
    if (Object.keys(olds).length === 0) return [];
    const disabling = inputs.enabled === false && olds.enabled !== false;
    const moving = isNewService(olds, inputs, sameCluster);
    if (!disabling && !moving) return [];
    const oldCluster = typeof olds.cluster === "string" ? olds.cluster : undefined;
    const svm = {
      ...(typeof olds.svmUuid === "string" ? { uuid: olds.svmUuid } : {}),
      ...(typeof olds.svmName === "string" ? { name: olds.svmName } : {}),
    };
    let session: ClusterSession;
    try {
      session = this.sessionFor(oldCluster);
    } catch {
      return [];
    }
    if (moving && !sameCluster && !isUnknown(inputs.cluster)) {
      // Another address of the same cluster (the same SVM UUID there) moves nothing.
      const oldUuid =
        svm.uuid ??
        (svm.name === undefined ? undefined : await session.svmUuidOf(svm.name).catch(() => undefined));
      const there =
        oldUuid === undefined
          ? undefined
          : await this.sessionFor(inputs.cluster)
              .svmDirectory()
              .catch(() => undefined);
      const sameSvm =
        (inputs.svmName !== undefined && inputs.svmName === svm.name) ||
        (inputs.svmUuid !== undefined && inputs.svmUuid === oldUuid?.toLowerCase());
      if (!disabling && sameSvm && oldUuid !== undefined && there?.has(oldUuid.toLowerCase())) return [];
    }
    const change = disabling && !moving ? "Disabling" : "Replacing";
    const seen = await sessionsOf(session, svm, "preview");
    const label = svm.name ?? svm.uuid ?? "";
    const property =
      disabling && !moving
        ? "enabled"
        : inputs.svmName !== olds.svmName
          ? "svmName"
          : inputs.svmUuid !== undefined
            ? "svmUuid"
            : "cluster";
    // A preview that cannot tell only says so; the apply's guard refuses then.
    if (inputs.protectActiveSessions === true && seen.known && seen.sessions > 0)
      return [{ property, reason: guardRefusal(change, label, session.host, seen).message }];
    announceCutOff(session, change, label, seen);
    return [];
  }

  /**
   * Always an explicit `changes`. No network, unless the connection now reaches the cluster
   * by another address than the one in state: then one look at that cluster's SVMs (once
   * per cluster and run) tells whether it is the same cluster (an update of `host`, with
   * no write) or another one (refused, unless the resource moved to another profile).
   */
  async diff(
    _id: string,
    olds: IscsiServiceOutputs,
    news: CheckedInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    refuseNewerState(olds);
    // Check claimed the SVM by the name in the program; state knows its UUID (an SVM renamed
    // outside Pulumi no longer has that name, and another resource may name its new one).
    const duplicate = await this.pool.ownership.confirmUuid(olds.svmUuid, this.settings.preflightEnabled());
    if (duplicate) {
      const reachedAs = duplicate.session.host === olds.host ? undefined : duplicate.session.host;
      throw new DuplicateResourceError(duplicate.name ?? olds.svmName, olds.host, reachedAs);
    }
    let placement: Placement = "unknown";
    let compared = news;
    if (!isUnknown(news.cluster)) {
      const session = this.sessionFor(news.cluster);
      placement = await this.placementOf(olds, session);
      const profileChanged = (news.cluster ?? "") !== (olds.cluster ?? "");
      if (placement === "other-cluster" && !profileChanged)
        throw await this.mismatch(olds, news.cluster, session);
      compared = await this.renamedSvm(olds, news, session, placement);
      if (placement !== "other-cluster" && !isUnknown(news.adopt))
        await previewPendingCreate(session, olds, news.adopt === true);
      if (placement !== "other-cluster") await this.announceRenamedDisable(olds, news, session);
    }
    const result = diffService(olds, compared, placement);
    if (result.replaces.length === 0) this.pool.ownership.staysOnLast(olds.svmUuid);
    if (result.replaces.length > 0) {
      this.pool.ownership.expectRecheck();
      if (!isUnknown(news.cluster) && !isUnknown(news.svmName) && !isUnknown(news.svmUuid))
        this.pool.ownership.recordMove(
          { uuid: olds.svmUuid, name: olds.svmName },
          { name: news.svmName, uuid: news.svmUuid },
          this.sessionFor(news.cluster).host,
        );
    }
    return {
      changes: result.changes,
      replaces: result.replaces,
      deleteBeforeReplace: result.deleteBeforeReplace,
    };
  }

  /**
   * A disable of an SVM renamed outside Pulumi: Check looked its sessions up by the name in
   * the old inputs, which the cluster no longer has; the UUID in state finds them. Warns
   * naming the hosts, or with protectActiveSessions fails the preview. Reads only when the
   * change disables (the cluster's SVM list, once per run).
   */
  private async announceRenamedDisable(
    olds: IscsiServiceOutputs,
    news: CheckedInputs,
    session: ClusterSession,
  ): Promise<void> {
    if (news.enabled !== false || !olds.enabled || !this.settings.preflightEnabled()) return;
    const directory = await session.svmDirectory().catch(() => undefined);
    const current = directory?.get(olds.svmUuid.toLowerCase());
    if (current === undefined || current.name === olds.svmName) return;
    const seen = await sessionsOf(session, { uuid: olds.svmUuid, name: current.name }, "preview");
    if (!seen.known || seen.sessions === 0) return;
    if (news.protectActiveSessions === true)
      throw guardRefusal("Disabling", current.name, session.host, seen);
    announceCutOff(session, "Disabling", current.name, seen);
  }

  async create(inputs: CheckedInputs & HostKeys): Promise<pulumi.dynamic.CreateResult<IscsiServiceOutputs>> {
    try {
      const outs = await createIscsiService(this.sessionFor(inputs.cluster), knownInputs(inputs));
      return { id: outs.svmUuid, outs };
    } catch (err) {
      withProvider(err, inputs);
      throw err;
    }
  }

  /** Refresh: the live service, or an empty id when it (or its SVM) is gone so the engine drops it. */
  async read(id: string, props?: IscsiServiceOutputs): Promise<RefreshResult> {
    if (!props?.svmUuid)
      throw new Error(
        `Cannot refresh iSCSI service ${id}: its state has no svmUuid (pulumi import is not supported by dynamic providers; use adopt: true).`,
      );
    refuseNewerState(props);
    const session = await this.pinned(props);
    const outs = await readIscsiService(session, props);
    if (!outs) {
      await refuseIfSvmReplaced(session, props, "drop it from the stack as deleted");
      return { id: "" };
    }
    return { id: outs.svmUuid, props: outs, inputs: toInputs(outs) };
  }

  async update(
    _id: string,
    olds: IscsiServiceOutputs,
    news: CheckedInputs & HostKeys,
  ): Promise<pulumi.dynamic.UpdateResult<IscsiServiceOutputs>> {
    refuseNewerState(olds);
    const session = await this.pinned(olds, news.cluster);
    const wanted = knownInputs(news);
    if (wanted.enabled === false && olds.enabled && wanted.protectActiveSessions === true)
      // Named as the program names it now: an SVM renamed outside Pulumi has its new name.
      await refuseIfSessions(session, { ...olds, svmName: wanted.svmName ?? olds.svmName }, "Disabling");
    try {
      return { outs: await updateIscsiService(session, olds, wanted) };
    } catch (err) {
      // Finishing a pending create may record the resource anew (see create).
      withProvider(err, news);
      throw err;
    }
  }

  /**
   * Before the two-phase delete writes anything: who it cuts off (a warning naming the
   * hosts), and with protectActiveSessions a refusal while any are logged in or when that
   * cannot be told.
   */
  async delete(_id: string, props: IscsiServiceOutputs): Promise<void> {
    refuseNewerState(props);
    const session = await this.pinned(props);
    const svm = { uuid: props.svmUuid, name: props.svmName };
    const untouched = props.asaR2 || this.pool.ownership.otherHolder(svm, session.host, props.claimId);
    // The guard reads the live sessions whatever state says of `enabled` (it may have been
    // enabled outside Pulumi since); a replacement follows the program's setting.
    const guarded = this.pool.ownership.guarded(svm, session.host, props.protectActiveSessions === true);
    if (!untouched && guarded) await refuseIfSessions(session, props, "Deleting");
    else if (!untouched && props.enabled) await announceDelete(session, props);
    await deleteIscsiService(session, props, {
      // State said disabled; the service was enabled since: its disable is announced too.
      beforeUnannouncedDisable: () => announceDelete(session, props),
      // "Already deleted" only on the cluster that held it.
      onGone: () => refuseIfSvmReplaced(session, props, "count it as deleted"),
    });
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

  private sessionFor(cluster: string | undefined): ClusterSession {
    return this.pool.session(this.settings.resolve(cluster));
  }

  /**
   * Registers the SVM these inputs name in the run's ownership registry; a second resource
   * naming the same SVM fails here, before any write. Names are resolved to UUIDs only where
   * the preflight may send requests.
   */
  private async claimSvm(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    inputs: CheckedInputs,
    resolvedUuid: string | undefined,
  ): Promise<Array<{ property: string; reason: string }>> {
    if ([inputs.svmName, inputs.svmUuid, inputs.cluster].some(isUnknown)) {
      this.pool.ownership.forget();
      return [];
    }
    const session = this.sessionFor(inputs.cluster);
    const claim: SvmClaim = { session };
    if (inputs.svmName !== undefined) claim.name = inputs.svmName;
    const uuid = inputs.svmUuid ?? resolvedUuid;
    if (uuid !== undefined) claim.uuid = uuid.toLowerCase();
    const other = await this.pool.ownership.check(claim, olds, news, this.settings.preflightEnabled());
    if (!other) return [];
    const svm = inputs.svmName ?? other.name ?? inputs.svmUuid ?? "";
    const property = inputs.svmName !== undefined ? "svmName" : "svmUuid";
    const reachedAs = other.session.host === session.host ? undefined : other.session.host;
    return [{ property, reason: new DuplicateResourceError(svm, session.host, reachedAs).message }];
  }

  /**
   * A new `svmName` without `svmUuid` may be the same SVM renamed outside Pulumi: when the
   * cluster says that name now belongs to the UUID in state, compare by that UUID, so the
   * rename is an update, never a delete-first replacement of the live service. One read of
   * the cluster's SVM list per run, only when the name changed.
   */
  private async renamedSvm(
    olds: IscsiServiceOutputs,
    news: CheckedInputs,
    session: ClusterSession,
    placement: Placement,
  ): Promise<CheckedInputs> {
    const renamed =
      (placement === "same-host" || placement === "same-cluster") &&
      news.svmUuid === undefined &&
      news.svmName !== undefined &&
      !isUnknown(news.svmName) &&
      news.svmName !== olds.svmName;
    if (!renamed || news.svmName === undefined) return news;
    const uuid = await session.svmUuidOf(news.svmName).catch(() => undefined);
    return uuid?.toLowerCase() === olds.svmUuid.toLowerCase()
      ? { ...news, svmUuid: olds.svmUuid.toLowerCase() }
      : news;
  }

  /** Where the service recorded in `state` is, as seen from `session`: same host, same cluster by another address, or another cluster. */
  private async placementOf(state: IscsiServiceOutputs, session: ClusterSession): Promise<Placement> {
    if (session.host === normalizeHost(state.host, "state host")) return "same-host";
    let svms: Awaited<ReturnType<ClusterSession["svmDirectory"]>>;
    try {
      svms = await session.svmDirectory();
    } catch (err) {
      throw toDiagnosticError(err, {
        action: `tell whether ${session.host} is the cluster ${state.host} that holds this service`,
        svm: state.svmName,
      });
    }
    // An SVM's UUID is unique across clusters: the cluster that has it is the one in state.
    return svms.has(state.svmUuid.toLowerCase()) ? "same-cluster" : "other-cluster";
  }

  /**
   * The refusal when the connection's cluster lacks the service's SVM UUID: another cluster
   * — or, when it has an SVM of the same name with another UUID, possibly the same cluster
   * whose SVM was recreated, which the error then says too.
   */
  private async mismatch(
    state: IscsiServiceOutputs,
    cluster: string | undefined,
    session: ClusterSession,
  ): Promise<Error> {
    const namesake = await session.svmUuidOf(state.svmName).catch(() => undefined);
    const key = cluster === undefined ? "ontap:host" : `ontap:clusters.${cluster}.host`;
    return new ClusterMismatchError(state.svmName, state.host, key, session.host, namesake);
  }

  /**
   * The session for a service already in state. Another address of the same cluster is
   * followed (outputs then record it); another cluster is refused, naming both.
   */
  private async pinned(
    state: IscsiServiceOutputs,
    cluster: string | undefined = state.cluster,
  ): Promise<ClusterSession> {
    const session = this.sessionFor(cluster);
    if ((await this.placementOf(state, session)) === "other-cluster")
      throw await this.mismatch(state, cluster, session);
    return session;
  }
}

/**
 * Whether `check` should look the SVM up: for a create, or when the inputs may now name
 * another SVM or cluster. Each SVM identifier the new inputs give is compared with the
 * old inputs' (after a refresh they hold both); equal ones mean the same SVM, so a no-op
 * preview sends no request. Unknown identifiers (preview) cannot be looked up.
 */
function isNewService(olds: Record<string, unknown>, inputs: CheckedInputs, sameCluster: boolean): boolean {
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
function managedSvm(olds: Record<string, unknown>): ManagedSvm | undefined {
  // Also on another connection: a renamed profile or another address of the cluster finds
  // its own service there. On a truly other cluster a same-named SVM's service is then not
  // predicted in the preview; the move is create-first there, so its create fails with
  // 5374077 before the old service is touched.
  if (Object.keys(olds).length === 0) return undefined;
  const managed: ManagedSvm = {};
  if (typeof olds.svmName === "string") managed.name = olds.svmName;
  if (typeof olds.svmUuid === "string") managed.uuid = olds.svmUuid;
  return managed.name === undefined && managed.uuid === undefined ? undefined : managed;
}

/**
 * The host records an error's `properties` as the resource's outputs as they are; without
 * `__provider` in them, later refresh and delete could not load the provider.
 */
function withProvider(err: unknown, inputs: HostKeys): void {
  if ((err instanceof PartialCreateError || err instanceof PendingCreateError) && err.properties) {
    if (inputs.__provider !== undefined) err.properties.__provider = inputs.__provider;
  }
}

/**
 * Before a delete disables a service: the hosts it cuts off, named in a warning (once per
 * SVM and run: a replacement's check may have named them already), or one line per cluster
 * and run saying the sessions could not be looked up.
 */
async function announceDelete(session: ClusterSession, props: IscsiServiceOutputs): Promise<void> {
  const seen = await sessionsOf(session, { uuid: props.svmUuid, name: props.svmName }, "apply");
  announceCutOff(session, "Deleting", props.svmName, seen);
}

/** State written by a newer package is refused before anything reads or writes the cluster. */
function refuseNewerState(state: IscsiServiceOutputs): void {
  if (typeof state.stateVersion === "number" && state.stateVersion > STATE_VERSION)
    throw new NewerStateError(state.svmName, state.stateVersion, STATE_VERSION);
}

/**
 * Before a service missing from its cluster counts as deleted: when the SVM's UUID is gone
 * but an SVM of the same name is there with another UUID, another cluster answers at this
 * address (or the SVM was recreated): refused, naming both UUIDs. One read of the
 * cluster's SVM list per run, only when a service is missing.
 */
async function refuseIfSvmReplaced(
  session: ClusterSession,
  state: IscsiServiceOutputs,
  operation: string,
): Promise<void> {
  let directory: Awaited<ReturnType<ClusterSession["svmDirectory"]>>;
  try {
    directory = await session.svmDirectory();
  } catch (err) {
    throw toDiagnosticError(err, {
      action: `tell whether SVM ${state.svmName}'s service is gone from cluster ${session.host}`,
      svm: state.svmName,
    });
  }
  if (directory.has(state.svmUuid.toLowerCase())) return;
  // The same (cached) directory: no second request.
  const namesake = await session.svmUuidOf(state.svmName);
  if (namesake) throw new SvmIdentityError(state.svmName, state.svmUuid, session.host, namesake, operation);
}

/** The guard at apply time: refuses (nothing written) while sessions are active, or when it cannot tell. */
async function refuseIfSessions(
  session: ClusterSession,
  state: IscsiServiceOutputs,
  change: string,
): Promise<void> {
  const seen = await sessionsOf(session, { uuid: state.svmUuid, name: state.svmName }, "apply");
  if (!seen.known || seen.sessions > 0) throw guardRefusal(change, state.svmName, session.host, seen);
}

let shared: IscsiServiceProvider | undefined;

/** The one provider instance of this process: reads of many resources share its per-cluster batching. */
export function sharedProvider(): IscsiServiceProvider {
  shared ??= new IscsiServiceProvider();
  return shared;
}
