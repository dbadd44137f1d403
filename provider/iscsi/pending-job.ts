/**
 * A create whose ONTAP job was still running when the wait (`ontap:jobTimeoutMs`) ran out.
 * The job is a pending outcome, not a lost answer: nothing is POSTed again while it runs.
 * The resource is recorded in state with the job's UUID (`pendingJob`), and the next
 * operation on it reads the job's outcome before it does anything else.
 */

import { findServiceByUuid } from "../api/protocols-san-iscsi-services";
import { findSvm } from "../api/svm-svms";
import type { ClusterRun } from "../cluster-run";
import { jobStillRunning, pendingUnrecorded, unprovenService } from "../diagnostics/messages";
import { OntapCode } from "../diagnostics/ontap-codes";
import { toDiagnosticError } from "../diagnostics/render";
import { PendingCreateError } from "../errors";
import type { OntapJobPendingError } from "../errors/transport";
import {
  type IscsiServiceInputs,
  type IscsiServiceOutputs,
  type IscsiServiceRecord,
  intendedRecord,
  toOutputs,
} from "./model";

/**
 * The error for a create whose job is still pending: with the resource's id and outputs
 * when the SVM can be named by UUID (then the engine records it), without them otherwise.
 */
export async function pendingCreate(
  run: ClusterRun,
  inputs: IscsiServiceInputs,
  pending: OntapJobPendingError,
  reposted = false,
): Promise<Error> {
  const action = { action: "create the iSCSI service", svm: inputs.svmName ?? inputs.svmUuid };
  const message = toDiagnosticError(pending, action).message;
  let svm: { uuid: string; name: string } | undefined;
  try {
    svm = await findSvm(run.client, run.releases, { name: inputs.svmName, uuid: inputs.svmUuid });
  } catch {
    svm = undefined;
  }
  if (!svm) {
    // Not recorded: the engine has no id for it. If the job makes the service, nothing in
    // the stack holds it, and the next up's create meets it (5374077): say how to take it.
    const label = inputs.svmName ?? inputs.svmUuid ?? "";
    return new PendingCreateError(pendingUnrecorded(message, label, pending.jobUuid), pending.jobUuid);
  }
  const outputs = toOutputs(intendedRecord(inputs, svm), inputs, {
    host: run.host,
    adopted: false,
    asaR2: false,
  });
  outputs.pendingJob = pending.jobUuid;
  if (reposted) outputs.pendingJobReposted = true;
  return new PendingCreateError(message, pending.jobUuid, outputs);
}

/**
 * What became of a recorded pending create's job. "purged": ONTAP no longer has the job
 * (it purges finished jobs after a few minutes), so whether it made the service is unknown.
 * "contested": the job of a POST sent again after a lost answer failed because the SVM
 * already had a service (5374077), which the earlier POST may have made, or someone else:
 * unknown too.
 */
export type PendingOutcome = "pending" | "done" | "failed" | "purged" | "contested";

/** An outcome that leaves unknown whether the job made the service now on the SVM. */
export type UnprovenOutcome = "failed" | "purged" | "contested";

/**
 * Reads the job a recorded pending create left: "pending" while it runs (the error to
 * throw is returned too), "done" when it succeeded, "failed" when it failed (no service
 * was made), "purged" when ONTAP answers that the job does not exist.
 */
export async function pendingJobOutcome(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
): Promise<{ outcome: PendingOutcome; error?: Error }> {
  const uuid = olds.pendingJob;
  if (uuid === undefined) return { outcome: "done" };
  let job: Awaited<ReturnType<ClusterRun["client"]["jobState"]>>;
  try {
    job = await run.client.jobState(uuid);
  } catch (err) {
    throw toDiagnosticError(err, { action: `read job ${uuid} of the earlier create`, svm: olds.svmName });
  }
  if (job === "gone") return { outcome: "purged" };
  if (job.state === "success") return { outcome: "done" };
  if (job.state === "failure")
    return {
      outcome: job.code === OntapCode.serviceExists && olds.pendingJobReposted ? "contested" : "failed",
    };
  return {
    outcome: "pending",
    error: new PendingCreateError(jobStillRunning(olds.svmName, run.host, uuid, job.state), uuid),
  };
}

/**
 * A service is on the SVM, but nothing proves the pending create made it: its job failed,
 * or ONTAP purged the job before anyone read its outcome (an administrator may have created
 * the service by hand since). It is taken over only with `adopt: true`; a delete leaves it
 * and, when it may be the stack's (a purged job), fails with the two ways on.
 */
export function unprovenServiceError(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  outcome: UnprovenOutcome,
  operation: "update" | "delete" = "update",
): PendingCreateError {
  const job = olds.pendingJob ?? "";
  return new PendingCreateError(unprovenService(olds.svmName, run.host, job, outcome, operation), job);
}

/**
 * The live service of a recorded pending create, once its job is no longer running:
 * undefined when there is none. Read with a targeted GET, never from the run's collection
 * snapshot, which may be older than the job's end. A service the job cannot be proven to
 * have made (the job failed, or ONTAP purged it) is refused unless the inputs say adopt.
 */
export async function settledPendingService(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
  outcome: "done" | UnprovenOutcome,
  adopt: boolean | undefined,
): Promise<IscsiServiceRecord | undefined> {
  let live: IscsiServiceRecord | undefined;
  try {
    live = await findServiceByUuid(run.client, olds.svmUuid);
  } catch (err) {
    throw toDiagnosticError(err, { action: "read the iSCSI service", svm: olds.svmName });
  }
  if (live && outcome !== "done" && !adopt) throw unprovenServiceError(run, olds, outcome);
  return live;
}

/**
 * Whether a recorded pending create may go on to the two-phase delete, and with which
 * state: not while its job runs (the error says so), not when no service is there, and not
 * for a service the job cannot be proven to have made, whatever `adopt` says: after a job
 * that failed for another reason than an existing service it is someone else's (left in
 * place, with a warning); after a purged job, or one refused because a service was there,
 * it may be the stack's (the delete fails, naming the ways on).
 */
export async function settledForDelete(
  run: ClusterRun,
  olds: IscsiServiceOutputs,
): Promise<IscsiServiceOutputs | undefined> {
  const pending = await pendingJobOutcome(run, olds);
  if (pending.error) throw pending.error;
  if (pending.outcome === "pending") return undefined;
  let live: IscsiServiceRecord | undefined;
  try {
    // Never with adopt: a delete takes over nothing. The resource's create never held a
    // service its job cannot be proven to have made; it may be another resource's now.
    live = await settledPendingService(run, olds, pending.outcome, false);
  } catch (err) {
    if (!(err instanceof PendingCreateError)) throw err;
    // A purged job, or one that failed because a service was there (an earlier POST of this
    // create may have made it), may have made the service: leaving it while the run succeeds
    // would lose track of a service the stack may own, so the delete fails, naming the ways on.
    if (pending.outcome === "purged" || pending.outcome === "contested")
      throw unprovenServiceError(run, olds, pending.outcome, "delete");
    run.log.warn(
      `${err.message.split("\n")[0]} The service is left in place, untouched, and the resource removed from the stack.`,
    );
    return undefined;
  }
  if (!live) return undefined;
  const { pendingJob: _, pendingJobReposted: __, ...settled } = olds;
  return { ...settled, enabled: live.enabled ?? true };
}
