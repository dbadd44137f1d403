/**
 * Request bodies: JSON parsing and the nested-or-dotted field forms ONTAP accepts
 * (`{"svm": {"name": "x"}}` and `{"svm.name": "x"}` mean the same).
 */
import { cannotSet, invalidJson, invalidValue, unexpectedArgument } from "./errors";

/** Parses a request body; empty means undefined. Throws 262199 for malformed JSON. */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw invalidJson((e as Error).message);
  }
}

/** Which fields a body may carry for one operation. */
export interface BodyRules {
  operation: "POST" | "PATCH";
  /** Leaf paths that may be set. */
  writable: string[];
  /** Paths (leaves or objects) that exist but cannot be set here: 262196. */
  readOnly: string[];
  /** Object paths that may be nested, e.g. ["svm", "target"]. */
  objects: string[];
}

function covers(prefixes: string[], path: string): boolean {
  return prefixes.some((p) => path === p || path.startsWith(`${p}.`));
}

/**
 * Flattens a body to dotted leaf paths, rejecting unknown fields (262179) and
 * read-only ones (262196), each with `target` naming the field.
 */
export function flattenBody(body: unknown, rules: BodyRules): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (body === undefined) return out;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidJson("the body must be a JSON object");
  }
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (covers(rules.readOnly, path) || path.split(".").includes("_links"))
        throw cannotSet(path, rules.operation);
      if (rules.objects.includes(path)) {
        if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidValue(path, v, "an object");
        walk(v as Record<string, unknown>, path);
      } else if (rules.writable.includes(path)) {
        out.set(path, v);
      } else {
        throw unexpectedArgument(path);
      }
    }
  };
  walk(body as Record<string, unknown>, "");
  return out;
}
