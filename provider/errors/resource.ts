/**
 * The errors of the resource's operations, one class per failure kind, under the one base
 * ({@link ProviderError}). Their messages are written for a person: ONTAP failures are
 * rendered by ../diagnostics/render, which every caller goes through.
 */

import { takeOverOrDelete } from "../diagnostics/messages";
import type { IscsiServiceOutputs } from "../iscsi/model";
import { ProviderError } from "./base";
import type { OntapErrorKind } from "./transport";

/** A configuration problem, named by its config key (or environment variable), with the command that fixes it. */
export class ConfigError extends ProviderError {
  readonly kind = "config";
  constructor(
    readonly key: string,
    problem: string,
    readonly fix: string,
  ) {
    super(`Configuration error in ${key}: ${problem}\nFix: ${fix}`);
  }
}

/** The kinds an OntapDiagnosticError reports: the transport's, a settings problem, or anything else. */
export type DiagnosticKind = OntapErrorKind | "config" | "unknown";

/** A failure of a request to ONTAP, rendered as advice (./diagnostics/render). */
export class OntapDiagnosticError extends ProviderError {
  /** The underlying failure's kind ("api", "tls", ...), "config", or "unknown". */
  readonly kind: DiagnosticKind;
  /** The ONTAP code, when the failure carried one. */
  readonly code?: string;
  /** The HTTP status, when one arrived. */
  readonly status?: number;

  constructor(message: string, details: { kind: DiagnosticKind; code?: string; status?: number }) {
    super(message);
    this.kind = details.kind;
    if (details.code !== undefined && details.code !== "") this.code = details.code;
    if (details.status !== undefined) this.status = details.status;
  }
}

/**
 * A failure after which the engine must record the resource with the outputs it carries
 * (`id`, `properties`, `reasons`: Pulumi's ErrorResourceInitFailed) rather than the ones it
 * had: the service is in state as it is, and the next `pulumi up` finishes the change.
 */
abstract class OutputsRecordingError extends ProviderError {
  readonly id: string;
  readonly properties: IscsiServiceOutputs & { __provider?: string };
  readonly reasons: string[];
  constructor(cause: Error, properties: IscsiServiceOutputs, said: string) {
    super(`${cause.message}\n${said}`);
    this.id = properties.svmUuid;
    this.properties = properties;
    // What the CLI prints for a partial failure: the whole message, what was recorded included.
    this.reasons = [this.message];
  }
}

/** The create made the service, but bringing it to the inputs failed: recorded as it is. */
export class PartialCreateError extends OutputsRecordingError {
  readonly kind = "partial-create";
  constructor(cause: Error, properties: IscsiServiceOutputs) {
    super(
      cause,
      properties,
      `The iSCSI service on SVM "${properties.svmName}" was created and is recorded in the stack; ` +
        "re-run `pulumi up` to finish configuring it.",
    );
  }
}

/**
 * An update that failed after it may have changed the service (a PATCH applied before
 * another failed, or one whose answer was lost or whose job was purged): the service was
 * read back, and is recorded as the cluster has it, not with the outputs from before the
 * update. The next `pulumi up` diffs the program against what is really there.
 */
export class PartialUpdateError extends OutputsRecordingError {
  readonly kind = "partial-update";
  constructor(cause: Error, properties: IscsiServiceOutputs) {
    const alias = properties.targetAlias === undefined ? "none" : JSON.stringify(properties.targetAlias);
    super(
      cause,
      properties,
      `The iSCSI service on SVM "${properties.svmName}" was read back after the failure: the stack records it ` +
        `as the cluster has it now (enabled ${properties.enabled}, alias ${alias}); re-run \`pulumi up\` to finish the change.`,
    );
  }
}

/**
 * The create's answer was lost and this run cannot tell that the service now there is its
 * own: either a service exists that it cannot prove it made, or the cluster could not be
 * read back at all (`unread`, the read's own diagnostic).
 */
export class LostCreateError extends ProviderError {
  readonly kind = "lost-create";
  constructor(svm: string, host: string, details: { unread?: string } = {}) {
    const head = `The response to creating the iSCSI service on SVM "${svm}" (cluster ${host}) was lost`;
    const fix =
      `Fix: check it with "vserver iscsi show -vserver ${svm}"; if it is the one you wanted, ` +
      "set adopt: true on the resource and run pulumi up again; if there is none, run pulumi up again.";
    super(
      details.unread === undefined
        ? `${head}, and a service now exists there. This run has no proof that it created that service, ` +
            "so it does not take it over: the preflight in check did not see this SVM without a service before the create " +
            `(it is turned off, or could not look), or another resource of this run has created one there since.\n${fix}`
        : // Only the read's summary line: the fix below is the one that applies.
          `${head}, and reading the cluster back failed too, so the service may or may not exist now.\n${details.unread.split("\n")[0]}\n${fix}`,
    );
  }
}

/**
 * A create's ONTAP job made the service, but this run could not read it back to record it
 * (the read failed, or found none: the SVM renamed since, say). The service exists outside
 * the stack: the message says how to take it over or remove it.
 */
export class UnreadCreateError extends ProviderError {
  readonly kind = "unread-create";
  constructor(svm: string, host: string, job: string | undefined, why: string) {
    super(
      `ONTAP made the iSCSI service on SVM "${svm}" (cluster ${host})${job === undefined ? "" : ` as job ${job}`}, ` +
        `but this run could not read it back to record it in the stack: ${why}\n` +
        `Fix: check it with "vserver iscsi show -vserver ${svm}"; then ${takeOverOrDelete(svm)}.`,
    );
  }
}

/**
 * A DELETE failed after the service was disabled, and re-enabling it failed too: the SVM's
 * hosts are cut off until someone starts the service. Said loudly, with the command.
 */
export class ServiceLeftDisabledError extends ProviderError {
  readonly kind = "service-left-disabled";
  constructor(
    svm: string,
    host: string,
    deleteDiagnostic: string,
    reenableDiagnostic: string,
    /**
     * false when the disable's own outcome is unknown (its answer was lost); "pending" when
     * the disable is an ONTAP job still running, which may apply after the re-enable.
     */
    disabledForSure: boolean | "pending" = true,
  ) {
    const state =
      disabledForSure === true
        ? "is LEFT DISABLED"
        : disabledForSure === "pending"
          ? "MAY BE LEFT DISABLED (the disable is still running as an ONTAP job, and may end after any re-enable)"
          : "MAY BE LEFT DISABLED (the disable's answer was lost)";
    super(
      `${deleteDiagnostic}\nThen re-enabling the service failed too: the iSCSI service on SVM "${svm}" (cluster ${host}) ${state} and its hosts cannot log in.\n` +
        `Fix now: vserver iscsi start -vserver ${svm}\n${reenableDiagnostic}`,
    );
  }
}

/** The connection a resource resolves to now points at another cluster than the one in its state. */
export class ClusterMismatchError extends ProviderError {
  readonly kind = "cluster-mismatch";
  /** `namesakeUuid`: the UUID of the SVM of the same name that the cluster at `current` has, if any. */
  constructor(svm: string, recorded: string, configKey: string, current: string, namesakeUuid?: string) {
    super(
      `The iSCSI service on SVM "${svm}" lives on cluster ${recorded}, but ${configKey} now points at ${current}, ` +
        "which has no SVM with the UUID in the stack. Refusing to act on the wrong cluster.\n" +
        `Fix: point ${configKey} back at ${recorded}, or remove the resource from the stack (pulumi state delete) and create it on the new cluster.` +
        (namesakeUuid === undefined
          ? ""
          : `\nIf ${current} is the same cluster and SVM "${svm}" (now UUID ${namesakeUuid}) was deleted and created again, ` +
            "its old service is gone with it: remove the resource from the stack (pulumi state delete <urn>) and run pulumi up to create the service on the new SVM."),
    );
  }
}

/**
 * The service in state is not on the cluster that answers at its address, and that cluster
 * has an SVM of the same name with another UUID: another cluster now answers there (a DNS
 * name or management IP moved to a DR or new cluster), or the SVM was deleted and created
 * again. Either way the resource is not read as deleted, nor its service created anew.
 */
export class SvmIdentityError extends ProviderError {
  readonly kind = "svm-identity";
  constructor(svm: string, recordedUuid: string, host: string, foundUuid: string, operation: string) {
    super(
      `Refusing to ${operation}: the iSCSI service in the stack is on SVM "${svm}" with UUID ${recordedUuid}, ` +
        `but the cluster answering at ${host} has no SVM with that UUID; its SVM "${svm}" has UUID ${foundUuid}. ` +
        "Either another cluster now answers at this address (a DNS name or management IP moved to a DR or new cluster), " +
        `or SVM "${svm}" was deleted and created again. Nothing was changed, and the resource stays in the stack.\n` +
        `Fix: if another cluster answers, point the connection back at the cluster that holds SVM UUID ${recordedUuid}; ` +
        "if the SVM was recreated, its old service is gone with it: remove the resource from the stack " +
        "(`pulumi state delete <urn>`) and run `pulumi up` to create the service on the new SVM.",
    );
  }
}

/** State written by a newer version of this package than the one installed. */
export class NewerStateError extends ProviderError {
  readonly kind = "newer-state";
  constructor(svm: string, written: number, known: number) {
    super(
      `Refusing to act on the iSCSI service on SVM "${svm}": its state was written by a newer pulumi-ontap-iscsi ` +
        `(state version ${written}; the package installed in this program knows up to ${known}), and an older package could misread it ` +
        "(a pending job, a guard, a claim). Nothing was changed.\n" +
        `Fix: upgrade pulumi-ontap-iscsi in the program's directory (${process.cwd()}) to the version that wrote the state or later ` +
        "(npm install pulumi-ontap-iscsi@latest, or the version your team's lockfile pins), then run again.",
    );
  }
}

/** An adopt found a service that another resource of this run has just created or taken over. */
export class OwnershipConflictError extends ProviderError {
  readonly kind = "ownership-conflict";
  constructor(svm: string, host: string, how: "created" | "adopted") {
    super(
      `Refusing to adopt the iSCSI service on SVM "${svm}" (cluster ${host}): another IscsiService resource of this run ${how} it moments ago, ` +
        "and two resources managing one service would each undo the other's changes (and the first delete would take it from both).\n" +
        'Fix: keep one resource for this SVM; if you renamed or moved a resource, give the new one `aliases: [{ name: "<old name>" }]` instead.',
    );
  }
}

/** Two resources of the stack name one SVM: found by Check, or by Diff through the UUID in state. */
export class DuplicateResourceError extends ProviderError {
  readonly kind = "duplicate-resource";
  constructor(svm: string, host: string, reachedAs?: string) {
    super(
      `Another IscsiService resource in this stack names the same SVM "${svm}" (cluster ${host}` +
        (reachedAs === undefined ? "" : `, reached there as ${reachedAs}`) +
        "). An SVM has one iSCSI service, and two resources managing it would undo each other's changes; deleting either would delete it.\n" +
        'Fix: keep one resource for this SVM. If you renamed a resource or moved it into a component, give it `aliases: [{ name: "<old name>" }]` ' +
        "(or run `pulumi state rename`) instead of keeping the old one.",
    );
  }
}

/**
 * A create whose ONTAP job is still running after the configured wait. With `properties`
 * (the SVM could be named by UUID), the engine records the resource with `pendingJob`, and
 * the next operation reads the job's outcome first; nothing is POSTed again while it runs.
 */
export class PendingCreateError extends ProviderError {
  readonly kind = "create-pending";
  readonly id?: string;
  readonly properties?: IscsiServiceOutputs & { __provider?: string };
  readonly reasons?: string[];
  constructor(
    message: string,
    readonly jobUuid: string,
    properties?: IscsiServiceOutputs,
  ) {
    super(
      properties === undefined
        ? message
        : `${message}\nThe resource is recorded in the stack with the job; the next \`pulumi up\` or \`pulumi refresh\` reads the job's outcome before anything else.`,
    );
    if (properties !== undefined) {
      this.id = properties.svmUuid;
      this.properties = properties;
      this.reasons = [this.message];
    }
  }
}

/** A change that would end active iSCSI sessions, refused because the resource sets protectActiveSessions. */
export class ActiveSessionsError extends ProviderError {
  readonly kind = "active-sessions";
}

/** An id given to `pulumi import` (or the `import` resource option) that does not name an SVM. */
export class ImportIdError extends ProviderError {
  readonly kind = "import-id";
  constructor(readonly id: string) {
    super(
      `Cannot import iSCSI service ${JSON.stringify(id)}: the id is [<profile>/]<SVM name or UUID>, e.g. "svm1", ` +
        `"west/svm1" (the connection profile "west" of ontap:clusters) or "west/1cd8a442-86d1-11e0-ae1c-123478563412".\n` +
        "Find the SVM with: vserver show -fields uuid",
    );
  }
}

/**
 * The id and outputs an error asks the engine to record for its resource (Pulumi's
 * "created, or updated, but not initialized": ErrorResourceInitFailed), or undefined. The
 * one place both faces ask.
 */
export function recordedOutputs(
  err: unknown,
): { id: string; properties: IscsiServiceOutputs & { __provider?: string }; reasons: string[] } | undefined {
  if (!(err instanceof OutputsRecordingError || err instanceof PendingCreateError)) return undefined;
  if (err.id === undefined || err.properties === undefined) return undefined;
  return { id: err.id, properties: err.properties, reasons: err.reasons ?? [err.message] };
}
