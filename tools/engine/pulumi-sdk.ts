import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcModule from "@grpc/grpc-js";
import type * as engineGrpcModule from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as engineProtoModule from "@pulumi/pulumi/proto/engine_pb";
import type * as provGrpcModule from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as provProtoModule from "@pulumi/pulumi/proto/provider_pb";
import type * as statusProtoModule from "@pulumi/pulumi/proto/status_pb";
import type * as emptyProtoModule from "google-protobuf/google/protobuf/empty_pb";
import type * as structProtoModule from "google-protobuf/google/protobuf/struct_pb";

/**
 * The @pulumi/pulumi installation a program would use, and the modules the harness needs
 * from it, all loaded through that installation's own resolution so that the gRPC stubs,
 * grpc-js and google-protobuf are the very instances the dynamic provider host runs.
 */
export interface PulumiSdk {
  /** Directory of the @pulumi/pulumi package. */
  dir: string;
  version: string;
  /** `<dir>/cmd/dynamic-provider`: the host the engine starts for dynamic resources. */
  dynamicProviderHost: string;
  grpc: typeof grpcModule;
  /** The engine's own services (the harness serves Log to a plugin). */
  engineGrpc: typeof engineGrpcModule;
  engineProto: typeof engineProtoModule;
  emptyProto: typeof emptyProtoModule;
  provGrpc: typeof provGrpcModule;
  provProto: typeof provProtoModule;
  statusProto: typeof statusProtoModule;
  structProto: typeof structProtoModule;
}

const loaded = new Map<string, PulumiSdk>();

/** The directory of the @pulumi/pulumi package that `require` resolves from `fromDir`. */
export function resolvePulumiDir(fromDir: string): string {
  const req = createRequire(path.join(path.resolve(fromDir), "__resolve__.js"));
  return path.dirname(req.resolve("@pulumi/pulumi/package.json"));
}

/** Loads (once per installation) the @pulumi/pulumi that `fromDir` resolves. */
export function loadPulumiSdk(fromDir: string): PulumiSdk {
  const dir = resolvePulumiDir(fromDir);
  const cached = loaded.get(dir);
  if (cached) return cached;
  const req = createRequire(path.join(dir, "package.json"));
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
  const sdk: PulumiSdk = {
    dir,
    version: pkg.version,
    dynamicProviderHost: path.join(dir, "cmd", "dynamic-provider"),
    grpc: req("@grpc/grpc-js"),
    engineGrpc: req("./proto/engine_grpc_pb"),
    engineProto: req("./proto/engine_pb"),
    emptyProto: req("google-protobuf/google/protobuf/empty_pb"),
    provGrpc: req("./proto/provider_grpc_pb"),
    provProto: req("./proto/provider_pb"),
    statusProto: req("./proto/status_pb"),
    structProto: req("google-protobuf/google/protobuf/struct_pb"),
  };
  loaded.set(dir, sdk);
  return sdk;
}

/** The project name in `<programDir>/Pulumi.yaml` (its top-level `name:`). */
export function readProjectName(programDir: string): string {
  const file = path.join(programDir, "Pulumi.yaml");
  const text = fs.readFileSync(file, "utf8");
  const match = /^name:\s*["']?([^"'#\s]+)["']?\s*(#.*)?$/m.exec(text);
  if (!match) throw new Error(`${file} has no top-level "name:"`);
  return match[1];
}
