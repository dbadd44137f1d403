import type { IscsiServiceOutputs } from "./model";

/**
 * The create made the service, but bringing it to the inputs failed. Carries what the
 * Pulumi host needs to record a created resource that failed to initialise (`id`,
 * `properties`, `reasons`), so the service is in state and the next `pulumi up` finishes it.
 */
export class PartialCreateError extends Error {
  override readonly name = "PartialCreateError";
  readonly id: string;
  readonly properties: IscsiServiceOutputs;
  readonly reasons: string[];
  constructor(cause: Error, properties: IscsiServiceOutputs) {
    super(
      `${cause.message}\nThe iSCSI service on SVM "${properties.svmName}" was created and is recorded in the stack; ` +
        "re-run `pulumi up` to finish configuring it.",
    );
    this.id = properties.svmUuid;
    this.properties = properties;
    this.reasons = [cause.message];
  }
}

/**
 * The create's answer was lost and this run cannot tell that the service now there is its
 * own: either a service exists that it cannot prove it made, or the cluster could not be
 * read back at all (`unread`, the read's own diagnostic).
 */
export class LostCreateError extends Error {
  override readonly name = "LostCreateError";
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
 * A DELETE failed after the service was disabled, and re-enabling it failed too: the SVM's
 * hosts are cut off until someone starts the service. Said loudly, with the command.
 */
export class ServiceLeftDisabledError extends Error {
  override readonly name = "ServiceLeftDisabledError";
  constructor(
    svm: string,
    host: string,
    deleteDiagnostic: string,
    reenableDiagnostic: string,
    /** false when the disable's own outcome is unknown (its answer was lost). */
    disabledForSure = true,
  ) {
    const state = disabledForSure
      ? "is LEFT DISABLED"
      : "MAY BE LEFT DISABLED (the disable's answer was lost)";
    super(
      `${deleteDiagnostic}\nThen re-enabling the service failed too: the iSCSI service on SVM "${svm}" (cluster ${host}) ${state} and its hosts cannot log in.\n` +
        `Fix now: vserver iscsi start -vserver ${svm}\n${reenableDiagnostic}`,
    );
  }
}

/** The connection a resource resolves to now points at another cluster than the one in its state. */
export class ClusterMismatchError extends Error {
  override readonly name = "ClusterMismatchError";
  constructor(svm: string, recorded: string, configKey: string, current: string) {
    super(
      `The iSCSI service on SVM "${svm}" lives on cluster ${recorded}, but ${configKey} now points at ${current}. ` +
        "Refusing to act on the wrong cluster.\n" +
        `Fix: point ${configKey} back at ${recorded}, or remove the resource from the stack (pulumi state delete) and create it on the new cluster.`,
    );
  }
}
