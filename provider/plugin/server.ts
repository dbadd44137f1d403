/**
 * The gRPC `ResourceProvider` server of the plugin: decodes each call, runs it on the plugin
 * face (./provider.ts) in the context of its resource (so its warnings are attached to it,
 * ./engine-log.ts), and encodes the answer. `@pulumi/pulumi/provider`'s own server is not
 * used: it passes no configuration to the provider, sends no detailed diff and logs to the
 * stderr the engine hides (docs/plugin.md).
 */
import type * as grpc from "@grpc/grpc-js";
import type * as provProto from "@pulumi/pulumi/proto/provider_pb";
import { recordedOutputs } from "../errors";
import type { IscsiServiceOutputs } from "../iscsi/model";
import type { CheckedInputs, InputFailure } from "../iscsi/validate";
import { EngineLog, forResource } from "./engine-log";
import { fromStruct, toStruct, unwrapSecrets } from "./properties";
import { IscsiServicePlugin } from "./provider";
import { pulumiRpc } from "./rpc";
import { packageSchema } from "./schema";

type Handler = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

/** The plugin process's server: {@link start} prints the port the engine dials (the handshake). */
export class PluginServer {
  readonly #log = new EngineLog();
  readonly #plugin: IscsiServicePlugin;
  readonly #server: grpc.Server;

  constructor(
    readonly version: string,
    engineAddress: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.#log.attach(engineAddress);
    this.#plugin = new IscsiServicePlugin(env, this.#log.logger());
    const { grpc, provGrpc } = pulumiRpc();
    this.#server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    this.#server.addService(provGrpc.ResourceProviderService, this.handlers());
  }

  /** Listens on a loopback port; resolves to it. */
  start(): Promise<number> {
    const { grpc } = pulumiRpc();
    return new Promise((resolve, reject) => {
      this.#server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
  }

  stop(): void {
    this.#server.forceShutdown();
    this.#log.close();
  }

  private handlers(): grpc.UntypedServiceImplementation {
    const rpc = pulumiRpc();
    const p = rpc.provProto;
    const unary =
      <Req, Res>(work: (req: Req) => Promise<Res>): Handler =>
      (call, callback) => {
        work(call.request as Req).then(
          (res) => callback(null, res),
          (err: unknown) => callback(grpcError(err)),
        );
      };
    const inResource =
      <Req extends { getUrn(): string }, Res>(work: (req: Req) => Promise<Res>): Handler =>
      (call, callback) =>
        unary<Req, Res>((req) => forResource(req.getUrn(), () => work(req)))(call, callback);

    return {
      getPluginInfo: unary(async () => new rpc.pluginProto.PluginInfo().setVersion(this.version)),
      getSchema: unary(async () =>
        new p.GetSchemaResponse().setSchema(JSON.stringify(packageSchema(this.version))),
      ),
      attach: unary(async (req: { getAddress(): string }) => {
        this.#log.attach(req.getAddress());
        return new rpc.emptyProto.Empty();
      }),
      cancel: unary(async () => new rpc.emptyProto.Empty()),
      checkConfig: unary(async (req: provProto.CheckRequest) => {
        const failures = this.#plugin.checkConfig(
          unwrapSecrets(fromStruct(req.getNews())) as Record<string, unknown>,
        );
        const res = new p.CheckResponse().setFailuresList(failures.map(checkFailure));
        // The inputs as given, secrets still in their envelope, so that they stay secret in state.
        const news = req.getNews();
        if (news) res.setInputs(news);
        return res;
      }),
      diffConfig: unary(async (req: provProto.DiffRequest) => {
        // A changed setting (a new password, another CA) updates the provider in place: never
        // a replacement of the provider, which would replace every service it manages.
        const olds = JSON.stringify(unwrapSecrets(fromStruct(req.getOldInputs() ?? req.getOlds())));
        const news = JSON.stringify(unwrapSecrets(fromStruct(req.getNews())));
        const changes =
          olds === news ? p.DiffResponse.DiffChanges.DIFF_NONE : p.DiffResponse.DiffChanges.DIFF_SOME;
        return new p.DiffResponse().setChanges(changes);
      }),
      configure: unary(async (req: provProto.ConfigureRequest) => {
        const args = req.hasArgs() ? fromStruct(req.getArgs()) : variablesToArgs(req.getVariablesMap());
        this.#plugin.configure(unwrapSecrets(args) as Record<string, unknown>);
        return new p.ConfigureResponse()
          .setAcceptsecrets(false)
          .setSupportspreview(true)
          .setAcceptresources(false)
          .setAcceptoutputs(false);
      }),
      check: inResource(async (req: provProto.CheckRequest) => {
        const { inputs, failures } = await this.#plugin.check(
          req.getType(),
          fromStruct(req.getOlds()),
          fromStruct(req.getNews()),
        );
        return new p.CheckResponse().setInputs(toStruct(inputs)).setFailuresList(failures.map(checkFailure));
      }),
      diff: inResource(async (req: provProto.DiffRequest) => {
        const answer = await this.#plugin.diff(
          fromStruct(req.getOlds()) as unknown as IscsiServiceOutputs,
          fromStruct(req.getNews()) as CheckedInputs,
        );
        const res = new p.DiffResponse()
          .setChanges(
            answer.changes ? p.DiffResponse.DiffChanges.DIFF_SOME : p.DiffResponse.DiffChanges.DIFF_NONE,
          )
          .setReplacesList(answer.replaces)
          .setDeletebeforereplace(answer.deleteBeforeReplace)
          .setDiffsList(Object.keys(answer.detailed))
          .setHasdetaileddiff(true);
        const map = res.getDetaileddiffMap();
        for (const [name, change] of Object.entries(answer.detailed)) {
          const kind =
            change.kind === "replace" ? p.PropertyDiff.Kind.UPDATE_REPLACE : p.PropertyDiff.Kind.UPDATE;
          map.set(name, new p.PropertyDiff().setKind(kind).setInputdiff(change.input));
        }
        return res;
      }),
      create: inResource(async (req: provProto.CreateRequest) => {
        const { id, outputs } = await this.#plugin.create(
          fromStruct(req.getProperties()) as CheckedInputs,
          req.getPreview(),
        );
        return new p.CreateResponse().setId(id).setProperties(toStruct(outputs));
      }),
      read: inResource(async (req: provProto.ReadRequest) => {
        const found = await this.#plugin.read(req.getId(), fromStruct(req.getProperties()));
        const res = new p.ReadResponse();
        if (found)
          res.setId(found.id).setProperties(toStruct(found.outputs)).setInputs(toStruct(found.inputs));
        return res;
      }),
      update: inResource(async (req: provProto.UpdateRequest) => {
        const outputs = await this.#plugin.update(
          fromStruct(req.getOlds()) as unknown as IscsiServiceOutputs,
          fromStruct(req.getNews()) as CheckedInputs,
          req.getPreview(),
        );
        return new p.UpdateResponse().setProperties(toStruct(outputs));
      }),
      delete: inResource(async (req: provProto.DeleteRequest) => {
        await this.#plugin.delete(fromStruct(req.getProperties()) as unknown as IscsiServiceOutputs);
        return new rpc.emptyProto.Empty();
      }),
      invoke: unary(async (req: provProto.InvokeRequest) => {
        const result = await this.#plugin.invoke(req.getTok(), fromStruct(req.getArgs()));
        return new p.InvokeResponse().setReturn(toStruct(result));
      }),
    };
  }
}

function checkFailure(failure: InputFailure): provProto.CheckFailure {
  return new (pulumiRpc().provProto.CheckFailure)().setProperty(failure.property).setReason(failure.reason);
}

/** Configure from an engine that sends only `variables` ("ontap:config:host" → "host"). */
function variablesToArgs(variables: {
  forEach(fn: (value: string, key: string) => void): void;
}): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  variables.forEach((value, key) => {
    args[key.slice(key.lastIndexOf(":") + 1)] = value;
  });
  return args;
}

/**
 * An error as the engine reads it: the message (the core's rendered diagnostic); for a create
 * that made the service but failed after (or an update that may have changed it), the
 * service's id and outputs as `ErrorResourceInitFailed`, so that the engine records it
 * instead of orphaning it (or keeping outputs the cluster no longer has).
 */
function grpcError(err: unknown): Partial<grpc.StatusObject> {
  const { grpc, provProto, statusProto, anyProto } = pulumiRpc();
  const message = err instanceof Error ? err.message : String(err);
  const metadata = new grpc.Metadata();
  const recorded = recordedOutputs(err);
  if (recorded) {
    const detail = new provProto.ErrorResourceInitFailed()
      .setId(recorded.id)
      .setProperties(toStruct(recorded.properties))
      .setReasonsList(recorded.reasons);
    const any = new anyProto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusProto.Status().setCode(grpc.status.UNKNOWN).setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}
