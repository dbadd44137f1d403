/**
 * The engine's Log service (`pulumirpc.Engine/Log`) as the harness serves it to a provider
 * plugin: the engine gives a plugin its address as the first argument, and the plugin sends
 * its warnings there, each with the URN of the resource it is about (the CLI prints them
 * under that resource). The dynamic provider host never dials it (its provider logs to
 * stderr), so only a plugin's host gets one. Every entry is kept, in arrival order.
 */
import type * as grpcModule from "@grpc/grpc-js";
import type * as engineProtoModule from "@pulumi/pulumi/proto/engine_pb";
import type { PulumiSdk } from "./pulumi-sdk";

export type LogSeverity = "debug" | "info" | "warning" | "error";

/** One message a provider sent to the engine's log. */
export interface EngineLogEntry {
  severity: LogSeverity;
  message: string;
  /** The resource it is attached to; "" for none. */
  urn: string;
  ephemeral: boolean;
}

const SEVERITIES: LogSeverity[] = ["debug", "info", "warning", "error"];

/** A gRPC server with the Engine service: Log recorded, GetRootResource/SetRootResource answered empty. */
export class EngineLogServer {
  readonly entries: EngineLogEntry[] = [];

  private readonly server: grpcModule.Server;
  private port = 0;

  private constructor(sdk: PulumiSdk) {
    const { grpc, engineGrpc, engineProto, emptyProto } = sdk;
    this.server = new grpc.Server();
    const unary =
      <Req, Res>(answer: (req: Req) => Res): grpcModule.handleUnaryCall<Req, Res> =>
      (call, callback) =>
        callback(null, answer(call.request));
    this.server.addService(engineGrpc.EngineService, {
      log: unary((req: engineProtoModule.LogRequest) => {
        this.entries.push({
          severity: SEVERITIES[req.getSeverity()] ?? "info",
          message: req.getMessage(),
          urn: req.getUrn(),
          ephemeral: req.getEphemeral(),
        });
        return new emptyProto.Empty();
      }),
      getRootResource: unary(() => new engineProto.GetRootResourceResponse()),
      setRootResource: unary(() => new engineProto.SetRootResourceResponse()),
    });
  }

  /** Serves on a loopback port. */
  static async start(sdk: PulumiSdk): Promise<EngineLogServer> {
    const log = new EngineLogServer(sdk);
    log.port = await new Promise<number>((resolve, reject) =>
      log.server.bindAsync("127.0.0.1:0", sdk.grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    return log;
  }

  /** Where the plugin dials it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Stops serving; calls in flight are cut. Idempotent. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 500).unref();
    });
  }
}
