import {
  createService,
  findService,
  findServiceByUuid,
  updateService,
} from "../api/protocols-san-iscsi-services";
import { findSvm } from "../api/svm-svms";
import type { ClusterRun } from "../cluster-run";
import { adopted } from "../diagnostics/messages";
import { OntapCode } from "../diagnostics/ontap-codes";
import { type DiagnosticContext, toDiagnosticError } from "../diagnostics/render";
import {
  LostCreateError,
  OwnershipConflictError,
  PartialCreateError,
  PartialUpdateError,
  UnreadCreateError,
} from "../errors";
import { OntapJobPendingError, OntapLostResponseError } from "../errors/transport";
import { classify, hasCode } from "../ontap/failures";
import { announceCutOff, guardRefusal, sessionsOf } from "./blast-radius";
import {
  applyPatch,
  asPosted,
  type IscsiServiceInputs,
  type IscsiServiceOutputs,
  type IscsiServiceRecord,
  patchesFor,
  refreshedOutputs,
  stateRecord,
  toCreateBody,
  toOutputs,
} from "./model";
import { pendingCreate, pendingJobOutcome, settledPendingService } from "./pending-job";

function svmLabel(svm: { svmName?: string; svmUuid?: string }): string | undefined {
  return svm.svmName ?? svm.svmUuid;
}

/**
 * Brings a live service to the desired state: one PATCH per field that differs (ONTAP
 * refuses `enabled` with `target`, 5374081). `live` is updated after each PATCH that
 * succeeds, so a caller that catches a failure still knows what the service looks like.
 */
async function converge(
  run: ClusterRun,
  live: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
): Promise<IscsiServiceRecord> {
  for (const patch of patchesFor(live, inputs)) {
    await updateService(run.client, live.svm.uuid, patch.body);
    applyPatch(live, patch.name, patch.value);
  }
  return live;
}

function outputsFor(
  run: ClusterRun,
  record: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
  how: { adopted: boolean; asaR2: boolean; claimId: string | undefined },
): IscsiServiceOutputs {
  return toOutputs(record, inputs, { host: run.host, ...how });
}

/**
 * A service this create made, brought to the inputs. When that fails, the error carries
 * the service's id and its outputs as they now are, so that the engine records the
 * resource (created, failed to initialize) instead of leaving the service orphaned; the
 * next `pulumi up` updates it.
 */
async function finishCreated(
  run: ClusterRun,
  record: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
  action: DiagnosticContext,
): Promise<IscsiServiceOutputs> {
  const claimId = run.recordWrite(record.svm, "created");
  const live: IscsiServiceRecord = { ...record };
  try {
    await converge(run, live, inputs);
  } catch (err) {
    throw new PartialCreateError(
      toDiagnosticError(err, action),
      outputsFor(run, live, inputs, { adopted: false, asaR2: false, claimId }),
    );
  }
  return outputsFor(run, live, inputs, { adopted: false, asaR2: false, claimId });
}

/**
 * Create: one POST. An existing service (5374077, or ASA r2's 5376452) is taken over only
 * with `adopt: true`. A lost response is reconciled by reading before anything else.
 */
export async function createIscsiService(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
): Promise<IscsiServiceOutputs> {
  return asCreate(run, inputs, () => createOrAdopt(run, inputs, false));
}

/**
 * Runs `create` as this run's create on the SVM the inputs name (see RunOwnership.creating).
 * Once per create: the POST an adopt sends again runs inside it, not as another.
 */
function asCreate(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
  create: () => Promise<IscsiServiceOutputs>,
): Promise<IscsiServiceOutputs> {
  return run.ownership.creating({ name: inputs.svmName, uuid: inputs.svmUuid }, run.host, create);
}

/**
 * The create itself (see createIscsiService). `again`: the POST after an adopt found the
 * service gone (a hand-over); a service met then is an error, not another adopt.
 */
async function createOrAdopt(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
  again: boolean,
): Promise<IscsiServiceOutputs> {
  const action = { action: "create the iSCSI service", svm: svmLabel(inputs) };
  let record: IscsiServiceRecord;
  try {
    record = await createService(run.client, toCreateBody(inputs));
  } catch (err) {
    if (err instanceof UnreadCreateError) throw err;
    if (hasCode(err, OntapCode.serviceExists, OntapCode.asaR2)) {
      if (!inputs.adopt) throw toDiagnosticError(err, await namedSvm(run, inputs, action));
      if (again) throw toDiagnosticError(err, await namedSvm(run, inputs, action));
      return adopt(run, inputs, hasCode(err, OntapCode.asaR2));
    }
    // A job still running is a pending outcome: never POST again while it runs.
    if (err instanceof OntapJobPendingError) throw await pendingCreate(run, inputs, err);
    // A lost answer, or an ONTAP internal error (5xx), may come after the service was made: read first.
    if (classify(err).outcomeUnknown) return reconcileLostCreate(run, inputs, err, action);
    throw toDiagnosticError(err, await namedSvm(run, inputs, action));
  }
  return finishCreated(run, record, inputs, action);
}

/**
 * The context of a create's failure with the SVM's name, looked up (one GET) when the
 * resource gives only a UUID: the fix commands take a name (vserver start -vserver <name>).
 */
async function namedSvm(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
  action: DiagnosticContext,
): Promise<DiagnosticContext> {
  if (inputs.svmName !== undefined || inputs.svmUuid === undefined) return action;
  const svm = await findSvm(run.client, run.releases, { uuid: inputs.svmUuid }).catch(() => undefined);
  return svm ? { ...action, svm: svm.name } : action;
}

/**
 * Takes over an existing service; `isAsaR2System` says whether the cluster is ASA r2, or
 * asks it. A service gone by the time the adopt holds its SVM (a delete of this run, a
 * hand-over, removed it) is created anew with one more POST. Runs inside the create's
 * turn ({@link asCreate}).
 */
async function adopt(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
  isAsaR2System: boolean | (() => Promise<boolean>),
): Promise<IscsiServiceOutputs> {
  let adopted: IscsiServiceOutputs | undefined;
  try {
    adopted = await takeOver(run, inputs, isAsaR2System);
  } catch (e) {
    throw toDiagnosticError(e, { action: "adopt the existing iSCSI service", svm: svmLabel(inputs) });
  }
  return adopted ?? createOrAdopt(run, inputs, true);
}

/** The adopt itself: undefined when the SVM has no service (any more). */
async function takeOver(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
  isAsaR2System: boolean | (() => Promise<boolean>),
): Promise<IscsiServiceOutputs | undefined> {
  const found = await findService(run.client, { name: inputs.svmName, uuid: inputs.svmUuid });
  if (!found) return undefined;
  // Alone with this SVM: a delete of this run (a hand-over) either ended before, and the
  // service is gone, or starts after and sees this resource's claim.
  return run.ownership.exclusive(found.svm.uuid, async () => {
    const existing = await findServiceByUuid(run.client, found.svm.uuid);
    if (!existing) return undefined;
    const holder = run.ownership.heldByAnother(existing.svm.uuid, undefined);
    if (holder) throw new OwnershipConflictError(existing.svm.name, run.host, holder);
    if (inputs.enabled === false && (existing.enabled ?? true))
      await announceLiveDisable(run, existing, inputs);
    const claimId = run.recordWrite(existing.svm, "adopted");
    const asaR2 = typeof isAsaR2System === "boolean" ? isAsaR2System : await isAsaR2System();
    const record = await converge(run, { ...existing }, inputs);
    run.log.warn(adopted(record.svm.name, run.host, asaR2));
    return outputsFor(run, record, inputs, { adopted: true, asaR2, claimId });
  });
}

/**
 * A disable of a live service that state did not record as enabled (an adopt; a pending
 * create whose service was enabled outside Pulumi while its job ran) ends its sessions,
 * and Check, reading state, announced nothing: the hosts are named in a warning before the
 * PATCH, or with protectActiveSessions the change is refused (also when the sessions cannot
 * be looked up), nothing written.
 */
async function announceLiveDisable(
  run: ClusterRun,
  existing: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
): Promise<void> {
  const svm = existing.svm;
  const seen = await sessionsOf(run, { uuid: svm.uuid, name: svm.name }, "apply");
  if (inputs.protectActiveSessions === true) {
    if (!seen.known || seen.sessions > 0) throw guardRefusal("Disabling", svm.name, run.host, seen);
    return;
  }
  announceCutOff(run, "Disabling", svm.name, seen);
}

/** How many more POSTs a create whose answer was lost may send, each only after a read found nothing. */
const LOST_CREATE_REPOSTS = 2;

/**
 * The POST's answer was lost (or ONTAP answered 5xx): it may or may not have been applied.
 * Read first. Nothing there: a lost POST did not land, so send it once more (and if that
 * answer is lost too, read again); a 5xx stands as the error. A service there is this create's only with proof: this process saw the SVM
 * without one just before (preflight) and no other create of this process has claimed it
 * since; or the user asked to adopt. A 5374077 to a repeated POST means a service appeared
 * after the read (the first POST's job, most likely): read again and apply the same rule.
 */
async function reconcileLostCreate(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
  lost: unknown,
  action: DiagnosticContext,
): Promise<IscsiServiceOutputs> {
  const svm = { name: inputs.svmName, uuid: inputs.svmUuid };
  const label = svmLabel(inputs) ?? "";
  let last: unknown = lost;
  for (let reposts = 0; ; reposts++) {
    let existing: IscsiServiceRecord | undefined;
    try {
      existing = await findService(run.client, svm);
    } catch (err) {
      const read = toDiagnosticError(err, { action: "read the iSCSI service back", svm: label });
      throw new LostCreateError(label, run.host, { unread: read.message });
    }
    if (existing) {
      const proven = run.cache.sawNoService(svm) && !run.wrote(svm) && asPosted(existing, inputs);
      if (proven) return finishCreated(run, existing, inputs, action);
      if (!inputs.adopt) throw new LostCreateError(label, run.host);
      // The lost answer may have been ASA r2's 5376452: ask, so that destroy leaves it in place.
      return adopt(run, inputs, () => run.cache.isAsaR2());
    }
    // Nothing there. A lost answer is sent again; an ONTAP error answer stands.
    if (reposts === LOST_CREATE_REPOSTS || !(last instanceof OntapLostResponseError))
      throw toDiagnosticError(last, action);
    let record: IscsiServiceRecord;
    try {
      record = await createService(run.client, toCreateBody(inputs));
    } catch (err) {
      if (err instanceof OntapJobPendingError) throw await pendingCreate(run, inputs, err, true);
      if (err instanceof UnreadCreateError) throw err;
      if (!(err instanceof OntapLostResponseError) && !hasCode(err, OntapCode.serviceExists))
        throw toDiagnosticError(err, action);
      last = err;
      continue;
    }
    return finishCreated(run, record, inputs, action);
  }
}

/** Read for refresh: the live record, or undefined when the service or its SVM is gone. */
export async function readIscsiService(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
): Promise<IscsiServiceOutputs | undefined> {
  let record: IscsiServiceRecord | undefined;
  if (olds.pendingJob !== undefined) {
    const pending = await pendingJobOutcome(run, olds);
    if (pending.outcome === "pending") return olds;
    record = await settledPendingService(run, olds, pending.outcome, olds.adopt);
  } else {
    try {
      record = await run.batcher.read(olds.svmUuid);
    } catch (err) {
      throw toDiagnosticError(err, { action: "read the iSCSI service", svm: olds.svmName });
    }
  }
  return record ? refreshedOutputs(record, olds, run.host) : undefined;
}

/** Update: PATCH only what changed; the alias and `enabled` as separate calls (5374081). */
export async function updateIscsiService(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  news: IscsiServiceInputs,
): Promise<IscsiServiceOutputs> {
  if (olds.pendingJob !== undefined) return finishPendingCreate(run, olds, news);
  const record = recordedService(olds, news);
  try {
    await converge(run, record, news);
    return outputsFor(run, record, news, kept(olds));
  } catch (err) {
    throw await updateFailure(run, olds, news, record, err);
  }
}

/** The service as state records it; a name the diff accepted for the same SVM UUID is its name now (renamed outside Pulumi). */
function recordedService(olds: IscsiServiceOutputs, news: IscsiServiceInputs): IscsiServiceRecord {
  const record = stateRecord(olds);
  record.svm.name = news.svmName ?? olds.svmName;
  return record;
}

/** What an update keeps of the state: how the resource came to hold its service. */
function kept(olds: IscsiServiceOutputs): { adopted: boolean; asaR2: boolean; claimId: string | undefined } {
  return { adopted: olds.adopted, asaR2: olds.asaR2, claimId: olds.claimId };
}

/**
 * An update's failure as the engine gets it. When a PATCH landed before another failed
 * (`converged` moved from state), or one's outcome is unknown, the service is read back and,
 * when it is not what the stack recorded, the error carries it (PartialUpdateError).
 */
async function updateFailure(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  news: IscsiServiceInputs,
  converged: IscsiServiceRecord,
  err: unknown,
): Promise<Error> {
  const failure = toDiagnosticError(err, { action: "update the iSCSI service", svm: olds.svmName });
  const outputs = (record: IscsiServiceRecord) => outputsFor(run, record, news, kept(olds));
  const before = JSON.stringify(outputs(recordedService(olds, news)));
  const landed = JSON.stringify(outputs(converged)) !== before;
  if (!landed && !classify(err).outcomeUnknown) return failure;
  const live = await findServiceByUuid(run.client, olds.svmUuid).catch(() => undefined);
  if (!live) return failure;
  live.svm.name = converged.svm.name;
  const now = outputs(live);
  return JSON.stringify(now) === before ? failure : new PartialUpdateError(failure, now);
}

/**
 * The next run of a create that stopped waiting for its job: the job's outcome first; a
 * service the job made is brought to the inputs; a job that failed or was purged with no
 * service on the SVM is a create again; a service it cannot be proven to have made is taken
 * over only with `adopt: true`.
 */
async function finishPendingCreate(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  news: IscsiServiceInputs,
): Promise<IscsiServiceOutputs> {
  const pending = await pendingJobOutcome(run, olds);
  if (pending.error) throw pending.error;
  const outcome = pending.outcome === "pending" ? "done" : pending.outcome;
  const live = await settledPendingService(run, olds, outcome, news.adopt);
  if (!live) return createIscsiService(run, news);
  if (outcome !== "done") return asCreate(run, news, () => adopt(run, news, () => run.cache.isAsaR2()));
  if (news.enabled === false && live.enabled !== false) await announceLiveDisable(run, live, news);
  return finishCreated(run, live, news, { action: "create the iSCSI service", svm: olds.svmName });
}

/**
 * The preview's look at a recorded pending create (from diff): fails, naming the job and the
 * choices, when the apply would meet a service the job cannot be proven to have made.
 */
export async function previewPendingCreate(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  adopt: boolean,
): Promise<void> {
  if (olds.pendingJob === undefined || adopt) return;
  const pending = await pendingJobOutcome(run, olds);
  if (pending.outcome !== "pending" && pending.outcome !== "done")
    await settledPendingService(run, olds, pending.outcome, false);
}
