/**
 * Pulumi's gRPC stubs and their runtime (grpc-js, google-protobuf), loaded through the
 * installed `@pulumi/pulumi`'s own resolution: the stubs were generated against those very
 * instances (a Struct of another google-protobuf would not serialize into their messages).
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcModule from "@grpc/grpc-js";
import type * as engineGrpcModule from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as engineProtoModule from "@pulumi/pulumi/proto/engine_pb";
import type * as pluginProtoModule from "@pulumi/pulumi/proto/plugin_pb";
import type * as provGrpcModule from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as provProtoModule from "@pulumi/pulumi/proto/provider_pb";
import type * as statusProtoModule from "@pulumi/pulumi/proto/status_pb";
import type * as anyProtoModule from "google-protobuf/google/protobuf/any_pb";
import type * as emptyProtoModule from "google-protobuf/google/protobuf/empty_pb";
import type * as structProtoModule from "google-protobuf/google/protobuf/struct_pb";

export interface PulumiRpc {
  grpc: typeof grpcModule;
  provGrpc: typeof provGrpcModule;
  provProto: typeof provProtoModule;
  engineGrpc: typeof engineGrpcModule;
  engineProto: typeof engineProtoModule;
  pluginProto: typeof pluginProtoModule;
  statusProto: typeof statusProtoModule;
  anyProto: typeof anyProtoModule;
  emptyProto: typeof emptyProtoModule;
  structProto: typeof structProtoModule;
}

let loaded: PulumiRpc | undefined;

/** The stubs of the `@pulumi/pulumi` this package resolves (loaded once). */
export function pulumiRpc(): PulumiRpc {
  if (loaded) return loaded;
  const dir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const req = createRequire(path.join(dir, "package.json"));
  loaded = {
    grpc: req("@grpc/grpc-js"),
    provGrpc: req("./proto/provider_grpc_pb"),
    provProto: req("./proto/provider_pb"),
    engineGrpc: req("./proto/engine_grpc_pb"),
    engineProto: req("./proto/engine_pb"),
    pluginProto: req("./proto/plugin_pb"),
    statusProto: req("./proto/status_pb"),
    anyProto: req("google-protobuf/google/protobuf/any_pb"),
    emptyProto: req("google-protobuf/google/protobuf/empty_pb"),
    structProto: req("google-protobuf/google/protobuf/struct_pb"),
  };
  return loaded;
}
