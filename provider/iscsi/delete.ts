/**
 * Delete, the two-phase transition: disable, then DELETE; re-enable if the DELETE fails.
 * A recorded pending create is settled first; a service another resource of this run holds,
 * or an ASA r2 service, is left in place.
 */

import { deleteService, updateService } from "../api/protocols-san-iscsi-services";
import { type DiagnosticContext, toDiagnosticError } from "../diagnostics/render";
import { PendingCreateError, ServiceLeftDisabledError } from "../errors";
import { OntapError } from "../ontap/errors";
import { classify, hasCode, isGone } from "../ontap/failures";
import type { ClusterSession } from "../session";
import { settledPendingService } from "./lifecycle";
import type { IscsiServiceOutputs, IscsiServiceRecord } from "./model";
import { pendingJobOutcome, unprovenServiceError } from "./pending-job";

const ASA_R2 = "5376452";
/** A delete runs in `pulumi destroy`, or in the `pulumi up` whose program no longer has the resource. */
const DELETE_RERUN = "`pulumi destroy` (or the `pulumi up` that removes the resource)";
const DELETE_WHILE_ENABLED = "5373960";

/** What the caller of a delete is told before the delete does something its state did not say. */
export interface DeleteHooks {
  /**
   * State said disabled, but ONTAP refused the DELETE of an enabled service (5373960): the
   * service was enabled outside Pulumi, and the disable about to happen ends its sessions.
   * Called before that disable; it may throw to stop it (nothing else was changed).
   */
  beforeUnannouncedDisable?: () => Promise<void>;
  /** The service turned out to be gone (ONTAP's 404): called before that counts as deleted; may throw. */
  onGone?: () => Promise<void>;
}

/**
 * Delete, the two-phase transition: disable (if enabled), then DELETE. If the DELETE fails,
 * the service is re-enabled before the error is thrown: a failed delete never leaves an
 * SVM's iSCSI switched off. A service that is already gone counts as deleted.
 */
export async function deleteIscsiService(
  session: ClusterSession,
  olds: IscsiServiceOutputs,
  hooks: DeleteHooks = {},
): Promise<void> {
  if (olds.pendingJob !== undefined) {
    const settled = await settleBeforeDelete(session, olds);
    return settled === undefined ? undefined : deleteIscsiService(session, settled, hooks);
  }
  // A create of this run on this SVM first: its service (a job may still be making it) is
  // then recorded as that resource's, and left alone below.
  await session.ownership.createsSettled({ uuid: olds.svmUuid, name: olds.svmName }, session.host);
  // Alone with this SVM: an adopt of this run (a hand-over) either took it over before, and
  // the holder check below leaves it alone, or starts after the DELETE and finds none.
  return session.ownership.exclusive(olds.svmUuid, () => disableThenDelete(session, olds, hooks));
}

/** The two-phase delete itself, inside the SVM's exclusive section. */
async function disableThenDelete(
  session: ClusterSession,
  olds: IscsiServiceOutputs,
  hooks: DeleteHooks,
): Promise<void> {
  // What the error names: the step that failed (a disable's job can outlive the wait too).
  const action = { action: "delete the iSCSI service", svm: olds.svmName, rerun: DELETE_RERUN };
  const holder = session.ownership.otherHolder(
    { uuid: olds.svmUuid, name: olds.svmName },
    session.host,
    olds.claimId,
  );
  if (holder) {
    session.log.warn(
      `The iSCSI service on SVM "${olds.svmName}" (cluster ${session.host}) is ${holder}: ` +
        "left in place, untouched, and the old resource removed from the stack.",
    );
    return;
  }
  if (olds.asaR2) {
    session.log.warn(
      `The iSCSI service on SVM "${olds.svmName}" (cluster ${session.host}) is on an ASA r2 system, where it always exists: left in place and removed from the stack.`,
    );
    return;
  }
  // The run's snapshot of which SVMs have a service no longer holds, whatever the outcome.
  session.forgetServices();
  let disabledByUs = false;
  let disabledForSure = false;
  const disable = async () => {
    // Counted as disabled unless ONTAP definitely refused: a PATCH whose outcome is unknown
    // (answers lost, a job that cannot be polled) may have switched the service off.
    disabledByUs = true;
    action.action = "disable the iSCSI service before deleting it";
    try {
      await updateService(session.client, olds.svmUuid, { enabled: false });
      disabledForSure = true;
      action.action = "delete the iSCSI service";
    } catch (err) {
      // Refused, unless an earlier attempt's answer was lost: that one may have landed.
      if (classify(err).refused && !(err instanceof OntapError && err.afterUnknown)) disabledByUs = false;
      throw err;
    }
  };
  try {
    if (olds.enabled) await disable();
    try {
      await deleteService(session.client, olds.svmUuid);
    } catch (err) {
      // State said disabled, but someone enabled it since: disable now and delete again.
      if (!hasCode(err, DELETE_WHILE_ENABLED) || disabledByUs) throw err;
      await hooks.beforeUnannouncedDisable?.();
      await disable();
      await deleteService(session.client, olds.svmUuid);
    }
  } catch (err) {
    // Gone after this delete reached the service (a disable landed, or a DELETE retried
    // after a lost answer): deleted. Gone at the first touch: maybe not this cluster's to say.
    if (isGone(err)) return disabledForSure || attemptsOf(err) > 1 ? undefined : hooks.onGone?.();
    if (disabledByUs) {
      const deletedAfterAll = await reenable(session, olds, err, disabledForSure, action);
      if (deletedAfterAll) return;
    }
    if (hasCode(err, ASA_R2)) {
      session.log.warn(
        `The iSCSI service on SVM "${olds.svmName}" cannot be deleted on ASA r2: left in place (enabled) and removed from the stack.`,
      );
      return;
    }
    throw toDiagnosticError(err, action);
  }
}

/** Undo the disable after a failed DELETE. Returns true when the service turns out to be gone (the DELETE landed). */
async function reenable(
  session: ClusterSession,
  olds: IscsiServiceOutputs,
  deleteError: unknown,
  disabledForSure: boolean,
  action: DiagnosticContext,
): Promise<boolean> {
  try {
    await updateService(session.client, olds.svmUuid, { enabled: true });
    session.log.warn(
      `Deleting the iSCSI service on SVM "${olds.svmName}" failed; it was re-enabled so its hosts keep their sessions.`,
    );
    return false;
  } catch (err) {
    if (isGone(err)) return true;
    const original = toDiagnosticError(deleteError, action);
    throw new ServiceLeftDisabledError(
      olds.svmName,
      session.host,
      original.message,
      toDiagnosticError(err, { action: "re-enable the iSCSI service", svm: olds.svmName }).message,
      disabledForSure,
    );
  }
}

/**
 * Whether a recorded pending create may go on to the two-phase delete, and with which
 * state: not while its job runs (the error says so), not when no service is there, and not
 * for a service the job cannot be proven to have made, whatever `adopt` says: after a job
 * that failed for another reason than an existing service it is someone else's (left in
 * place, with a warning); after a purged job, or one refused because a service was there,
 * it may be the stack's (the delete fails, naming the ways on).
 */
async function settleBeforeDelete(
  session: ClusterSession,
  olds: IscsiServiceOutputs,
): Promise<IscsiServiceOutputs | undefined> {
  const pending = await pendingJobOutcome(session, olds);
  if (pending.error) throw pending.error;
  if (pending.outcome === "pending") return undefined;
  let live: IscsiServiceRecord | undefined;
  try {
    // Never with adopt: a delete takes over nothing. The resource's create never held a
    // service its job cannot be proven to have made; it may be another resource's now.
    live = await settledPendingService(session, olds, pending.outcome, false);
  } catch (err) {
    if (!(err instanceof PendingCreateError)) throw err;
    // A purged job, or one that failed because a service was there (an earlier POST of this
    // create may have made it), may have made the service: leaving it while the run succeeds
    // would lose track of a service the stack may own, so the delete fails, naming the ways on.
    if (pending.outcome === "purged" || pending.outcome === "contested")
      throw unprovenServiceError(session, olds, pending.outcome, "delete");
    session.log.warn(
      `${err.message.split("\n")[0]} The service is left in place, untouched, and the resource removed from the stack.`,
    );
    return undefined;
  }
  if (!live) return undefined;
  const { pendingJob: _, pendingJobReposted: __, ...settled } = olds;
  return { ...settled, enabled: live.enabled ?? true };
}

/** How many attempts the transport made for the request that failed (1 when unknown). */
function attemptsOf(err: unknown): number {
  return err instanceof OntapError ? err.attempts : 1;
}
