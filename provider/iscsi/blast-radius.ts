/**
 * Who a change cuts off. Disabling an SVM's iSCSI service ends every session on it, and
 * replacing or deleting the service does too; ONTAP lists the logged-in initiators on
 * /api/protocols/san/iscsi/sessions. A preview reads them once per cluster and run (one
 * collection GET shared by every resource); an apply reads the one SVM's sessions just
 * before it writes. Read-only either way.
 */

import type { ClusterRun } from "../cluster-run";
import { renderError } from "../diagnostics/render";
import { ActiveSessionsError } from "../errors";
import { type SessionHost, sessionsBySvm } from "./sessions";

/** What a look at an SVM's sessions found: the sessions and hosts, or why it could not look. */
export type SessionsSeen =
  | { known: true; sessions: number; hosts: SessionHost[] }
  | { known: false; why: string };

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

/** "dbhost01 (iqn…), dbhost02 (iqn…) and 3 more": the first few hosts by alias and IQN. */
export function hostList(hosts: readonly SessionHost[], shown = 3): string {
  const named = hosts.map((h) => (h.alias ? `${h.alias} (${h.name})` : h.name));
  const rest = named.length - shown;
  return rest > 0 ? `${named.slice(0, shown).join(", ")} and ${rest} more` : named.join(", ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The warning for a change that ends sessions: how many, of how many hosts, which. */
export function cutOffWarning(
  change: string,
  svm: string,
  cluster: string,
  seen: { sessions: number; hosts: SessionHost[] },
): string {
  return (
    `${change} the iSCSI service on SVM "${svm}" (cluster ${cluster}) ends ${plural(seen.sessions, "active iSCSI session")} ` +
    `of ${plural(seen.hosts.length, "host")}: ${hostList(seen.hosts)}. They lose their LUNs on this SVM until it serves iSCSI again.`
  );
}

/** The line said once per cluster and run when the sessions could not be looked up. */
export function couldNotCheck(cluster: string, why: string): string {
  return `Could not check the active iSCSI sessions on cluster ${cluster}, so a change that ends them is not announced: ${why}`;
}

/** The guard's refusal: which sessions, and the ways out. */
export function guardRefusal(
  change: string,
  svm: string,
  cluster: string,
  seen: SessionsSeen,
): ActiveSessionsError {
  const head = seen.known
    ? cutOffWarning(change, svm, cluster, seen)
    : `${change} the iSCSI service on SVM "${svm}" (cluster ${cluster}) may end active iSCSI sessions, and they could not be looked up: ${seen.why}`;
  const waysOut = seen.known
    ? "Ways out: move the hosts off this SVM or log them out first (on each host, e.g. iscsiadm -m node --logout; " +
      `check with: vserver iscsi session show -vserver ${svm}), then run again; ` +
      "or set protectActiveSessions: false for this change."
    : // Not knowing is no reason to drop the guard: make the lookup work.
      "Fix what stopped the lookup (above: the connection's credentials, or an account whose REST role lacks readonly " +
      `access to /api/protocols/san/iscsi/sessions), then run again; the guard then refuses only while hosts are logged in (check with: vserver iscsi session show -vserver ${svm}).`;
  return new ActiveSessionsError(
    `${head}\nRefused: protectActiveSessions is true on this resource, and nothing was changed.\n${waysOut}`,
  );
}
