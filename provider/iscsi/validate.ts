import type { IscsiServiceInputs } from "./model";

/** The value Pulumi sends for an input that is not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Pulumi's placeholder for a value not known until apply, as a type. */
export type Unknown = typeof UNKNOWN;

/**
 * Inputs after `check`: defaults applied, every known value validated; in a preview any of
 * them may still be Pulumi's placeholder (string inputs carry it as their own type). By
 * Create and Update the engine has resolved them all: see `knownInputs`.
 */
export type CheckedInputs = Omit<IscsiServiceInputs, "enabled" | "adopt" | "protectActiveSessions"> & {
  enabled: boolean | Unknown;
  adopt: boolean | Unknown;
  protectActiveSessions?: boolean | Unknown;
};

/** A problem with one input, as `check` reports it: the property and how to fix it. */
export interface InputFailure {
  property: string;
  reason: string;
}

/** The outcome of validating raw inputs: normalised inputs, or what to fix. */
export interface ValidationResult {
  inputs: CheckedInputs;
  failures: InputFailure[];
}

const KNOWN_INPUTS = new Set([
  "svmName",
  "svmUuid",
  "enabled",
  "targetAlias",
  "cluster",
  "adopt",
  "protectActiveSessions",
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ONTAP SVM (vserver) names: up to 47 characters of letters, digits, ".", "-" and "_".
const SVM_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,46}$/;
// ONTAP: 1..128 printable characters without a space; ASCII only.
const ALIAS = /^[\x21-\x7e]{1,128}$/;

/** Whether a value is Pulumi's placeholder for "not known until apply". */
export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/**
 * Checked inputs with every value known, as Create and Update get them; a placeholder
 * that reached them would be an engine bug, said as such rather than sent to ONTAP.
 */
export function knownInputs(inputs: CheckedInputs): IscsiServiceInputs {
  const { enabled, adopt, protectActiveSessions, ...rest } = inputs;
  const unknown = Object.entries(inputs)
    .filter(([, v]) => isUnknown(v))
    .map(([k]) => k);
  if (unknown.length > 0 || isUnknown(enabled) || isUnknown(adopt) || isUnknown(protectActiveSessions))
    throw new Error(
      `Inputs ${unknown.join(", ")} are still unknown at apply time; nothing was sent to ONTAP.`,
    );
  const known: IscsiServiceInputs = { ...rest, enabled, adopt };
  if (protectActiveSessions !== undefined) known.protectActiveSessions = protectActiveSessions;
  return known;
}

function describe(value: unknown): string {
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `${typeof value} ${typeof value === "object" ? "" : JSON.stringify(value)}`.trim();
}

function aliasProblem(alias: string): string | undefined {
  if (alias === "" || ALIAS.test(alias)) return undefined;
  if (alias.length > 128) return `is ${alias.length} characters long; ONTAP allows at most 128`;
  if (/\s/.test(alias))
    return "contains whitespace; ONTAP allows printable characters without spaces, tabs or newlines";
  if ([...alias].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
    return "contains a control character";
  return "contains a non-ASCII character; ONTAP allows printable ASCII characters only";
}

/**
 * Validates raw resource inputs before any request: every failure names the property
 * and the fix. Preview unknowns pass through untouched.
 */
export function validateInputs(raw: Record<string, unknown>): ValidationResult {
  const failures: InputFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const inputs: CheckedInputs = { enabled: true, adopt: false };

  for (const key of Object.keys(raw)) {
    if (key !== "__provider" && !KNOWN_INPUTS.has(key)) {
      fail(
        key,
        `"${key}" is not an input of IscsiService. Remove it; inputs are ${[...KNOWN_INPUTS].join(", ")}.`,
      );
    }
  }

  const { svmName, svmUuid, enabled, targetAlias, cluster, adopt, protectActiveSessions } = raw;
  if (svmName !== undefined && !isUnknown(svmName)) {
    if (typeof svmName !== "string")
      fail("svmName", `svmName must be a string (the SVM's name), got ${describe(svmName)}.`);
    else if (!SVM_NAME.test(svmName))
      fail(
        "svmName",
        `svmName ${JSON.stringify(svmName)} is not a valid SVM name: use 1..47 letters, digits, ".", "-" or "_" (see "vserver show").`,
      );
  }
  if (svmUuid !== undefined && !isUnknown(svmUuid)) {
    if (typeof svmUuid !== "string") fail("svmUuid", `svmUuid must be a string, got ${describe(svmUuid)}.`);
    else if (!UUID.test(svmUuid))
      fail(
        "svmUuid",
        `svmUuid ${JSON.stringify(svmUuid)} is not a UUID (8-4-4-4-12 hex digits); find it with "vserver show -fields uuid".`,
      );
  }
  if (svmName === undefined && svmUuid === undefined) {
    fail("svmName", "Name the SVM: set svmName (or svmUuid, or both naming the same SVM).");
  }
  if (enabled !== undefined && !isUnknown(enabled) && typeof enabled !== "boolean") {
    fail("enabled", `enabled must be a boolean (true or false), got ${describe(enabled)}.`);
  }
  if (targetAlias !== undefined && !isUnknown(targetAlias)) {
    if (typeof targetAlias !== "string")
      fail("targetAlias", `targetAlias must be a string, got ${describe(targetAlias)}.`);
    else {
      const problem = aliasProblem(targetAlias);
      if (problem)
        fail(
          "targetAlias",
          `targetAlias ${problem}. Use 1..128 printable ASCII characters without spaces, "" to clear it, or leave it out for ONTAP's default (the SVM name).`,
        );
    }
  }
  if (cluster !== undefined && !isUnknown(cluster)) {
    if (typeof cluster !== "string" || cluster.trim() === "")
      fail(
        "cluster",
        `cluster must name a profile in the "ontap:clusters" stack config, got ${describe(cluster)}.`,
      );
  }
  if (adopt !== undefined && !isUnknown(adopt) && typeof adopt !== "boolean") {
    fail("adopt", `adopt must be a boolean (true or false), got ${describe(adopt)}.`);
  }
  if (
    protectActiveSessions !== undefined &&
    !isUnknown(protectActiveSessions) &&
    typeof protectActiveSessions !== "boolean"
  ) {
    fail(
      "protectActiveSessions",
      `protectActiveSessions must be a boolean (true or false), got ${describe(protectActiveSessions)}.`,
    );
  }

  if (typeof svmName === "string") inputs.svmName = svmName;
  if (typeof svmUuid === "string") inputs.svmUuid = isUnknown(svmUuid) ? svmUuid : svmUuid.toLowerCase();
  if (typeof enabled === "boolean" || isUnknown(enabled)) inputs.enabled = enabled;
  if (typeof targetAlias === "string") inputs.targetAlias = targetAlias;
  if (typeof cluster === "string") inputs.cluster = cluster;
  if (typeof adopt === "boolean" || isUnknown(adopt)) inputs.adopt = adopt;
  if (typeof protectActiveSessions === "boolean" || isUnknown(protectActiveSessions))
    inputs.protectActiveSessions = protectActiveSessions;
  return { inputs, failures };
}
