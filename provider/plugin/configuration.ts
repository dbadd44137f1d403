/**
 * The plugin's configuration as the core reads it: the arguments of Configure (stack config
 * `ontap:*` for the default provider, the arguments of `new Provider(...)` for an explicit
 * one) behind the same `get("ontap:<key>")` the dynamic provider's stack config answers, so
 * that ../config.ts reads both, and names both in its errors, the same way.
 */
import type { ConfigSource } from "../config";
import { FIELDS } from "../connection-fields";
import type { InputFailure } from "../iscsi/validate";
import { PACKAGE } from "./schema";

/** Keys the engine itself adds to a provider's inputs. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);
/** The provider's own keys besides one connection's settings. */
const PROVIDER_KEYS = new Set([...Object.keys(FIELDS), "clusters", "preflight"]);

/** Configure's arguments (secrets unwrapped) as a {@link ConfigSource}. */
export function configSource(args: Record<string, unknown>): ConfigSource {
  return {
    get(key: string) {
      const prefix = `${PACKAGE}:`;
      return key.startsWith(prefix) ? args[key.slice(prefix.length)] : undefined;
    },
  };
}

/** CheckConfig's failures: keys no setting has (a typo would otherwise be ignored). */
export function unknownKeys(args: Record<string, unknown>): InputFailure[] {
  return Object.keys(args)
    .filter((key) => !PROVIDER_KEYS.has(key) && !ENGINE_KEYS.has(key))
    .map((key) => ({
      property: key,
      reason: `${PACKAGE}:${key} is not a setting of the ONTAP iSCSI provider (known: ${[...PROVIDER_KEYS].join(", ")}).`,
    }));
}
