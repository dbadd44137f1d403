/**
 * The two faces of the provider, as the engine harness drives them (`EngineOptions.face`):
 * "dynamic", the program's dynamic resources through @pulumi/pulumi's dynamic provider host,
 * and "plugin", the provider plugin (`bin/pulumi-resource-ontap`, provider/plugin) that a
 * program of any Pulumi language uses. Both run the same core, so the scenario suites run
 * every behavioural case against both.
 *
 * A program is captured once, as the TypeScript SDK's dynamic resource; for the plugin face
 * each registration is mapped to what a program written for the plugin registers: the
 * plugin's type token (in the type and the URN), and the inputs without `__provider`.
 * Everything else the program decides (names, inputs, secrets, resource options) is kept.
 */
import * as path from "node:path";
import { repoRoot } from "../paths";
import type { CapturedResource } from "./capture";
import { PROVIDER_KEY } from "./wire";

export type Face = "dynamic" | "plugin";

/** Both faces, the dynamic one first. */
export const FACES: readonly Face[] = ["dynamic", "plugin"];

/** A provider plugin, and how a dynamic program's resources map to it. */
export interface PluginFace {
  /** The process to start: executable and arguments; the engine's address is appended. */
  command: string[];
  /** The package's name: its config namespace (`ontap:host`) and default provider. */
  package: string;
  /** Each dynamic resource type of a program → the plugin's type token. */
  types: Record<string, string>;
}

/** This package's plugin: bin/pulumi-resource-ontap of this checkout, which runs dist/provider/plugin. */
export const ONTAP_PLUGIN: PluginFace = {
  command: [process.execPath, path.join(repoRoot, "bin", "pulumi-resource-ontap")],
  package: "ontap",
  types: { "pulumi-nodejs:dynamic/ontap:IscsiService": "ontap:index:IscsiService" },
};

/** The registration a program written for the plugin makes in place of this dynamic one. */
export function pluginResource(r: CapturedResource, plugin: PluginFace): CapturedResource {
  const token = plugin.types[r.type];
  if (token === undefined) {
    throw new Error(
      `${r.urn}: the plugin face maps only ${Object.keys(plugin.types).join(", ")} (type ${r.type})`,
    );
  }
  const { [PROVIDER_KEY]: _provider, ...inputs } = r.inputs;
  return {
    ...r,
    type: token,
    urn: withType(r.urn, token),
    inputs,
    secretKeys: r.secretKeys.filter((k) => k !== PROVIDER_KEY),
  };
}

/** The URN with its resource's own type (the last of the qualified type's `$` parts) replaced. */
function withType(urn: string, token: string): string {
  const parts = urn.split("::");
  const qualified = parts[2].split("$");
  qualified[qualified.length - 1] = token;
  parts[2] = qualified.join("$");
  return parts.join("::");
}
