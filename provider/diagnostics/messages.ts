/**
 * What users read that is not an ONTAP code's advice (that is the code table, ./codes):
 * the warnings and the ways on that the resource's operations compose, beside the table
 * so that one place holds the words.
 */
import type { SessionHost } from "../iscsi/sessions";

/** What a look at an SVM's sessions found: the sessions and hosts, or why it could not look. */
export type SessionsSeen =
  | { known: true; sessions: number; hosts: SessionHost[] }
  | { known: false; why: string };

/**
 * The way on for a service the stack may have made but does not record: take it over from
 * this resource, or delete it.
 */
export function takeOverOrDelete(svm: string): string {
  return (
    "set adopt: true on this resource and run `pulumi up` to take it over, " +
    `or delete it (vserver iscsi stop -vserver ${svm}, then vserver iscsi delete -vserver ${svm})`
  );
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

/** The guard's refusal, in words: which sessions, and the ways out. */
export function guardRefusalText(change: string, svm: string, cluster: string, seen: SessionsSeen): string {
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
  return `${head}\nRefused: protectActiveSessions is true on this resource, and nothing was changed.\n${waysOut}`;
}

/** A recorded pending create whose job still runs: nothing is sent while it does. */
export function jobStillRunning(svm: string, host: string, job: string, state: string): string {
  return (
    `The create of the iSCSI service on SVM "${svm}" (cluster ${host}) is still ${state} as ONTAP job ${job}; ` +
    "nothing was sent while it runs.\n" +
    `Check: job show -id ${job}; once it shows success or failure, re-run \`pulumi up\`.`
  );
}

/** A pending create that could not be recorded (its SVM could not be looked up): what to do once the job ends. */
export function pendingUnrecorded(message: string, label: string, job: string): string {
  return (
    `${message}\nThe resource could not be recorded (its SVM could not be looked up), so the stack does not hold what the job makes. ` +
    `Once the job ends (job show -id ${job}): if it made the service on SVM "${label}", ${takeOverOrDelete(label)}; ` +
    "if it failed, `pulumi up` creates the service again."
  );
}

/**
 * A service is on the SVM, but nothing proves the pending create made it: why (the job
 * failed, was refused because a service was there, or was purged), and the choices of an
 * update (adopt, or drop the resource) or of a delete (delete the service by hand, or drop
 * the resource).
 */
export function unprovenService(
  svm: string,
  host: string,
  job: string,
  outcome: "failed" | "purged" | "contested",
  operation: "update" | "delete",
): string {
  const why =
    outcome === "failed"
      ? `failed, so the service now on the SVM was made by someone else`
      : outcome === "contested"
        ? "failed because the SVM already had a service (ONTAP 5374077): an earlier POST of this create, whose answer was lost, may have made it, or someone else did"
        : "is gone from the cluster (ONTAP purges finished jobs), so nothing tells whether it made the service now on the SVM or someone else did";
  const choices =
    operation === "update"
      ? "Choices: to manage that service from this resource, set adopt: true and run again (it is then brought to the program's settings, and deleted on destroy); " +
        "to leave it alone, remove this resource from the stack with `pulumi state delete <urn>` and from the program."
      : `Choices: if the service is this stack's, delete it (vserver iscsi stop -vserver ${svm}, then vserver iscsi delete -vserver ${svm}) ` +
        "and run the delete again (the resource then goes, its service gone); to keep the service, " +
        "remove this resource from the stack with `pulumi state delete <urn>`.";
  return (
    `The create of the iSCSI service on SVM "${svm}" (cluster ${host}) was left pending as ONTAP job ${job}; that job ${why}. ` +
    `Nothing was changed.\n${choices}`
  );
}

/** A delete that leaves the service to another resource of the run. */
export function leftToAnother(svm: string, host: string, holder: string): string {
  return (
    `The iSCSI service on SVM "${svm}" (cluster ${host}) is ${holder}: ` +
    "left in place, untouched, and the old resource removed from the stack."
  );
}

/** A delete of an ASA r2 service, which every SVM always has. */
export function asaR2LeftInPlace(svm: string, host: string): string {
  return `The iSCSI service on SVM "${svm}" (cluster ${host}) is on an ASA r2 system, where it always exists: left in place and removed from the stack.`;
}

/** ONTAP refused the DELETE as ASA r2's (5376452), which state did not know. */
export function asaR2NotDeleted(svm: string): string {
  return `The iSCSI service on SVM "${svm}" cannot be deleted on ASA r2: left in place (enabled) and removed from the stack.`;
}

/**
 * The disable of a failed delete was undone. When the disable was a job still running, it
 * may end after the re-enable: how to check, and the command that starts the service again.
 */
export function reenabledAfterFailedDelete(svm: string, disableJob?: string): string {
  const head = `Deleting the iSCSI service on SVM "${svm}" failed; it was re-enabled so its hosts keep their sessions.`;
  if (disableJob === undefined) return head;
  return (
    `${head} Its disable is still running as ONTAP job ${disableJob} and may end after the re-enable: ` +
    `once job show -id ${disableJob} shows it ended, check with vserver iscsi show -vserver ${svm}, and start it again if it is down (vserver iscsi start -vserver ${svm}).`
  );
}

/** An existing service taken over by `adopt: true`. */
export function adopted(svm: string, host: string, asaR2: boolean): string {
  return (
    `Adopted the existing iSCSI service on SVM "${svm}" (cluster ${host}); it is now managed by this stack` +
    (asaR2
      ? " (ASA r2: destroy will leave it in place)."
      : " and will be deleted when this resource is deleted.")
  );
}
