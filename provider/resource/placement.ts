/**
 * Where a service in state is, as seen from the connection the program now names: the
 * same address, the same cluster by another address (followed, with no write), or another
 * cluster (refused, naming both). Also the refusals that protect state from a cluster
 * that is not the one it describes, and from state a newer package wrote.
 */

import type { ClusterRun } from "../cluster-run";
import { normalizeHost } from "../config";
import { toDiagnosticError } from "../diagnostics/render";
import { ClusterMismatchError, NewerStateError, SvmIdentityError } from "../errors";
import type { Placement } from "../iscsi/diff";
import { type IscsiServiceOutputs, STATE_VERSION } from "../iscsi/model";
import { type CheckedInputs, isUnknown } from "../iscsi/validate";
import type { Connections } from "./connections";

/** State written by a newer package is refused before anything reads or writes the cluster. */
export function refuseNewerState(state: IscsiServiceOutputs): void {
  if (typeof state.stateVersion === "number" && state.stateVersion > STATE_VERSION)
    throw new NewerStateError(state.svmName, state.stateVersion, STATE_VERSION);
}

/** Where the service recorded in `state` is, as seen from `run`. */
export async function placementOf(state: IscsiServiceOutputs, run: ClusterRun): Promise<Placement> {
  if (run.host === normalizeHost(state.host, "state host")) return "same-host";
  let svms: Awaited<ReturnType<ClusterRun["cache"]["svmDirectory"]>>;
  try {
    svms = await run.cache.svmDirectory();
  } catch (err) {
    throw toDiagnosticError(err, {
      action: `tell whether ${run.host} is the cluster ${state.host} that holds this service`,
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
export async function clusterMismatch(
  state: IscsiServiceOutputs,
  cluster: string | undefined,
  run: ClusterRun,
): Promise<Error> {
  const namesake = await run.cache.svmUuidOf(state.svmName).catch(() => undefined);
  const key = cluster === undefined ? "ontap:host" : `ontap:clusters.${cluster}.host`;
  return new ClusterMismatchError(state.svmName, state.host, key, run.host, namesake);
}

/**
 * The run object for a service already in state. Another address of the same cluster is
 * followed (outputs then record it); another cluster is refused, naming both.
 */
export async function pinnedSession(
  conns: Connections,
  state: IscsiServiceOutputs,
  cluster: string | undefined = state.cluster,
): Promise<ClusterRun> {
  const run = conns.runFor(cluster);
  if ((await placementOf(state, run)) === "other-cluster") throw await clusterMismatch(state, cluster, run);
  return run;
}

/**
 * A new `svmName` without `svmUuid` may be the same SVM renamed outside Pulumi: when the
 * cluster says that name now belongs to the UUID in state, compare by that UUID, so the
 * rename is an update, never a delete-first replacement of the live service. One read of
 * the cluster's SVM list per run, only when the name changed.
 */
export async function withRenamedSvm(
  olds: IscsiServiceOutputs,
  news: CheckedInputs,
  run: ClusterRun,
  placement: Placement,
): Promise<CheckedInputs> {
  const renamed =
    (placement === "same-host" || placement === "same-cluster") &&
    news.svmUuid === undefined &&
    news.svmName !== undefined &&
    !isUnknown(news.svmName) &&
    news.svmName !== olds.svmName;
  if (!renamed || news.svmName === undefined) return news;
  const uuid = await run.cache.svmUuidOf(news.svmName).catch(() => undefined);
  return uuid?.toLowerCase() === olds.svmUuid.toLowerCase()
    ? { ...news, svmUuid: olds.svmUuid.toLowerCase() }
    : news;
}

/**
 * Before a service missing from its cluster counts as deleted: when the SVM's UUID is gone
 * but an SVM of the same name is there with another UUID, another cluster answers at this
 * address (or the SVM was recreated): refused, naming both UUIDs. One read of the
 * cluster's SVM list per run, only when a service is missing.
 */
export async function refuseIfSvmReplaced(
  run: ClusterRun,
  state: IscsiServiceOutputs,
  operation: string,
): Promise<void> {
  let directory: Awaited<ReturnType<ClusterRun["cache"]["svmDirectory"]>>;
  try {
    directory = await run.cache.svmDirectory();
  } catch (err) {
    throw toDiagnosticError(err, {
      action: `tell whether SVM ${state.svmName}'s service is gone from cluster ${run.host}`,
      svm: state.svmName,
    });
  }
  if (directory.has(state.svmUuid.toLowerCase())) return;
  // The same (cached) directory: no second request.
  const namesake = await run.cache.svmUuidOf(state.svmName);
  if (namesake) throw new SvmIdentityError(state.svmName, state.svmUuid, run.host, namesake, operation);
}
