/**
 * Validation of iSCSI service request bodies: the alias rule, types, and which SVM a
 * POST names. Each failure is an ONTAP error naming the field in `target`.
 */
import { OntapError } from "../errors";
import type { Cluster, Svm } from "../state";

/** Alias rule: 1..128 printable ASCII characters without space; "" clears it. */
export function checkAlias(value: unknown): string {
  if (typeof value !== "string" || (value !== "" && !/^[\x21-\x7e]{1,128}$/.test(value))) {
    const shown = typeof value === "string" ? value : JSON.stringify(value);
    throw new OntapError(
      400,
      "262185",
      `"${shown}" is an invalid value for field "target.alias": it must be 1 to 128 printable characters without spaces.`,
      "target.alias",
    );
  }
  return value;
}

/** `enabled` must be a boolean (262185). */
export function checkEnabled(value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new OntapError(
      400,
      "262185",
      `"${JSON.stringify(value)}" is an invalid value for field "enabled" (boolean).`,
      "enabled",
    );
  }
  return value;
}

/** A non-empty string (262185). */
export function checkString(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new OntapError(
      400,
      "262185",
      `"${JSON.stringify(value)}" is an invalid value for field "${name}" (string).`,
      name,
    );
  }
  return value;
}

/** The SVM a POST body names: 2621707 for none, 2621462 unknown, 2621706 for two different ones. */
export function resolveSvm(cluster: Cluster, name: string | undefined, uuid: string | undefined): Svm {
  if (name === undefined && uuid === undefined) {
    throw new OntapError(
      400,
      "2621707",
      'No SVM was specified. Either "svm.name" or "svm.uuid" must be supplied.',
      "svm",
    );
  }
  const byUuid = uuid === undefined ? undefined : cluster.svms.get(uuid);
  if (uuid !== undefined && !byUuid) {
    throw new OntapError(400, "2621462", `An SVM with UUID "${uuid}" does not exist.`, "svm.uuid");
  }
  let byName: Svm | undefined;
  if (name !== undefined) {
    byName = [...cluster.svms.values()].find((s) => s.name === name);
    if (!byName) throw new OntapError(400, "2621462", `SVM "${name}" does not exist.`, "svm.name");
  }
  if (byUuid && byName && byUuid !== byName) {
    throw new OntapError(
      400,
      "2621706",
      `The specified "svm.uuid" and "svm.name" refer to different SVMs.`,
      "svm.uuid",
    );
  }
  return (byUuid ?? byName) as Svm;
}
