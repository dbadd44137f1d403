/**
 * The code table: every ONTAP code this provider knows (both tables of the project's ONTAP
 * reference), each with a one-line summary, what it means for this SVM and cluster, and
 * the fix with the real names filled in. Data only; ./render writes the messages, and
 * docs/diagnostics.md is generated from this table (tools/docs).
 */
import { RETRYABLE_STATUSES } from "../ontap/failures";
import type { HttpMethod } from "../ontap/types";

/** What a piece of advice can refer to. */
export interface Situation {
  /** The SVM as a CLI argument: its name, or "<svm>" when unknown. */
  svm: string;
  /** "SVM "svm1"" or "the SVM". */
  svmLabel: string;
  /** The cluster's host. */
  cluster: string;
  method: HttpMethod;
  path: string;
  /** ONTAP's own message. */
  ontapMessage: string;
  /** The account is SVM-scoped (it may not read /api/cluster): it sees its own SVM only. */
  svmScopedAccount?: boolean;
  /** The command that runs the failed operation again, e.g. "`pulumi up`". */
  rerun: string;
  /** The field ONTAP blames, if any. */
  target?: string;
}

/** Advice for one ONTAP code. */
export interface CodeAdvice {
  /** One line, lower case, no final stop. */
  summary: string;
  /** What it means for this SVM and cluster. */
  meaning(s: Situation): string;
  /** The command to run or the input to change, names filled in. */
  fix(s: Situation): string;
}

const REFRESH = "run `pulumi refresh`, then `pulumi up`";
const ADOPT =
  "set `adopt: true` on the IscsiService resource so that it takes over the existing service " +
  "(with the provider plugin, `pulumi import ontap:index:IscsiService <name> <SVM>` does the same with no write; " +
  "the dynamic provider cannot import)";
/** The command that shows a cluster's recent errors. */
export const EVENT_LOG = "event log show -severity ERROR";

/** The field and ONTAP's words, for generic codes where they are the only specifics. */
function ontapSays(s: Situation): string {
  const field = s.target === undefined ? "" : `field "${s.target}": `;
  return `ONTAP says: ${field}${s.ontapMessage || "(no message)"}`;
}

function fieldInput(s: Situation): string {
  return s.target === undefined ? "the input ONTAP's message names" : `the input that sets "${s.target}"`;
}

const invalidValue = (summary: string): CodeAdvice => ({
  summary,
  meaning: (s) => `ONTAP on cluster ${s.cluster} rejected a value in ${s.method} ${s.path}. ${ontapSays(s)}`,
  fix: (s) => `correct ${fieldInput(s)} in the IscsiService resource, then re-run ${s.rerun}`,
});

const internalError = (summary: string): CodeAdvice => ({
  summary,
  meaning: (s) =>
    `ONTAP on cluster ${s.cluster} failed internally while handling ${s.method} ${s.path}; a write may or may not have been applied. ${ontapSays(s)}`,
  fix: (s) =>
    `re-run ${s.rerun} (a create whose outcome is unknown is read back before anything is sent again); if it keeps failing, check the cluster's events: ${EVENT_LOG}`,
});

const notAuthorized = (summary: string): CodeAdvice => ({
  summary,
  meaning: (s) =>
    `The ONTAP account in use may not ${s.method} ${s.path} on cluster ${s.cluster}. ${ontapSays(s)}`,
  fix: () =>
    "give the account a role with access to the iSCSI API, e.g. security login rest-role create -vserver <cluster> " +
    "-role pulumi-iscsi -api /api/protocols/san/iscsi -access all (check with: security login show)",
});

/** The codes of the iSCSI-service table. */
export const ISCSI_CODES: Readonly<Record<string, CodeAdvice>> = {
  "1115127": {
    summary: "the cluster has no valid iSCSI license",
    meaning: (s) =>
      `Cluster ${s.cluster} has no valid iSCSI license, so no SVM on it, ${s.svmLabel} included, can serve iSCSI.`,
    fix: () => "system license add -license-code <iSCSI license key>   (check with: system license show)",
  },
  "2621462": {
    summary: "the SVM does not exist",
    meaning: (s) =>
      s.svmScopedAccount
        ? `${cap(s.svmLabel)} is not visible to this account on cluster ${s.cluster}: an SVM-scoped account (such as an SVM's vsadmin) sees only its own SVM, so another SVM looks as if it did not exist.`
        : `${cap(s.svmLabel)} does not exist on cluster ${s.cluster} (by that name or UUID).`,
    fix: (s) =>
      s.svmScopedAccount
        ? `connect with the account of ${s.svmLabel} or a cluster-scoped account (a profile of ontap:clusters per SVM account), or correct \`svmName\`/\`svmUuid\` if it names the wrong SVM`
        : `list the SVMs with: vserver show; then correct \`svmName\`/\`svmUuid\`, or create the SVM: vserver create -vserver ${s.svm}`,
  },
  "2621507": {
    summary: "iSCSI is not an allowed protocol on this SVM",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} does not list iscsi among its allowed protocols, so it cannot have an iSCSI service (check: vserver show-protocols -vserver ${s.svm}).`,
    fix: (s) => `vserver add-protocols -vserver ${s.svm} -protocols iscsi`,
  },
  "2621706": {
    summary: "svm.uuid and svm.name name different SVMs",
    meaning: (s) =>
      `The resource names its SVM both by name and by UUID, and on cluster ${s.cluster} they are two different SVMs.`,
    fix: () =>
      "give only the SVM name, or a UUID that matches it (list both with: vserver show -fields uuid)",
  },
  "2621707": {
    summary: "neither svm.name nor svm.uuid was given",
    meaning: () => "The request did not say which SVM the iSCSI service belongs to.",
    fix: () => "set `svmName` (or `svmUuid`) on the IscsiService resource",
  },
  "5373966": {
    summary: "the SVM is configured for NVMe, so iSCSI cannot be added",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} serves NVMe; ONTAP does not add an iSCSI service beside it.`,
    fix: (s) =>
      `use another SVM, or remove NVMe from this one: vserver nvme modify -vserver ${s.svm} -status-admin down; vserver nvme delete -vserver ${s.svm}`,
  },
  "5374077": {
    summary: "the SVM already has an iSCSI service",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} already has an iSCSI service (an SVM has at most one; inspect it with: vserver iscsi show -vserver ${s.svm}). ` +
      "Likely causes, most common first: the IscsiService resource was renamed or moved into a component, so Pulumi sees a new resource " +
      "while the old one still holds the service; a second IscsiService in this stack names the same SVM; the SVM was renamed and the stack was not refreshed; " +
      "an earlier run was interrupted (killed, timed out) after ONTAP created the service but before Pulumi recorded it.",
    fix: (s) =>
      "for a renamed or moved resource, keep its identity with the `aliases` resource option, e.g. " +
      '`new IscsiService("new-name", args, { aliases: [{ name: "old-name" }] })` (or `pulumi state rename`); ' +
      "for a duplicate, remove one of the two resources; for a renamed SVM, run `pulumi refresh`; " +
      "for a service an interrupted run of this stack created, set `adopt: true` to take it back. " +
      `Only when no stack manages the service on ${s.svmLabel}: ${ADOPT}`,
  },
  "5374893": {
    summary: "the SVM is stopped",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} is stopped; ONTAP creates its iSCSI service only while it runs.`,
    fix: (s) => `vserver start -vserver ${s.svm}`,
  },
  "5376452": {
    summary: "not supported on ASA r2 systems",
    meaning: (s) =>
      `Cluster ${s.cluster} is an ASA r2 system: ${s.svmLabel} always has an iSCSI service, which can be enabled or disabled but neither created nor deleted.`,
    fix: () =>
      `do not create or delete it: ${ADOPT}, then manage \`enabled\` and \`targetAlias\`; to stop serving iSCSI, set \`enabled: false\``,
  },
  "5373960": {
    summary: "the iSCSI service is enabled",
    meaning: (s) =>
      `ONTAP deletes an iSCSI service only once it is disabled, and the one on ${s.svmLabel} is enabled (perhaps re-enabled outside Pulumi).`,
    fix: (s) => `vserver iscsi stop -vserver ${s.svm}, then re-run \`pulumi up\` / \`pulumi destroy\``,
  },
  "5374078": {
    summary: "the SVM has no iSCSI service",
    meaning: (s) =>
      `${cap(s.svmLabel)} on cluster ${s.cluster} has no iSCSI service (it may have been deleted outside Pulumi).`,
    fix: (s) =>
      `${REFRESH} to create it again, or create it on the cluster: vserver iscsi create -vserver ${s.svm}`,
  },
  "5374081": {
    summary: "`enabled` cannot change together with another field",
    meaning: () =>
      "ONTAP refuses a PATCH that changes the service's state and another field at once; the provider sends them separately, so this is a provider bug.",
    fix: () => "change `enabled` and `targetAlias` in two separate `pulumi up` runs, and report the bug",
  },
  "8585947": {
    summary: "no metrics are available for the object",
    meaning: (s) =>
      `ONTAP has not collected metrics for the iSCSI service on ${s.svmLabel} yet (new or idle services have none).`,
    fix: () => "nothing to fix: metrics appear once the service has run for a while",
  },
  "8586225": {
    summary: "unexpected error retrieving metrics",
    meaning: (s) => `ONTAP on cluster ${s.cluster} failed to read the iSCSI metrics of ${s.svmLabel}.`,
    fix: () => `retry later; if it persists, check the cluster's events: ${EVENT_LOG}`,
  },
};

/** The codes of the common table (any ONTAP REST endpoint). */
export const COMMON_CODES: Readonly<Record<string, CodeAdvice>> = {
  "1": {
    summary: "an entry with the same identifiers already exists",
    meaning: (s) => `Cluster ${s.cluster} already holds an object with these identifiers. ${ontapSays(s)}`,
    fix: () => `${ADOPT}, or change the identifying inputs`,
  },
  "2": invalidValue("a field is invalid, missing or extra"),
  "3": {
    summary: "operation not supported",
    meaning: (s) => `ONTAP on cluster ${s.cluster} does not support ${s.method} ${s.path}. ${ontapSays(s)}`,
    fix: () => "check the ONTAP release with: version (the iSCSI REST API needs ONTAP 9.6 or later)",
  },
  "4": {
    summary: "entry not found",
    meaning: (s) =>
      `Nothing exists at ${s.path} on cluster ${s.cluster} (it may have been deleted outside Pulumi).`,
    fix: () => REFRESH,
  },
  "6": notAuthorized("permission denied"),
  "7": {
    summary: "resource limit exceeded",
    meaning: (s) =>
      `Cluster ${s.cluster} hit a resource limit and stayed there through the provider's retries. ${ontapSays(s)}`,
    fix: () => "re-run later, or lower ontap:maxConcurrent so that fewer requests run at once",
  },
  "8": {
    summary: "resource in use",
    meaning: (s) => `Another operation on cluster ${s.cluster} holds the object right now. ${ontapSays(s)}`,
    fix: (s) => `re-run ${s.rerun} once the other operation has finished (see: job show -state running)`,
  },
  "65541": internalError("RPC timeout"),
  "65552": internalError("RPC failure"),
  "65562": internalError("internal error"),
  "262145": internalError("unexpected exception"),
  "262160": {
    summary: "too many requests in progress",
    meaning: (s) =>
      `Cluster ${s.cluster} stayed too busy through the provider's retries (each honored ONTAP's Retry-After).`,
    fix: () => "re-run later, or lower ontap:maxConcurrent so that fewer requests run at once",
  },
  "262177": invalidValue("a required value is missing"),
  "262212": invalidValue("a required value is missing"),
  "262179": {
    summary: "unexpected argument (unknown field)",
    meaning: (s) =>
      `ONTAP on cluster ${s.cluster} does not know a field that ${s.method} ${s.path} sent, likely an older release. ${ontapSays(s)}`,
    fix: () => "check the ONTAP release with: version; leave out inputs that release does not support",
  },
  "262185": invalidValue("invalid value"),
  "262197": invalidValue("invalid value"),
  "262245": invalidValue("invalid value"),
  "262247": invalidValue("invalid value"),
  "262186": invalidValue("a field is used in an invalid context with another field"),
  "262196": {
    summary: "the field cannot be set in this operation",
    meaning: (s) => `ONTAP cannot change this field of an existing object. ${ontapSays(s)}`,
    fix: () => "revert that input; changing the SVM of an iSCSI service means replacing the resource",
  },
  "262203": {
    summary: "the field is not supported in PATCH",
    meaning: (s) => `ONTAP cannot change this field of an existing object. ${ontapSays(s)}`,
    fix: () => "revert that input; changing the SVM of an iSCSI service means replacing the resource",
  },
  "262199": invalidJson(),
  "262200": invalidJson(),
  "262201": invalidJson(),
  "6691623": notAuthorized("user not authorized"),
  "39387137": {
    summary: "invalid URL",
    meaning: (s) => `Cluster ${s.cluster} does not serve ${s.path}. ${ontapSays(s)}`,
    fix: () =>
      "check the ONTAP release with: version (iSCSI REST needs 9.6, metrics 9.7, one metric sample 9.14)",
  },
};

function invalidJson(): CodeAdvice {
  return {
    summary: "invalid JSON",
    meaning: (s) =>
      `ONTAP could not parse the body of ${s.method} ${s.path}: the provider sent malformed JSON, which is a provider bug. ${ontapSays(s)}`,
    fix: () => "report the bug with this message; nothing on the cluster needs to change",
  };
}

/** Every ONTAP code with advice, iSCSI codes first. */
export const KNOWN_ONTAP_CODES: readonly string[] = Object.freeze([
  ...Object.keys(ISCSI_CODES),
  ...Object.keys(COMMON_CODES),
]);

/** The advice for an ONTAP code, or undefined for a code not in the table. */
export function adviceFor(code: string | undefined): CodeAdvice | undefined {
  if (code === undefined) return undefined;
  return ISCSI_CODES[code] ?? COMMON_CODES[code];
}

/**
 * A gateway's "unavailable" answer without an ONTAP body: the cluster or a proxy in front of
 * it. Every other status without an ONTAP error code is "not an ONTAP answer" (./render).
 */
export const UNAVAILABLE: CodeAdvice = {
  summary: "the cluster, or a proxy in front of it, is unavailable",
  meaning: (s) =>
    `Cluster ${s.cluster} kept answering ${s.method} ${s.path} with this status through the provider's retries.`,
  fix: (s) =>
    `check that the cluster is healthy (cluster show; ${EVENT_LOG}) and any proxy in between, then re-run ${s.rerun}`,
};

/**
 * The statuses that UNAVAILABLE explains: those the retry policy repeats as "not now"
 * (RETRYABLE_STATUSES, ../ontap/failures), the one set, so that the two cannot drift apart.
 */
export const UNAVAILABLE_STATUSES: ReadonlySet<number> = RETRYABLE_STATUSES;

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
