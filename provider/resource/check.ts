/**
 * Check: every input validated before any request; then, for a create or a move, the
 * read-only preflight, the run's claim of the SVM (a second resource on it fails here),
 * and who the change would cut off.
 */

import type { ClusterRun } from "../cluster-run";
import { ConfigError, DuplicateResourceError } from "../errors";
import { announceCutOff, guardRefusal, sessionsOf } from "../iscsi/blast-radius";
import { type ManagedSvm, preflight } from "../iscsi/preflight";
import { type CheckedInputs, type InputFailure, isUnknown, validateInputs } from "../iscsi/validate";
import type { ReplacementGuard, SvmClaim } from "../ownership";
import type { Connections } from "./connections";

/** What Check answers: the checked inputs, or the raw ones with the failures. */
export interface CheckOutcome {
  inputs: CheckedInputs | Record<string, unknown>;
  failures: InputFailure[];
}

/** Validates every input before any request; then, for a create, a read-only preflight. */
export async function checkService(
  conns: Connections,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<CheckOutcome> {
  const { inputs, failures } = validateInputs(news);
  if (failures.length === 0 && !isUnknown(inputs.cluster)) {
    // The connection's settings, the profile's or the default's, as a Check failure: a
    // thrown error would be printed twice, with a stack trace.
    try {
      conns.resolve(inputs.cluster);
      conns.preflightEnabled();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      failures.push({ property: inputs.cluster === undefined ? "" : "cluster", reason: err.message });
    }
  }
  const validated = failures.length === 0;
  const sameCluster = conns.sameCluster(olds.cluster, inputs.cluster);
  let resolvedUuid: string | undefined;
  if (failures.length === 0 && isNewService(olds, inputs, sameCluster) && conns.preflightEnabled()) {
    const found = await preflight(conns.runFor(inputs.cluster), inputs, managedSvm(olds));
    failures.push(...found.failures);
    resolvedUuid = found.svm?.uuid;
  }
  if (validated) {
    const duplicate = await claimSvm(conns, olds, news, inputs, resolvedUuid);
    // A second resource on the SVM explains the existing service the preflight found there.
    if (duplicate.length > 0)
      failures.splice(0, failures.length, ...failures.filter((f) => f.property !== "adopt"), ...duplicate);
  }
  conns.ownership.noteReplacementGuard(
    failures.length === 0 ? replacementGuard(conns, olds, inputs, sameCluster) : undefined,
  );
  if (failures.length === 0 && conns.preflightEnabled())
    failures.push(...(await checkCutOff(conns, olds, inputs, sameCluster)));
  return { inputs: failures.length ? news : inputs, failures };
}

/**
 * Whether `check` should look the SVM up: for a create, or when the inputs may now name
 * another SVM or cluster. Each SVM identifier the new inputs give is compared with the
 * old inputs' (after a refresh they hold both); equal ones mean the same SVM, so a no-op
 * preview sends no request. Unknown identifiers (preview) cannot be looked up.
 */
export function isNewService(
  olds: Record<string, unknown>,
  inputs: CheckedInputs,
  sameCluster: boolean,
): boolean {
  const known = [inputs.svmName, inputs.svmUuid, inputs.cluster].every((v) => !isUnknown(v));
  if (!known) return false;
  if (Object.keys(olds).length === 0) return true;
  if (!sameCluster) return true;
  const sameName = inputs.svmName === undefined || inputs.svmName === olds.svmName;
  const sameUuid =
    inputs.svmUuid === undefined ||
    (typeof olds.svmUuid === "string" && inputs.svmUuid === olds.svmUuid.toLowerCase());
  return !(sameName && sameUuid);
}

/** The SVM old inputs name, either way. */
function oldSvm(olds: Record<string, unknown>): { uuid?: string; name?: string } {
  return {
    ...(typeof olds.svmUuid === "string" ? { uuid: olds.svmUuid } : {}),
    ...(typeof olds.svmName === "string" ? { name: olds.svmName } : {}),
  };
}

/** The SVM an existing resource lives on (old inputs, same cluster): finding it is no failure. */
function managedSvm(olds: Record<string, unknown>): ManagedSvm | undefined {
  // Also on another connection: a renamed profile or another address of the cluster finds
  // its own service there. On a truly other cluster a same-named SVM's service is then not
  // predicted in the preview; the move is create-first there, so its create fails with
  // 5374077 before the old service is touched.
  if (Object.keys(olds).length === 0) return undefined;
  const managed: ManagedSvm = oldSvm(olds);
  return managed.name === undefined && managed.uuid === undefined ? undefined : managed;
}

/**
 * Registers the SVM these inputs name in the run's ownership registry; a second resource
 * naming the same SVM fails here, before any write. Names are resolved to UUIDs only where
 * the preflight may send requests.
 */
async function claimSvm(
  conns: Connections,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  inputs: CheckedInputs,
  resolvedUuid: string | undefined,
): Promise<InputFailure[]> {
  if ([inputs.svmName, inputs.svmUuid, inputs.cluster].some(isUnknown)) {
    conns.ownership.forget();
    return [];
  }
  const run = conns.runFor(inputs.cluster);
  const claim: SvmClaim = { run };
  if (inputs.svmName !== undefined) claim.name = inputs.svmName;
  const uuid = inputs.svmUuid ?? resolvedUuid;
  if (uuid !== undefined) claim.uuid = uuid.toLowerCase();
  const other = await conns.ownership.check(claim, olds, news, conns.preflightEnabled());
  if (!other) return [];
  const svm = inputs.svmName ?? other.name ?? inputs.svmUuid ?? "";
  const property = inputs.svmName !== undefined ? "svmName" : "svmUuid";
  const reachedAs = other.run.host === run.host ? undefined : other.run.host;
  return [{ property, reason: new DuplicateResourceError(svm, run.host, reachedAs).message }];
}

/**
 * A replacement onto another SVM or cluster deletes the old service with the program's
 * protectActiveSessions, not the old state's: noted for the delete, with or without
 * preflight (no request). Undefined when the inputs do not move the resource.
 */
function replacementGuard(
  conns: Connections,
  olds: Record<string, unknown>,
  inputs: CheckedInputs,
  sameCluster: boolean,
): ReplacementGuard | undefined {
  if (Object.keys(olds).length === 0 || !isNewService(olds, inputs, sameCluster)) return undefined;
  try {
    const host = conns.runFor(typeof olds.cluster === "string" ? olds.cluster : undefined).host;
    return { svm: oldSvm(olds), host, on: inputs.protectActiveSessions === true };
  } catch {
    return undefined;
  }
}

/**
 * When the change would end the old service's sessions (a disable; a replacement onto
 * another SVM or cluster), warn naming the hosts, or with protectActiveSessions fail the
 * check. Read-only, one lookup per cluster and run; a preview that cannot look says so once.
 */
async function checkCutOff(
  conns: Connections,
  olds: Record<string, unknown>,
  inputs: CheckedInputs,
  sameCluster: boolean,
): Promise<InputFailure[]> {
  if (Object.keys(olds).length === 0) return [];
  const disabling = inputs.enabled === false && olds.enabled !== false;
  const moving = isNewService(olds, inputs, sameCluster);
  if (!disabling && !moving) return [];
  const oldCluster = typeof olds.cluster === "string" ? olds.cluster : undefined;
  const svm = oldSvm(olds);
  let run: ClusterRun;
  try {
    run = conns.runFor(oldCluster);
  } catch {
    return [];
  }
  if (moving && !sameCluster && !isUnknown(inputs.cluster)) {
    // Another address of the same cluster (the same SVM UUID there) moves nothing.
    const oldUuid =
      svm.uuid ??
      (svm.name === undefined ? undefined : await run.cache.svmUuidOf(svm.name).catch(() => undefined));
    const there =
      oldUuid === undefined
        ? undefined
        : await conns
            .runFor(inputs.cluster)
            .cache.svmDirectory()
            .catch(() => undefined);
    const sameSvm =
      (inputs.svmName !== undefined && inputs.svmName === svm.name) ||
      (inputs.svmUuid !== undefined && inputs.svmUuid === oldUuid?.toLowerCase());
    if (!disabling && sameSvm && oldUuid !== undefined && there?.has(oldUuid.toLowerCase())) return [];
  }
  const change = disabling && !moving ? "Disabling" : "Replacing";
  const seen = await sessionsOf(run, svm, "preview");
  const label = svm.name ?? svm.uuid ?? "";
  const property =
    disabling && !moving
      ? "enabled"
      : inputs.svmName !== olds.svmName
        ? "svmName"
        : inputs.svmUuid !== undefined
          ? "svmUuid"
          : "cluster";
  // A preview that cannot tell only says so; the apply's guard refuses then.
  if (inputs.protectActiveSessions === true && seen.known && seen.sessions > 0)
    return [{ property, reason: guardRefusal(change, label, run.host, seen).message }];
  announceCutOff(run, change, label, seen);
  return [];
}
