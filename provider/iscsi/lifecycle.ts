import type { OntapClient } from "../ontap/client";
import { toDiagnosticError } from "../ontap/diagnostics";
import { OntapLostResponseError } from "../ontap/errors";
import type { OntapLogger } from "../ontap/types";
import { createService, deleteService, findService, hasCode, isGone, patchService } from "./api";
import type { ReadBatcher } from "./batch";
import {
  desiredAlias,
  type IscsiServiceInputs,
  type IscsiServiceOutputs,
  type IscsiServiceRecord,
  toCreateBody,
  toOutputs,
} from "./model";

/** One cluster as the lifecycle sees it: a client, its read batcher, and where state says we are. */
export interface ClusterHandle {
  client: OntapClient;
  batcher: ReadBatcher;
  /** Normalised management host, recorded in state for pinning. */
  host: string;
  cluster?: string;
  log: OntapLogger;
  /** Whether this process saw, shortly before, that the SVM had no service (preflight evidence). */
  sawNoService(svm: { name?: string; uuid?: string }): boolean;
}

const ALREADY_EXISTS = "5374077";
const ASA_R2 = "5376452";
const DELETE_WHILE_ENABLED = "5373960";

function svmLabel(svm: { svmName?: string; svmUuid?: string }): string | undefined {
  return svm.svmName ?? svm.svmUuid;
}

/** Brings a live service to the desired state: alias and `enabled` in separate PATCH calls (5374081). */
async function converge(
  handle: ClusterHandle,
  record: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
): Promise<IscsiServiceRecord> {
  const alias = desiredAlias(inputs, record.svm.name);
  const converged: IscsiServiceRecord = { ...record, target: { ...record.target } };
  if ((record.target?.alias ?? "") !== alias) {
    await patchService(handle.client, record.svm.uuid, { target: { alias } });
    converged.target = { ...converged.target, alias };
  }
  if ((record.enabled ?? true) !== inputs.enabled) {
    await patchService(handle.client, record.svm.uuid, { enabled: inputs.enabled });
    converged.enabled = inputs.enabled;
  }
  return converged;
}

function outputsFor(
  handle: ClusterHandle,
  record: IscsiServiceRecord,
  inputs: IscsiServiceInputs,
  how: { adopted: boolean; asaR2: boolean },
) {
  return toOutputs(record, {
    host: handle.host,
    cluster: handle.cluster,
    adopt: inputs.adopt,
    adopted: how.adopted,
    asaR2: how.asaR2,
    targetAliasDefault: inputs.targetAlias === undefined,
  });
}

/**
 * Create: one POST. An existing service (5374077, or ASA r2's 5376452) is taken over only
 * with `adopt: true`. A lost response is reconciled by reading before anything else.
 */
export async function createIscsiService(
  handle: ClusterHandle,
  inputs: IscsiServiceInputs,
): Promise<IscsiServiceOutputs> {
  const action = { action: "create the iSCSI service", svm: svmLabel(inputs) };
  try {
    let record = await createService(handle.client, toCreateBody(inputs));
    if (inputs.targetAlias === "") record = await converge(handle, record, inputs);
    return outputsFor(handle, record, inputs, { adopted: false, asaR2: false });
  } catch (err) {
    if (hasCode(err, ALREADY_EXISTS, ASA_R2)) {
      if (!inputs.adopt) throw toDiagnosticError(err, action);
      return adopt(handle, inputs, hasCode(err, ASA_R2)).catch((e) => {
        throw toDiagnosticError(e, { action: "adopt the existing iSCSI service", svm: svmLabel(inputs) });
      });
    }
    if (err instanceof OntapLostResponseError) {
      return reconcileLostCreate(handle, inputs).catch((e) => {
        throw toDiagnosticError(e, action);
      });
    }
    throw toDiagnosticError(err, action);
  }
}

async function adopt(
  handle: ClusterHandle,
  inputs: IscsiServiceInputs,
  asaR2: boolean,
): Promise<IscsiServiceOutputs> {
  const existing = await findService(handle.client, { name: inputs.svmName, uuid: inputs.svmUuid });
  if (!existing)
    throw new Error(
      `ONTAP reported an existing iSCSI service on SVM ${svmLabel(inputs)}, but none can be read`,
    );
  const record = await converge(handle, existing, inputs);
  handle.log.warn(
    `Adopted the existing iSCSI service on SVM "${record.svm.name}" (cluster ${handle.host}); it is now managed by this stack` +
      (asaR2 ? " (ASA r2: destroy will leave it in place)." : " and will be deleted on destroy."),
  );
  return outputsFor(handle, record, inputs, { adopted: true, asaR2 });
}

/**
 * The POST's response was lost: it may or may not have been applied. Read first. Nothing
 * there → the POST did not land: send it once more. A service there is ours only if this
 * process saw the SVM without one just before (preflight), or the user asked to adopt.
 */
async function reconcileLostCreate(
  handle: ClusterHandle,
  inputs: IscsiServiceInputs,
): Promise<IscsiServiceOutputs> {
  const svm = { name: inputs.svmName, uuid: inputs.svmUuid };
  const existing = await findService(handle.client, svm);
  if (!existing) {
    let record = await createService(handle.client, toCreateBody(inputs));
    if (inputs.targetAlias === "") record = await converge(handle, record, inputs);
    return outputsFor(handle, record, inputs, { adopted: false, asaR2: false });
  }
  if (inputs.adopt || handle.sawNoService(svm)) {
    const record = await converge(handle, existing, inputs);
    return outputsFor(handle, record, inputs, {
      adopted: inputs.adopt && !handle.sawNoService(svm),
      asaR2: false,
    });
  }
  throw new LostCreateError(svmLabel(inputs) ?? existing.svm.name, handle.host);
}

/** The create's response was lost and a service exists that this run cannot prove it made. */
export class LostCreateError extends Error {
  override readonly name = "LostCreateError";
  constructor(svm: string, host: string) {
    super(
      `The response to creating the iSCSI service on SVM "${svm}" (cluster ${host}) was lost, and a service now exists there. ` +
        "This run cannot prove it created that service (the SVM was not looked up before the create: preflight is off), so it does not take it over.\n" +
        `Fix: check it with "vserver iscsi show -vserver ${svm}"; if it is the one you wanted, set adopt: true on the resource and run pulumi up again.`,
    );
  }
}

/** Read for refresh: the live record, or undefined when the service or its SVM is gone. */
export async function readIscsiService(
  handle: ClusterHandle,
  olds: IscsiServiceOutputs,
): Promise<IscsiServiceOutputs | undefined> {
  let record: IscsiServiceRecord | undefined;
  try {
    record = await handle.batcher.read(olds.svmUuid);
  } catch (err) {
    throw toDiagnosticError(err, { action: "read the iSCSI service", svm: olds.svmName });
  }
  if (!record) return undefined;
  return toOutputs(record, {
    host: olds.host,
    cluster: olds.cluster,
    adopt: olds.adopt,
    adopted: olds.adopted,
    asaR2: olds.asaR2,
    targetAliasDefault: olds.targetAliasDefault,
  });
}

/** Update: PATCH only what changed; the alias and `enabled` as separate calls (5374081). */
export async function updateIscsiService(
  handle: ClusterHandle,
  olds: IscsiServiceOutputs,
  news: IscsiServiceInputs,
): Promise<IscsiServiceOutputs> {
  const record: IscsiServiceRecord = {
    svm: { uuid: olds.svmUuid, name: olds.svmName },
    enabled: olds.enabled,
    target: { alias: olds.targetAlias, name: olds.targetName },
  };
  try {
    const converged = await converge(handle, record, news);
    return outputsFor(handle, converged, news, { adopted: olds.adopted, asaR2: olds.asaR2 });
  } catch (err) {
    throw toDiagnosticError(err, { action: "update the iSCSI service", svm: olds.svmName });
  }
}

/**
 * Delete, the two-phase transition: disable (if enabled), then DELETE. If the DELETE fails,
 * the service is re-enabled before the error is thrown: a failed delete never leaves an
 * SVM's iSCSI switched off. A service that is already gone counts as deleted.
 */
export async function deleteIscsiService(handle: ClusterHandle, olds: IscsiServiceOutputs): Promise<void> {
  const action = { action: "delete the iSCSI service", svm: olds.svmName };
  if (olds.asaR2) {
    handle.log.warn(
      `The iSCSI service on SVM "${olds.svmName}" (cluster ${handle.host}) is on an ASA r2 system, where it always exists: left in place and removed from the stack.`,
    );
    return;
  }
  let disabledByUs = false;
  const disable = async () => {
    await patchService(handle.client, olds.svmUuid, { enabled: false });
    disabledByUs = true;
  };
  try {
    if (olds.enabled) await disable();
    try {
      await deleteService(handle.client, olds.svmUuid);
    } catch (err) {
      // State said disabled, but someone enabled it since: disable now and delete again.
      if (!hasCode(err, DELETE_WHILE_ENABLED) || disabledByUs) throw err;
      await disable();
      await deleteService(handle.client, olds.svmUuid);
    }
  } catch (err) {
    if (isGone(err)) return;
    if (disabledByUs) {
      const deletedAfterAll = await reenable(handle, olds, err);
      if (deletedAfterAll) return;
    }
    if (hasCode(err, ASA_R2)) {
      handle.log.warn(
        `The iSCSI service on SVM "${olds.svmName}" cannot be deleted on ASA r2: left in place (enabled) and removed from the stack.`,
      );
      return;
    }
    throw toDiagnosticError(err, action);
  }
}

/** Undo the disable after a failed DELETE. Returns true when the service turns out to be gone (the DELETE landed). */
async function reenable(
  handle: ClusterHandle,
  olds: IscsiServiceOutputs,
  deleteError: unknown,
): Promise<boolean> {
  try {
    await patchService(handle.client, olds.svmUuid, { enabled: true });
    handle.log.warn(
      `Deleting the iSCSI service on SVM "${olds.svmName}" failed; it was re-enabled so its hosts keep their sessions.`,
    );
    return false;
  } catch (err) {
    if (isGone(err)) return true;
    const original = toDiagnosticError(deleteError, {
      action: "delete the iSCSI service",
      svm: olds.svmName,
    });
    throw new Error(
      `${original.message}\nThen re-enabling the service failed too: the iSCSI service on SVM "${olds.svmName}" (cluster ${handle.host}) is LEFT DISABLED and its hosts cannot log in.\n` +
        `Fix now: vserver iscsi start -vserver ${olds.svmName}\n` +
        toDiagnosticError(err, { action: "re-enable the iSCSI service", svm: olds.svmName }).message,
    );
  }
}
