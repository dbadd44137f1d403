/**
 * What a create or an update would record, computed without a request: the plugin declares
 * preview support, so the engine asks Create and Update in a preview and shows these
 * outputs (what the program gives, or will, is known; what ONTAP decides is unknown).
 */
import { desiredAlias } from "../iscsi/fields";
import type { IscsiServiceOutputs } from "../iscsi/model";
import { type CheckedInputs, isUnknown, UNKNOWN } from "../iscsi/validate";
import type { Connections } from "./connections";

/** Outputs a create of these inputs would record, unknown where ONTAP decides them. */
export function previewCreate(conns: Connections, inputs: CheckedInputs): Record<string, unknown> {
  const svmName = inputs.svmName ?? UNKNOWN;
  const alias = isUnknown(inputs.targetAlias) || isUnknown(svmName) ? UNKNOWN : desiredAlias(inputs, svmName);
  return {
    svmName,
    svmUuid: inputs.svmUuid ?? UNKNOWN,
    enabled: inputs.enabled,
    targetAlias: inputs.targetAlias === undefined && isUnknown(svmName) ? UNKNOWN : alias,
    targetName: UNKNOWN,
    host: isUnknown(inputs.cluster) ? UNKNOWN : conns.runFor(inputs.cluster).host,
    cluster: inputs.cluster,
    adopt: inputs.adopt,
    // An adopt finds out at apply time whether a service is there to take over.
    adopted: inputs.adopt === false ? false : UNKNOWN,
    protectActiveSessions: inputs.protectActiveSessions === true ? true : undefined,
  };
}

/** Outputs an update to these inputs would record: state, with what the inputs change. */
export function previewUpdate(olds: IscsiServiceOutputs, news: CheckedInputs): Record<string, unknown> {
  if (olds.pendingJob !== undefined) return { ...olds };
  const alias = isUnknown(news.targetAlias) ? UNKNOWN : desiredAlias(news, news.svmName ?? olds.svmName);
  return {
    ...olds,
    enabled: news.enabled,
    targetAlias: news.targetAlias === undefined ? olds.targetAlias : alias,
    cluster: news.cluster,
    protectActiveSessions: news.protectActiveSessions === true ? true : undefined,
  };
}
