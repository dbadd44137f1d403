/**
 * The three models of an iSCSI service, and the one conversion between each pair:
 * `IscsiServiceRecord` (what ONTAP returns), `IscsiServiceBody` (what we send),
 * `IscsiServiceInputs` / `IscsiServiceOutputs` (what Pulumi stores).
 */

/** A record of /api/protocols/san/iscsi/services as ONTAP returns it (only the fields we ask for). */
export interface IscsiServiceRecord {
  svm: { uuid: string; name: string };
  enabled?: boolean;
  /** Absent or "" once cleared. */
  target?: { alias?: string; name?: string };
}

/** A POST or PATCH body. PATCH never carries `svm`, and never `enabled` together with `target` (5374081). */
export interface IscsiServiceBody {
  svm?: { name?: string; uuid?: string };
  enabled?: boolean;
  target?: { alias: string };
}

/** The resource's inputs after `check`: defaults applied, every value validated. */
export interface IscsiServiceInputs {
  svmName?: string;
  svmUuid?: string;
  enabled: boolean;
  /** Absent: ONTAP's default (the SVM name). "" clears the alias. */
  targetAlias?: string;
  /** Connection profile name; absent: the default connection. */
  cluster?: string;
  adopt: boolean;
  /** Refuse a disable, replacement or delete while the service has active iSCSI sessions. Default false. */
  protectActiveSessions?: boolean;
}

/** What Pulumi stores for a service: the live values plus where it lives. */
export interface IscsiServiceOutputs {
  svmName: string;
  svmUuid: string;
  enabled: boolean;
  /** "" when the alias is cleared. */
  targetAlias: string;
  /** Whether the alias was left to ONTAP's default (the SVM name) by the inputs. */
  targetAliasDefault: boolean;
  /** How the inputs named the SVM, so that refresh records the same inputs (absent in older state: both). */
  svmNamedBy?: SvmNamedBy;
  /** The IQN. */
  targetName: string;
  /** The cluster management address this service was last reached at (another address of the same cluster is followed). */
  host: string;
  /** Connection profile name; absent: the default connection. */
  cluster?: string;
  adopt: boolean;
  /** Taken over from an existing service rather than created. */
  adopted: boolean;
  /** Recorded only when true: a delete reads it to refuse while hosts are logged in. */
  protectActiveSessions?: boolean;
  /** On ASA r2 every SVM always has a service: destroy leaves it in place. */
  asaR2: boolean;
  /**
   * A random id of the create or adopt that put the service under this resource (absent in
   * state written before 0.2): lets a run tell this resource from another one that names
   * the same service (see provider/ownership.ts).
   */
  claimId?: string;
  /** The UUID of an ONTAP job that was still creating the service when the create stopped waiting. */
  pendingJob?: string;
  /**
   * Set when `pendingJob` is a POST sent again after an earlier one's answer was lost: if it
   * fails because the SVM already has a service, the earlier POST may have made it.
   */
  pendingJobReposted?: boolean;
  /**
   * The shape of this state ({@link STATE_VERSION} of the package that wrote it; absent
   * before 0.2.0): a package refuses state written by a newer one instead of acting on it.
   */
  stateVersion?: number;
}

/**
 * The version of the state this package writes. Raised whenever a later package records
 * something an older one would misread (a pending job, a guard, a claim), so that an older
 * installation refuses that state instead of, say, deleting a guarded service.
 */
export const STATE_VERSION = 2;

/** The fields every read asks for: never `metric`/`statistics` (expensive). */
export const SERVICE_FIELDS = "svm.uuid,svm.name,enabled,target.alias,target.name";

/** The alias the service should carry for these inputs on this SVM. */
export function desiredAlias(inputs: Pick<IscsiServiceInputs, "targetAlias">, svmName: string): string {
  return inputs.targetAlias ?? svmName;
}

/** Keys that name an SVM either way ("uuid:…", "name:…"), for per-SVM bookkeeping in one process. */
export function svmKeys(svm: { name?: string; uuid?: string }): string[] {
  const keys: string[] = [];
  if (svm.uuid) keys.push(`uuid:${svm.uuid.toLowerCase()}`);
  if (svm.name) keys.push(`name:${svm.name}`);
  return keys;
}

/** Which SVM identifiers the inputs gave. */
export type SvmNamedBy = "name" | "uuid" | "both";

/** Which SVM identifiers these inputs give. */
export function svmNamedBy(inputs: Pick<IscsiServiceInputs, "svmName" | "svmUuid">): SvmNamedBy {
  if (inputs.svmUuid === undefined) return "name";
  return inputs.svmName === undefined ? "uuid" : "both";
}

/** Where a service lives and how it came under management: the outputs that a record does not say. */
export interface Placement {
  host: string;
  cluster?: string;
  adopt: boolean;
  adopted: boolean;
  asaR2: boolean;
  targetAliasDefault: boolean;
  svmNamedBy?: SvmNamedBy;
  claimId?: string;
  protectActiveSessions?: boolean;
}

/** Record → outputs. */
export function toOutputs(record: IscsiServiceRecord, placement: Placement): IscsiServiceOutputs {
  const outputs: IscsiServiceOutputs = {
    svmName: record.svm.name,
    svmUuid: record.svm.uuid,
    enabled: record.enabled ?? true,
    targetAlias: record.target?.alias ?? "",
    targetAliasDefault: placement.targetAliasDefault,
    targetName: record.target?.name ?? "",
    host: placement.host,
    adopt: placement.adopt,
    adopted: placement.adopted,
    asaR2: placement.asaR2,
    stateVersion: STATE_VERSION,
  };
  if (placement.cluster !== undefined) outputs.cluster = placement.cluster;
  if (placement.svmNamedBy !== undefined) outputs.svmNamedBy = placement.svmNamedBy;
  if (placement.claimId !== undefined) outputs.claimId = placement.claimId;
  if (placement.protectActiveSessions === true) outputs.protectActiveSessions = true;
  return outputs;
}

/** Outputs → the inputs that reproduce them, for `pulumi refresh` (ReadResult.inputs). */
export function toInputs(outputs: IscsiServiceOutputs): IscsiServiceInputs {
  // The SVM named as the program names it, so that refresh adds no phantom input diff.
  const namedBy = outputs.svmNamedBy ?? "both";
  const inputs: IscsiServiceInputs = { enabled: outputs.enabled, adopt: outputs.adopt };
  if (namedBy !== "uuid") inputs.svmName = outputs.svmName;
  if (namedBy !== "name") inputs.svmUuid = outputs.svmUuid;
  // An alias left to the default stays unmanaged unless someone changed it away from the default.
  if (!outputs.targetAliasDefault || outputs.targetAlias !== outputs.svmName) {
    inputs.targetAlias = outputs.targetAlias;
  }
  if (outputs.cluster !== undefined) inputs.cluster = outputs.cluster;
  if (outputs.protectActiveSessions === true) inputs.protectActiveSessions = true;
  return inputs;
}

/** Inputs → the POST body: the SVM as given, the state, and the alias only when one is wanted. */
export function toCreateBody(inputs: IscsiServiceInputs): IscsiServiceBody {
  const svm: { name?: string; uuid?: string } = {};
  if (inputs.svmName !== undefined) svm.name = inputs.svmName;
  if (inputs.svmUuid !== undefined) svm.uuid = inputs.svmUuid;
  const body: IscsiServiceBody = { svm, enabled: inputs.enabled };
  // ONTAP rejects an empty alias on POST; "" (cleared) is applied by a PATCH after the create.
  if (inputs.targetAlias) body.target = { alias: inputs.targetAlias };
  return body;
}

/** The error for a field of a service record from the wire that is not of its type. */
export function malformedField(field: string, got: unknown, want: string): Error {
  return new Error(
    `ONTAP returned an iSCSI service record whose "${field}" is ${JSON.stringify(got) ?? "missing"} (${typeof got}), not ${want}`,
  );
}

/**
 * Guards a record from the wire: a malformed one fails only its own resource, naming the
 * field, and never reaches state.
 */
export function parseRecord(value: unknown): IscsiServiceRecord {
  const record = value as { svm?: Record<string, unknown>; enabled?: unknown; target?: unknown } | undefined;
  const bad = (field: string, got: unknown, want: string) =>
    new Error(`${malformedField(field, got, want).message}; it was not recorded`);
  if (!record || typeof record !== "object")
    throw new Error("ONTAP returned an iSCSI service record that is not an object");
  if (typeof record.svm?.uuid !== "string") throw bad("svm.uuid", record.svm?.uuid, "a string");
  if (typeof record.svm.name !== "string") throw bad("svm.name", record.svm.name, "a string");
  if (record.enabled !== undefined && typeof record.enabled !== "boolean")
    throw bad("enabled", record.enabled, "a boolean");
  const target = record.target as Record<string, unknown> | undefined;
  if (target !== undefined) {
    if (typeof target !== "object" || target === null) throw bad("target", target, "an object");
    for (const key of ["alias", "name"]) {
      if (target[key] !== undefined && typeof target[key] !== "string")
        throw bad(`target.${key}`, target[key], "a string");
    }
  }
  return record as IscsiServiceRecord;
}
