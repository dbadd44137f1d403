/**
 * The dynamic-provider face: `IscsiServiceProvider` translates the engine's dynamic
 * provider contract (pulumi.dynamic.ResourceProvider) to the resource operations in
 * ./resource, and adds only what that contract needs (`__provider` on a failure that
 * records the resource). Every decision lives in the core, for the plugin face to share.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ConfigSource } from "./config";
import { recordedOutputs } from "./errors";
import type { IscsiServiceOutputs } from "./iscsi/model";
import { type CheckedInputs, knownInputs } from "./iscsi/validate";
import type { OntapLogger } from "./ontap/types";
import { checkService } from "./resource/check";
import { Connections } from "./resource/connections";
import { diffResource } from "./resource/diff";
import { createResource, deleteResource, readResource, updateResource } from "./resource/operations";

/** What `read` answers: the live outputs, and the inputs that reproduce them (ReadResult.inputs, 3.216+). */
export type RefreshResult = pulumi.dynamic.ReadResult<IscsiServiceOutputs> & { id: string };

/** Keys the dynamic-provider host adds to every resource's properties: the serialized provider. */
export type HostKeys = { __provider?: string };

/** Where the provider's warnings go: Pulumi's log (the engine, or stderr in the host). */
export type ProviderLogger = OntapLogger;

/** Options for direct use (tests, tools); the Pulumi host uses the defaults. */
export interface ProviderOptions {
  /** Environment for the ONTAP_* fallback. Default process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: ProviderLogger;
}

function defaultLogger(): ProviderLogger {
  // Loaded lazily: the host already has @pulumi/pulumi loaded, direct users may not need it.
  const log = (require("@pulumi/pulumi") as typeof pulumi).log;
  return { debug: (m) => void log.debug(m), warn: (m) => void log.warn(m) };
}

/**
 * The dynamic provider for `IscsiService`. Connections are read from stack config in
 * `configure` (or the environment) at call time, never from resource inputs.
 */
export class IscsiServiceProvider
  implements pulumi.dynamic.ResourceProvider<CheckedInputs & HostKeys, IscsiServiceOutputs>
{
  readonly #conns: Connections;

  constructor(options: ProviderOptions = {}) {
    this.#conns = new Connections(options.env ?? process.env, options.logger ?? defaultLogger());
  }

  /** Takes the stack config the host passes (`ontap:*`); may be called again with newer config. */
  async configure(req: { config: ConfigSource }): Promise<void> {
    // The host configures once per `__provider` string.
    this.#conns.configure(req.config);
  }

  async check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    return checkService(this.#conns, olds, news);
  }

  async diff(
    _id: string,
    olds: IscsiServiceOutputs,
    news: CheckedInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const { changes, replaces, deleteBeforeReplace } = await diffResource(this.#conns, olds, news);
    return { changes, replaces, deleteBeforeReplace };
  }

  async create(inputs: CheckedInputs & HostKeys): Promise<pulumi.dynamic.CreateResult<IscsiServiceOutputs>> {
    try {
      const outs = await createResource(this.#conns, knownInputs(inputs));
      return { id: outs.svmUuid, outs };
    } catch (err) {
      throw withProvider(err, inputs);
    }
  }

  /** Refresh: an empty id when the service (or its SVM) is gone, so the engine drops it. */
  async read(id: string, props?: IscsiServiceOutputs): Promise<RefreshResult> {
    const found = await readResource(this.#conns, id, props);
    if (!found) return { id: "" };
    // Pulumi types ReadResult.inputs as the outputs' type; the engine keeps any property bag
    // there as the inputs of the next diff, which are the inputs, not the outputs.
    const inputs = found.inputs as Partial<IscsiServiceOutputs> as IscsiServiceOutputs;
    return { id: found.outputs.svmUuid, props: found.outputs, inputs };
  }

  async update(
    _id: string,
    olds: IscsiServiceOutputs,
    news: CheckedInputs & HostKeys,
  ): Promise<pulumi.dynamic.UpdateResult<IscsiServiceOutputs>> {
    try {
      return { outs: await updateResource(this.#conns, olds, knownInputs(news)) };
    } catch (err) {
      // Finishing a pending create may record the resource anew (see create); an update that
      // may have changed the service records what was read back.
      throw withProvider(err, news);
    }
  }

  async delete(_id: string, props: IscsiServiceOutputs): Promise<void> {
    await deleteResource(this.#conns, props);
  }
}

/**
 * The host records an error's `properties` as the resource's outputs as they are; without
 * `__provider` in them, later refresh and delete could not load the provider.
 */
function withProvider(err: unknown, inputs: HostKeys): unknown {
  const recorded = recordedOutputs(err);
  if (recorded && inputs.__provider !== undefined) recorded.properties.__provider = inputs.__provider;
  return err;
}

let shared: IscsiServiceProvider | undefined;

/** The one provider instance of this process: reads of many resources share its per-cluster batching. */
export function sharedProvider(): IscsiServiceProvider {
  shared ??= new IscsiServiceProvider();
  return shared;
}
