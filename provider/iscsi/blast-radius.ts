/**
 * Who a change cuts off. Disabling an SVM's iSCSI service ends every session on it, and
 * replacing or deleting the service does too; ONTAP lists the logged-in initiators on
 * /api/protocols/san/iscsi/sessions. A preview reads them once per cluster and run (one
 * collection GET shared by every resource); an apply reads the one SVM's sessions just
 * before it writes. Read-only either way.
 */

import type { ClusterRun } from "../cluster-run";
import { couldNotCheck, cutOffWarning, guardRefusalText, type SessionsSeen } from "../diagnostics/messages";
import { renderError } from "../diagnostics/render";
import { ActiveSessionsError } from "../errors";
import { sessionsBySvm } from "./sessions";

/** The SVM's active sessions: from the run's per-cluster read ("preview"), or read now ("apply"). */
export async function sessionsOf(
  run: ClusterRun,
  svm: { uuid?: string; name?: string },
  when: "preview" | "apply",
): Promise<SessionsSeen> {
  try {
    const uuid = (
      svm.uuid ?? (svm.name === undefined ? undefined : await run.cache.svmUuidOf(svm.name))
    )?.toLowerCase();
    // No such SVM: nobody can be logged in to it.
    if (uuid === undefined) return { known: true, sessions: 0, hosts: [] };
    const entry =
      when === "preview"
        ? (await run.cache.sessionsBySvm()).get(uuid)
        : (await sessionsBySvm(run.client, [uuid])).get(uuid);
    return { known: true, sessions: entry?.sessions ?? 0, hosts: entry?.hosts ?? [] };
  } catch (err) {
    const why = renderError(err, { action: "look up the active iSCSI sessions", svm: svm.name ?? svm.uuid });
    return { known: false, why: why.split("\n")[0] ?? why };
  }
}

/**
 * Says what a look at an SVM's sessions found, at apply time, before a write that ends
 * them: a warning naming the hosts (once per SVM and run: a check may have named them
 * already), or one line per cluster and run that they could not be looked up.
 */
export function announceCutOff(run: ClusterRun, change: string, svm: string, seen: SessionsSeen): void {
  if (seen.known) {
    if (seen.sessions > 0 && run.once(`cut-off:${svm}`))
      run.log.warn(cutOffWarning(change, svm, run.host, seen));
  } else if (run.once("sessions-unknown")) {
    run.log.warn(couldNotCheck(run.host, seen.why));
  }
}

/** The guard's refusal: which sessions, and the ways out. */
export function guardRefusal(
  change: string,
  svm: string,
  cluster: string,
  seen: SessionsSeen,
): ActiveSessionsError {
  return new ActiveSessionsError(guardRefusalText(change, svm, cluster, seen));
}
