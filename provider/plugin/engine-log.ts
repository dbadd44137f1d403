/**
 * The plugin's log: through the engine's Log service, attached to the resource whose call
 * the message comes from, so that `pulumi preview` shows "this disable cuts off 3 hosts"
 * under that resource. A plugin's stderr is hidden by the engine; it is used only when the
 * engine cannot be reached. The resource is the one of the gRPC call in whose async context
 * the core logs (AsyncLocalStorage): the core's logger needs no URN parameter.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { OntapLogger } from "../ontap/types";
import { pulumiRpc } from "./rpc";

const currentUrn = new AsyncLocalStorage<string>();

/** Runs `work` with the resource it acts for, so that what it logs is attached to that resource. */
export function forResource<T>(urn: string, work: () => Promise<T>): Promise<T> {
  return currentUrn.run(urn, work);
}

/** The engine's Log service, or stderr until the engine's address is known. */
export class EngineLog {
  #client: EngineClient | undefined;

  /** Dials the engine at `address` (the plugin's first argument, or Attach's). */
  attach(address: string | undefined): void {
    this.#client?.close();
    this.#client = undefined;
    if (!address) return;
    const { engineGrpc, grpc } = pulumiRpc();
    this.#client = new engineGrpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  /** The core's logger: debug and warnings, each attached to the current call's resource. */
  logger(): OntapLogger {
    const { LogSeverity } = pulumiRpc().engineProto;
    return {
      debug: (message) => this.send(LogSeverity.DEBUG, message),
      warn: (message) => this.send(LogSeverity.WARNING, message),
    };
  }

  private send(severity: number, message: string): void {
    const client = this.#client;
    if (!client) {
      if (severity >= pulumiRpc().engineProto.LogSeverity.WARNING) process.stderr.write(`${message}\n`);
      return;
    }
    const request = new (pulumiRpc().engineProto.LogRequest)();
    request.setSeverity(severity as 0);
    request.setMessage(message);
    request.setUrn(currentUrn.getStore() ?? "");
    client.log(request, (err) => {
      if (err) process.stderr.write(`${message}\n`);
    });
  }

  close(): void {
    this.#client?.close();
  }
}
