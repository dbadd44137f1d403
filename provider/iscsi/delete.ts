/**
 * Delete, the two-phase transition: disable, then DELETE; re-enable if the DELETE fails.
 * A recorded pending create is settled first; a service another resource of this run holds,
 * or an ASA r2 service, is left in place.
 */

import { deleteService, findServiceByUuid, updateService } from "../api/protocols-san-iscsi-services";
import type { ClusterRun } from "../cluster-run";
import {
  asaR2LeftInPlace,
  asaR2NotDeleted,
  leftToAnother,
  reenabledAfterFailedDelete,
} from "../diagnostics/messages";
import { OntapCode } from "../diagnostics/ontap-codes";
import { type DiagnosticContext, toDiagnosticError } from "../diagnostics/render";
import { ServiceLeftDisabledError } from "../errors";
import { OntapError, OntapJobPendingError } from "../errors/transport";
import { classify, hasCode, isGone } from "../ontap/failures";
import type { IscsiServiceOutputs } from "./model";
import { settledForDelete } from "./pending-job";

/** A delete runs in `pulumi destroy`, or in the `pulumi up` whose program no longer has the resource. */
const DELETE_RERUN = "`pulumi destroy` (or the `pulumi up` that removes the resource)";

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
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  hooks: DeleteHooks = {},
): Promise<void> {
  if (olds.pendingJob !== undefined) {
    const settled = await settledForDelete(run, olds);
    return settled === undefined ? undefined : deleteIscsiService(run, settled, hooks);
  }
  // A create of this run on this SVM that started earlier first: its service (a job may
  // still be making it) is then recorded as that resource's, and left alone below; a create
  // that starts later waits for this delete.
  return run.ownership.deleting({ uuid: olds.svmUuid, name: olds.svmName }, run.host, () =>
    // Alone with this SVM: an adopt of this run (a hand-over) either took it over before, and
    // the holder check below leaves it alone, or starts after the DELETE and finds none.
    run.ownership.exclusive(olds.svmUuid, async () => {
      if (!leftInPlace(run, olds)) await disableThenDelete(run, olds, hooks);
    }),
  );
}

/**
 * Whether the delete leaves the service as it is (with a warning): another resource of
 * this run holds it (a hand-over, a replacement's new resource), or it is ASA r2's, which
 * every SVM always has.
 */
function leftInPlace(run: ClusterRun, olds: IscsiServiceOutputs): boolean {
  const holder = run.ownership.otherHolder(
    { uuid: olds.svmUuid, name: olds.svmName },
    run.host,
    olds.claimId,
  );
  if (holder) {
    run.log.warn(leftToAnother(olds.svmName, run.host, holder));
    return true;
  }
  if (olds.asaR2) {
    run.log.warn(asaR2LeftInPlace(olds.svmName, run.host));
    return true;
  }
  return false;
}

/** The two-phase delete itself, inside the SVM's exclusive section. */
async function disableThenDelete(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  hooks: DeleteHooks,
): Promise<void> {
  // What the error names: the step that failed (a disable's job can outlive the wait too).
  const action = { action: "delete the iSCSI service", svm: olds.svmName, rerun: DELETE_RERUN };
  // The run's snapshot of which SVMs have a service no longer holds, whatever the outcome.
  run.cache.forgetServices();
  let disabledByUs = false;
  let disabledForSure = false;
  const disable = async () => {
    // Counted as disabled unless ONTAP definitely refused: a PATCH whose outcome is unknown
    // (answers lost, a job that cannot be polled) may have switched the service off.
    disabledByUs = true;
    action.action = "disable the iSCSI service before deleting it";
    try {
      await updateService(run.client, olds.svmUuid, { enabled: false });
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
      await deleteService(run.client, olds.svmUuid);
    } catch (err) {
      // State said disabled, but someone enabled it since: disable now and delete again.
      if (!hasCode(err, OntapCode.deleteWhileEnabled) || disabledByUs) throw err;
      await hooks.beforeUnannouncedDisable?.();
      await disable();
      await deleteService(run.client, olds.svmUuid);
    }
  } catch (err) {
    // Gone after this delete reached the service (a disable landed, or a DELETE retried
    // after a lost answer): deleted. Gone at the first touch: maybe not this cluster's to say.
    if (isGone(err)) return disabledForSure || attemptsOf(err) > 1 ? undefined : hooks.onGone?.();
    // A DELETE whose outcome is unknown (its answer lost, its job purged) is told by a read:
    // gone, it was deleted (the SVM checked as for any service found gone).
    if (!disabledByUs && classify(err).outcomeUnknown && (await goneNow(run, olds))) return hooks.onGone?.();
    if (disabledByUs) {
      const deletedAfterAll = await reenable(run, olds, err, disabledForSure, action);
      if (deletedAfterAll) return;
    }
    if (hasCode(err, OntapCode.asaR2)) {
      run.log.warn(asaR2NotDeleted(olds.svmName));
      return;
    }
    throw toDiagnosticError(err, action);
  }
}

/** Undo the disable after a failed DELETE. Returns true when the service turns out to be gone (the DELETE landed). */
async function reenable(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  deleteError: unknown,
  disabledForSure: boolean,
  action: DiagnosticContext,
): Promise<boolean> {
  try {
    await updateService(run.client, olds.svmUuid, { enabled: true });
    const stillDisabling = deleteError instanceof OntapJobPendingError ? deleteError.jobUuid : undefined;
    run.log.warn(reenabledAfterFailedDelete(olds.svmName, stillDisabling));
    return false;
  } catch (err) {
    if (isGone(err)) return true;
    const original = toDiagnosticError(deleteError, action);
    throw new ServiceLeftDisabledError(
      olds.svmName,
      run.host,
      original.message,
      toDiagnosticError(err, { action: "re-enable the iSCSI service", svm: olds.svmName }).message,
      // The disable's job may still apply after this run: the command above is the way back then too.
      disabledForSure || (deleteError instanceof OntapJobPendingError ? "pending" : false),
    );
  }
}

/** Whether the service is gone now, read back; false when the read fails too. */
async function goneNow(run: ClusterRun, olds: IscsiServiceOutputs): Promise<boolean> {
  return (await findServiceByUuid(run.client, olds.svmUuid).catch(() => null)) === undefined;
}

/** How many attempts the transport made for the request that failed (1 when unknown). */
function attemptsOf(err: unknown): number {
  return err instanceof OntapError ? err.attempts : 1;
}
