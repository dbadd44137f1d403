/**
 * Validation of iSCSI service request bodies: the alias rule, types, and which SVM a
 * POST names. Each failure is an ONTAP error naming the field in `target`.
 */
import { OntapError, withArguments } from "../errors";
import { canSee, type RequestContext } from "../router";
import type { Svm } from "../state";

/** Alias rule: 1..128 printable ASCII characters without space; "" clears it. */
export function checkAlias(value: unknown): string {
  if (typeof value !== "string" || (value !== "" && !/^[\x21-\x7e]{1,128}$/.test(value))) {
    const shown = typeof value === "string" ? value : JSON.stringify(value);
    throw withArguments(
      400,
      "262185",
      [shown, "target.alias"],
      (v, n) =>
        `"${v}" is an invalid value for field "${n}": it must be 1 to 128 printable characters without spaces.`,
      "target.alias",
    );
  }
  return value;
}

/**
 * `enabled` must be a boolean (262185). ONTAP's own example sends `"enabled": "false"`
 * [doc], so the strings "true" and "false" count as booleans too.
 */
export function checkEnabled(value: unknown): boolean {
  if (value === "true" || value === "false") return value === "true";
  if (typeof value !== "boolean") {
    throw withArguments(
      400,
      "262185",
      [JSON.stringify(value), "enabled"],
      (v, n) => `"${v}" is an invalid value for field "${n}" (boolean).`,
      "enabled",
    );
  }
  return value;
}

/** A non-empty string (262185). */
export function checkString(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw withArguments(
      400,
      "262185",
      [JSON.stringify(value), name],
      (v, n) => `"${v}" is an invalid value for field "${n}" (string).`,
      name,
    );
  }
  return value;
}

/**
 * The SVM a POST body names: 2621707 for none, 2621462 unknown (or not visible to an
 * SVM-scoped account), 2621706 for two different ones.
 */
export function resolveSvm(ctx: RequestContext, name: string | undefined, uuid: string | undefined): Svm {
  if (name === undefined && uuid === undefined) {
    throw new OntapError(
      400,
      "2621707",
      'No SVM was specified. Either "svm.name" or "svm.uuid" must be supplied.',
      "svm",
    );
  }
  const visible = [...ctx.cluster.svms.values()].filter((s) => canSee(ctx, s));
  const byUuid = uuid === undefined ? undefined : visible.find((s) => s.uuid === uuid);
  if (uuid !== undefined && !byUuid) {
    throw withArguments(400, "2621462", [uuid], (u) => `An SVM with UUID "${u}" does not exist.`, "svm.uuid");
  }
  let byName: Svm | undefined;
  if (name !== undefined) {
    byName = visible.find((s) => s.name === name);
    if (!byName) throw withArguments(400, "2621462", [name], (n) => `SVM "${n}" does not exist.`, "svm.name");
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
