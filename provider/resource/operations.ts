/**
 * Create, Read, Update and Delete of one resource as any face asks them: the run object
 * the state is pinned to, the guard and the cut-off warning before a write that ends
 * sessions, then the lifecycle's writes (../iscsi/lifecycle, ../iscsi/delete).
 */

import type { ClusterRun } from "../cluster-run";
import { announceCutOff, guardRefusal, sessionsOf } from "../iscsi/blast-radius";
import { deleteIscsiService } from "../iscsi/delete";
import { createIscsiService, readIscsiService, updateIscsiService } from "../iscsi/lifecycle";
import { type IscsiServiceInputs, type IscsiServiceOutputs, toInputs } from "../iscsi/model";
import type { Connections } from "./connections";
import { pinnedSession, refuseIfSvmReplaced, refuseNewerState } from "./placement";

/** What a refresh finds: the live outputs and the inputs that reproduce them, or nothing (gone). */
export interface Refreshed {
  outputs: IscsiServiceOutputs;
  inputs: IscsiServiceInputs;
}

export function createResource(conns: Connections, inputs: IscsiServiceInputs): Promise<IscsiServiceOutputs> {
  return createIscsiService(conns.runFor(inputs.cluster), inputs);
}

/** Refresh: the live service, or undefined when it (or its SVM) is gone so the engine drops it. */
export async function readResource(
  conns: Connections,
  id: string,
  props: IscsiServiceOutputs | undefined,
): Promise<Refreshed | undefined> {
  if (!props?.svmUuid)
    throw new Error(
      `Cannot refresh iSCSI service ${id}: its state has no svmUuid (the dynamic provider cannot import: use adopt: true, or the provider plugin's pulumi import ontap:index:IscsiService <name> <SVM>).`,
    );
  refuseNewerState(props);
  const run = await pinnedSession(conns, props);
  const outputs = await readIscsiService(run, props);
  if (!outputs) {
    await refuseIfSvmReplaced(run, props, "drop it from the stack as deleted");
    return undefined;
  }
  return { outputs, inputs: toInputs(outputs) };
}

export async function updateResource(
  conns: Connections,
  olds: IscsiServiceOutputs,
  news: IscsiServiceInputs,
): Promise<IscsiServiceOutputs> {
  refuseNewerState(olds);
  const run = await pinnedSession(conns, olds, news.cluster);
  if (news.enabled === false && olds.enabled && news.protectActiveSessions === true)
    // Named as the program names it now: an SVM renamed outside Pulumi has its new name.
    await refuseIfSessions(run, { ...olds, svmName: news.svmName ?? olds.svmName }, "Disabling");
  return updateIscsiService(run, olds, news);
}

/**
 * Before the two-phase delete writes anything: who it cuts off (a warning naming the
 * hosts), and with protectActiveSessions a refusal while any are logged in or when that
 * cannot be told.
 */
export async function deleteResource(conns: Connections, props: IscsiServiceOutputs): Promise<void> {
  refuseNewerState(props);
  const run = await pinnedSession(conns, props);
  const svm = { uuid: props.svmUuid, name: props.svmName };
  const untouched = props.asaR2 || conns.ownership.otherHolder(svm, run.host, props.claimId);
  // The guard reads the live sessions whatever state says of `enabled` (it may have been
  // enabled outside Pulumi since); a replacement follows the program's setting.
  const guarded = conns.ownership.guarded(svm, run.host, props.claimId, props.protectActiveSessions === true);
  if (!untouched && guarded) await refuseIfSessions(run, props, "Deleting");
  else if (!untouched && props.enabled) await announceDelete(run, props);
  await deleteIscsiService(run, props, {
    // State said disabled; the service was enabled since: its disable is announced too.
    beforeUnannouncedDisable: () => announceDelete(run, props),
    // "Already deleted" only on the cluster that held it.
    onGone: () => refuseIfSvmReplaced(run, props, "count it as deleted"),
  });
}

/**
 * Before a delete disables a service: the hosts it cuts off, named in a warning (once per
 * SVM and run: a replacement's check may have named them already), or one line per cluster
 * and run saying the sessions could not be looked up.
 */
async function announceDelete(run: ClusterRun, props: IscsiServiceOutputs): Promise<void> {
  const seen = await sessionsOf(run, { uuid: props.svmUuid, name: props.svmName }, "apply");
  announceCutOff(run, "Deleting", props.svmName, seen);
}

/** The guard at apply time: refuses (nothing written) while sessions are active, or when it cannot tell. */
async function refuseIfSessions(run: ClusterRun, state: IscsiServiceOutputs, change: string): Promise<void> {
  const seen = await sessionsOf(run, { uuid: state.svmUuid, name: state.svmName }, "apply");
  if (!seen.known || seen.sessions > 0) throw guardRefusal(change, state.svmName, run.host, seen);
}
