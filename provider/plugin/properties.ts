/**
 * Property values between the engine and the plugin. The engine sends a Struct; secrets
 * arrive in their envelope only where the plugin cannot decline them (the provider's own
 * configuration: resources are configured with `acceptSecrets: false`, so the engine
 * strips them and marks the outputs of secret inputs secret itself). Unknowns of a preview
 * stay the sentinel string the core already recognizes (../iscsi/validate UNKNOWN).
 */
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { isObject } from "../values";
import { pulumiRpc } from "./rpc";

/** The key that marks a special value (secret, asset, resource reference); see @pulumi/pulumi runtime/rpc. */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret: `{[SPECIAL_SIG_KEY]: SECRET_SIG, value}`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The value with every secret envelope replaced by the value inside it. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (!isObject(value)) return value;
  if (value[SPECIAL_SIG_KEY] === SECRET_SIG) return unwrapSecrets(value.value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** A Struct (possibly absent) as a plain object. */
export function fromStruct(struct: Struct | undefined): Record<string, unknown> {
  return (struct?.toJavaScript() ?? {}) as Record<string, unknown>;
}

/** A plain object as a Struct; undefined members are left out (a Struct has no such value). */
export function toStruct(value: object): Struct {
  const plain = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return pulumiRpc().structProto.Struct.fromJavaScript(plain as Parameters<typeof Struct.fromJavaScript>[0]);
}
