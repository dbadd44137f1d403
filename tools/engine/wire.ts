import { UNKNOWN } from "../../provider/iscsi/validate";
import {
  SECRET_SIG,
  SPECIAL_SIG_KEY,
  unwrapSecrets as unwrapPluginSecrets,
} from "../../provider/plugin/properties";

/**
 * What property values look like on the wire between a Pulumi program, the engine and a
 * provider, and the few transformations the engine applies to them. The sentinels are
 * the ones in `@pulumi/pulumi/runtime/rpc.js` (3.248).
 */

/** A JSON-shaped value, as a `google.protobuf.Struct` carries it. */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

/** A resource's properties (inputs or outputs) as they cross the wire. */
export type PropertyMap = Record<string, WireValue>;

// The sentinels are the provider's own (the plugin reads the same wire): one definition each.
export { UNKNOWN } from "../../provider/iscsi/validate";
export { SECRET_SIG, SPECIAL_SIG_KEY } from "../../provider/plugin/properties";

/** The property of a dynamic resource that holds its serialized provider. */
export const PROVIDER_KEY = "__provider";

/** Wraps a value the way a secret travels to the engine (and in a Configure request's args). */
export function wrapSecret(value: WireValue): WireValue {
  return { [SPECIAL_SIG_KEY]: SECRET_SIG, value };
}

type WireObject = { [key: string]: WireValue };

function isObject(value: WireValue | undefined): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSecret(value: WireValue): value is WireObject {
  return isObject(value) && value[SPECIAL_SIG_KEY] === SECRET_SIG;
}

/** Whether the value holds a secret anywhere inside it. */
export function containsSecret(value: WireValue): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isObject(value)) return Object.values(value).some(containsSecret);
  return false;
}

/** Whether the value holds an unknown anywhere inside it. */
export function containsUnknown(value: WireValue): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Removes every secret marker, keeping the plain value: what the engine does before it
 * calls a provider that answered Configure with `acceptSecrets: false` (the dynamic
 * provider host always does).
 */
export function unwrapSecrets(value: WireValue): WireValue {
  return unwrapPluginSecrets(value) as WireValue;
}

/** Structural equality of two wire values (key order does not matter). */
export function wireEqual(a: WireValue | undefined, b: WireValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => wireEqual(v, b[i]))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!wireEqual(a[k], b[k])) return false;
  return true;
}

/** The top-level keys whose values differ between two property maps, sorted. */
export function changedKeys(olds: PropertyMap, news: PropertyMap): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => !wireEqual(olds[k], news[k])).sort();
}

/** Parts of a resource URN: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a resource URN: ${urn}`);
  const qualifiedType = parts[2];
  return {
    stack: parts[0].slice("urn:pulumi:".length),
    project: parts[1],
    type: qualifiedType.split("$").pop() ?? qualifiedType,
    name: parts.slice(3).join("::"),
  };
}
