/**
 * Engine-conformance harness: runs a Pulumi program's dynamic resources through the real
 * dynamic provider host of @pulumi/pulumi, without the Pulumi CLI.
 *
 * - `capture` runs the program under `pulumi.runtime.setMocks` (in a child process) and
 *   returns what the engine would receive: type, URN, inputs with the real `__provider`.
 * - `HostProcess` starts `@pulumi/pulumi/cmd/dynamic-provider` (or, for the plugin face,
 *   `bin/pulumi-resource-ontap`) in the program's directory and drives it over gRPC with
 *   Pulumi's own stubs, recording every call.
 * - `Engine` follows the engine's step rules (preview, up, refresh, destroy) over an
 *   in-memory state, using both.
 */
export * from "./capture";
export * from "./engine";
export * from "./engine-log";
export * from "./faces";
export * from "./host";
export * from "./pulumi-sdk";
export * from "./schedule";
export * from "./wire";
