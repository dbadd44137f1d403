/**
 * Diff as the engine asks it: always an explicit `changes`. No network, unless the
 * connection now reaches the cluster by another address than the one in state (one look
 * at that cluster's SVMs, once per cluster and run, tells the same cluster from another),
 * the SVM may have been renamed outside Pulumi, a pending create is recorded, or a disable
 * of a renamed SVM has to be announced.
 */

import type { ClusterRun } from "../cluster-run";
import { DuplicateResourceError } from "../errors";
import { announceCutOff, guardRefusal, sessionsOf } from "../iscsi/blast-radius";
import { diffService, type Placement, type ServiceDiff } from "../iscsi/diff";
import { previewPendingCreate } from "../iscsi/lifecycle";
import type { IscsiServiceOutputs } from "../iscsi/model";
import { type CheckedInputs, isUnknown } from "../iscsi/validate";
import type { Connections } from "./connections";
import { clusterMismatch, placementOf, refuseNewerState, withRenamedSvm } from "./placement";

export async function diffResource(
  conns: Connections,
  olds: IscsiServiceOutputs,
  news: CheckedInputs,
): Promise<ServiceDiff> {
  refuseNewerState(olds);
  // Check claimed the SVM by the name in the program; state knows its UUID (an SVM renamed
  // outside Pulumi no longer has that name, and another resource may name its new one).
  const duplicate = await conns.ownership.confirmUuid(olds.svmUuid, conns.preflightEnabled());
  if (duplicate) {
    const reachedAs = duplicate.run.host === olds.host ? undefined : duplicate.run.host;
    throw new DuplicateResourceError(duplicate.name ?? olds.svmName, olds.host, reachedAs);
  }
  let placement: Placement = "unknown";
  let compared = news;
  if (!isUnknown(news.cluster)) {
    const run = conns.runFor(news.cluster);
    placement = await placementOf(olds, run);
    const profileChanged = (news.cluster ?? "") !== (olds.cluster ?? "");
    if (placement === "other-cluster" && !profileChanged)
      throw await clusterMismatch(olds, news.cluster, run);
    compared = await withRenamedSvm(olds, news, run, placement);
    if (placement !== "other-cluster" && !isUnknown(news.adopt))
      await previewPendingCreate(run, olds, news.adopt === true);
    if (placement !== "other-cluster") await announceRenamedDisable(conns, olds, news, run);
  }
  const result = diffService(olds, compared, placement);
  if (result.replaces.length === 0) conns.ownership.staysOnLast(olds.svmUuid);
  conns.ownership.settleReplacementGuard(olds.claimId, result.replaces.length > 0);
  if (result.replaces.length > 0) conns.ownership.expectRecheck();
  return result;
}

/**
 * A disable of an SVM renamed outside Pulumi: Check looked its sessions up by the name in
 * the old inputs, which the cluster no longer has; the UUID in state finds them. Warns
 * naming the hosts, or with protectActiveSessions fails the preview. Reads only when the
 * change disables (the cluster's SVM list, once per run).
 */
async function announceRenamedDisable(
  conns: Connections,
  olds: IscsiServiceOutputs,
  news: CheckedInputs,
  run: ClusterRun,
): Promise<void> {
  if (news.enabled !== false || !olds.enabled || !conns.preflightEnabled()) return;
  const directory = await run.cache.svmDirectory().catch(() => undefined);
  const current = directory?.get(olds.svmUuid.toLowerCase());
  if (current === undefined || current.name === olds.svmName) return;
  const seen = await sessionsOf(run, { uuid: olds.svmUuid, name: current.name }, "preview");
  if (!seen.known || seen.sessions === 0) return;
  if (news.protectActiveSessions === true) throw guardRefusal("Disabling", current.name, run.host, seen);
  announceCutOff(run, "Disabling", current.name, seen);
}
