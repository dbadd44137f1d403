import { renderError } from "../ontap/diagnostics";
import type { PooledHandle } from "../pool";
import { listServices } from "./api";
import type { IscsiServiceInputs } from "./model";
import type { InputFailure } from "./validate";

/**
 * Read-only lookup before a create, so that a preview fails on the pull request rather
 * than after merge. It never writes; an unreachable cluster only logs a warning, because a
 * preview of an unrelated change must not fail on it.
 */
export async function preflight(handle: PooledHandle, inputs: IscsiServiceInputs): Promise<InputFailure[]> {
  const svm = { name: inputs.svmName, uuid: inputs.svmUuid };
  const label = inputs.svmName ?? inputs.svmUuid ?? "";
  try {
    const filter = svm.uuid ? { "svm.uuid": svm.uuid } : { "svm.name": svm.name };
    const [existing] = await listServices(handle.client, filter, "svm.uuid,svm.name");
    if (!existing) {
      handle.recordNoService(svm);
      return [];
    }
    if (inputs.adopt) return [];
    return [
      {
        property: "adopt",
        reason:
          `SVM "${existing.svm.name}" (cluster ${handle.host}) already has an iSCSI service, so creating one would fail [ONTAP 5374077].\n` +
          `Fix: set adopt: true to take the existing service over (pulumi import does not work for dynamic providers), or choose another SVM. Inspect it with: vserver iscsi show -vserver ${existing.svm.name}`,
      },
    ];
  } catch (err) {
    handle.log.warn(
      `Preflight for SVM "${label}" skipped: ${renderError(err, { action: "look up the SVM", svm: label })}`,
    );
    return [];
  }
}
