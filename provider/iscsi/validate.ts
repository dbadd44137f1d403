/**
 * `check`'s validation of raw resource inputs, derived from the field table (./fields):
 * every failure names the property and the fix, before any request.
 */
import { FIELDS, INPUT_NAMES, type IscsiServiceInputs } from "./fields";

/** The value Pulumi sends for an input that is not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Pulumi's placeholder for a value not known until apply, as a type. */
export type Unknown = typeof UNKNOWN;

/**
 * Inputs after `check`: defaults applied, every known value validated; in a preview any of
 * them may still be Pulumi's placeholder (string inputs carry it as their own type). By
 * Create and Update the engine has resolved them all: see {@link knownInputs}.
 */
export type CheckedInputs = {
  [K in keyof IscsiServiceInputs]: IscsiServiceInputs[K] extends string | undefined
    ? IscsiServiceInputs[K]
    : IscsiServiceInputs[K] | Unknown;
};

/** A problem with one input, as `check` reports it: the property and how to fix it. */
export interface InputFailure {
  property: string;
  reason: string;
}

/** The outcome of validating raw inputs: normalized inputs, or what to fix. */
export interface ValidationResult {
  inputs: CheckedInputs;
  failures: InputFailure[];
}

/** Whether a value is Pulumi's placeholder for "not known until apply". */
export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/**
 * Checked inputs with every value known, as Create and Update get them; a placeholder
 * that reached them would be an engine bug, said as such rather than sent to ONTAP.
 */
export function knownInputs(inputs: CheckedInputs): IscsiServiceInputs {
  const unknown = Object.entries(inputs)
    .filter(([, v]) => isUnknown(v))
    .map(([k]) => k);
  if (unknown.length > 0)
    throw new Error(
      `Inputs ${unknown.join(", ")} are still unknown at apply time; nothing was sent to ONTAP.`,
    );
  return { ...inputs } as IscsiServiceInputs;
}

/** A value as a failure names it. */
export function describe(value: unknown): string {
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `${typeof value} ${typeof value === "object" ? "" : JSON.stringify(value)}`.trim();
}

const KNOWN_INPUTS: ReadonlySet<string> = new Set(INPUT_NAMES);

/**
 * Validates raw resource inputs before any request: every failure names the property
 * and the fix. Preview unknowns pass through untouched.
 */
export function validateInputs(raw: Record<string, unknown>): ValidationResult {
  const failures: InputFailure[] = [];
  for (const key of Object.keys(raw)) {
    if (key !== "__provider" && !KNOWN_INPUTS.has(key))
      failures.push({
        property: key,
        reason: `"${key}" is not an input of IscsiService. Remove it; inputs are ${INPUT_NAMES.join(", ")}.`,
      });
  }
  const inputs: Record<string, unknown> = {};
  for (const name of INPUT_NAMES) {
    const rule = FIELDS[name].input;
    if (rule === undefined) continue;
    if (rule.default !== undefined) inputs[name] = rule.default;
    const failure = checkValue(name, raw[name], inputs);
    if (failure) failures.push({ property: name, reason: failure });
    // The SVM check follows its two identifiers, as the inputs list them.
    if (name === "svmUuid" && raw.svmName === undefined && raw.svmUuid === undefined)
      failures.push({
        property: "svmName",
        reason: "Name the SVM: set svmName (or svmUuid, or both naming the same SVM).",
      });
  }
  return { inputs: inputs as CheckedInputs, failures };
}

/** Checks one input's value by its rule and sets it in `inputs` when it has the right type; the failure's reason otherwise. */
function checkValue(
  name: keyof IscsiServiceInputs,
  value: unknown,
  inputs: Record<string, unknown>,
): string | undefined {
  const rule = FIELDS[name].input;
  if (value === undefined || rule === undefined) return undefined;
  if (isUnknown(value)) {
    inputs[name] = value;
    return undefined;
  }
  if (typeof value !== rule.type) return `${name} ${rule.mustBe}, got ${describe(value)}.`;
  if (typeof value !== "string") {
    inputs[name] = value;
    return undefined;
  }
  inputs[name] = rule.normalize ? rule.normalize(value) : value;
  return rule.problem?.(value, describe(value));
}
