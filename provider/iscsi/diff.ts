import { FIELDS, INPUT_NAMES, type IscsiServiceInputs } from "./fields";
import { type IscsiServiceOutputs, svmNamedBy } from "./model";
import { type CheckedInputs, isUnknown } from "./validate";

/** What `diff` tells the engine. `changes` is always explicit (see pulumi-dynamic-providers notes). */
export interface ServiceDiff {
  changes: boolean;
  replaces: string[];
  /** Properties that update in place. */
  updates: string[];
  deleteBeforeReplace: boolean;
}

function differs(desired: string | undefined, current: string | undefined, caseInsensitive = false): boolean {
  if (desired === undefined) return false;
  if (isUnknown(desired)) return true;
  return caseInsensitive ? desired.toLowerCase() !== (current ?? "").toLowerCase() : desired !== current;
}

/**
 * Where the inputs' connection reaches, compared with the service in state: the same
 * address; the same cluster by another address; another cluster; or not known (a preview
 * with an unknown profile).
 */
export type Placement = "same-host" | "same-cluster" | "other-cluster" | "unknown";

/**
 * Pure diff of checked inputs against the old outputs. Naming the same SVM another way,
 * or leaving out an alias that equals ONTAP's default, is no change. Another address of
 * the same cluster, or another profile name for it, is an update of `host`/`cluster` with
 * no write. A replacement deletes first unless it provably lands on another SVM.
 */
export function diffService(
  olds: IscsiServiceOutputs,
  news: CheckedInputs,
  placement: Placement,
): ServiceDiff {
  const replaces: string[] = [];
  const updates: string[] = [];

  // The UUID is the SVM's identity: with the same UUID, another name is a rename, not another SVM.
  const sameUuid = news.svmUuid !== undefined && !differs(news.svmUuid, olds.svmUuid, true);
  if (differs(news.svmUuid, olds.svmUuid, true)) replaces.push("svmUuid");
  if (!sameUuid && differs(news.svmName, olds.svmName)) replaces.push("svmName");
  const clusterChanged = (news.cluster ?? "") !== (olds.cluster ?? "");
  // Another profile name or another address for the same cluster moves nothing.
  const sameCluster = placement === "same-host" || placement === "same-cluster";
  if (clusterChanged && !sameCluster) replaces.push("cluster");
  replaces.push(...changedInputs(olds, news, "replace"));
  if (clusterChanged && sameCluster && replaces.length === 0) updates.push("cluster");
  if (placement === "same-cluster" && replaces.length === 0) updates.push("host");

  // The program now names the SVM the other way: recorded with no write, so that a refresh
  // records the inputs as the program gives them (and no-op previews stay request-free).
  if (olds.svmNamedBy !== undefined && olds.svmNamedBy !== svmNamedBy(news) && replaces.length === 0)
    updates.push("svmNamedBy");
  if (replaces.length === 0) updates.push(...changedInputs(olds, news, "record"));
  // A create whose job was still running: the update reads its outcome and finishes it.
  if (olds.pendingJob !== undefined && replaces.length === 0) updates.push("pendingJob");
  if (replaces.length === 0) updates.push(...changedInputs(olds, news, "update"));

  // One service per SVM: a replacement that could land on the same SVM must delete first.
  // It provably does not on another cluster, or when the SVM UUID is known to differ.
  const otherHost = placement === "other-cluster";
  const otherSvm =
    sameCluster &&
    news.svmUuid !== undefined &&
    !isUnknown(news.svmUuid) &&
    news.svmUuid.toLowerCase() !== olds.svmUuid.toLowerCase();
  const deleteBeforeReplace = !(otherHost || otherSvm);

  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    updates,
    deleteBeforeReplace,
  };
}

/**
 * The inputs whose change has this rule (see the field table) and that differ from state:
 * a `record` input compares with what state recorded (absent booleans are false); an
 * `update` or `replace` input compares the value the service should have, and one left
 * out leaves the service as it is. An unknown value (preview) counts as a change.
 */
function changedInputs(
  olds: IscsiServiceOutputs,
  news: CheckedInputs,
  rule: "record" | "update" | "replace",
): string[] {
  return INPUT_NAMES.filter((name) => {
    const input = FIELDS[name].input;
    if (input?.onChange !== rule) return false;
    const value = news[name];
    if (isUnknown(value)) return true;
    if (rule === "record") {
      const absent = input.type === "boolean" ? false : undefined;
      return (value ?? absent) !== (olds[name] ?? absent);
    }
    const desired = input.desired ? input.desired(news as IscsiServiceInputs, olds.svmName) : value;
    if (isUnknown(desired)) return true;
    return desired !== undefined && desired !== olds[name];
  });
}
