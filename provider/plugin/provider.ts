/**
 * The plugin face: the resource provider's calls (as ./server.ts decodes them from gRPC)
 * translated to the resource operations in ../resource, which the dynamic provider
 * (../dynamic-provider.ts) calls too. What only this face adds: the provider's own
 * configuration (explicit instances), a preview's outputs, the detailed diff, import, and
 * the data sources as functions.
 */

import { FIELDS, type FieldName } from "../iscsi/fields";
import type { IscsiServiceOutputs } from "../iscsi/model";
import { type CheckedInputs, type InputFailure, knownInputs } from "../iscsi/validate";
import type { OntapLogger } from "../ontap/types";
import { checkService } from "../resource/check";
import { Connections } from "../resource/connections";
import { diffResource } from "../resource/diff";
import { importResource } from "../resource/import";
import { createResource, deleteResource, readResource, updateResource } from "../resource/operations";
import { previewCreate, previewUpdate } from "../resource/preview";
import { configSource, unknownKeys } from "./configuration";
import { ISCSI_SERVICE, PACKAGE } from "./schema";

/** A property's change as the detailed diff shows it. */
export type PropertyChange = "update" | "replace";

/** Diff's answer: the core's, with each changed property and whether it is an input. */
export interface DetailedDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  detailed: Record<string, { kind: PropertyChange; input: boolean }>;
}

/** What Read answers: the resource's id, outputs and inputs; or nothing (gone). */
export type ReadAnswer =
  | { id: string; outputs: IscsiServiceOutputs; inputs: Record<string, unknown> }
  | undefined;

type Invokable = (args: never, connect: (cluster: string | undefined) => never) => Promise<unknown>;

export class IscsiServicePlugin {
  readonly #conns: Connections;

  constructor(env: NodeJS.ProcessEnv, logger: OntapLogger) {
    this.#conns = new Connections(env, logger);
  }

  /** CheckConfig: the provider's settings, before any resource uses them. */
  checkConfig(news: Record<string, unknown>): InputFailure[] {
    return unknownKeys(news);
  }

  /** Configure: the provider's settings (default provider: `ontap:*` stack config; explicit: its arguments). */
  configure(args: Record<string, unknown>): void {
    this.#conns.configure(configSource(args));
  }

  check(type: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    refuseUnknownType(type);
    return checkService(this.#conns, olds, news);
  }

  async diff(olds: IscsiServiceOutputs, news: CheckedInputs): Promise<DetailedDiff> {
    const { changes, replaces, updates, deleteBeforeReplace } = await diffResource(this.#conns, olds, news);
    const detailed: DetailedDiff["detailed"] = {};
    for (const name of updates) detailed[name] = { kind: "update", input: isInput(name) };
    for (const name of replaces) detailed[name] = { kind: "replace", input: isInput(name) };
    return { changes, replaces, deleteBeforeReplace, detailed };
  }

  /** Create; in a preview, the outputs it would record, with no request. */
  async create(
    news: CheckedInputs,
    preview: boolean,
  ): Promise<{ id: string; outputs: Record<string, unknown> }> {
    if (preview) return { id: "", outputs: previewCreate(this.#conns, news) };
    const outputs = await createResource(this.#conns, knownInputs(news));
    return { id: outputs.svmUuid, outputs: { ...outputs } };
  }

  /** Refresh (state given), or import (no state: the id names the SVM). */
  async read(id: string, props: Partial<IscsiServiceOutputs>): Promise<ReadAnswer> {
    const found =
      props.svmUuid === undefined
        ? await importResource(this.#conns, id)
        : await readResource(this.#conns, id, props as IscsiServiceOutputs);
    if (!found) return undefined;
    return { id: found.outputs.svmUuid, outputs: found.outputs, inputs: { ...found.inputs } };
  }

  async update(
    olds: IscsiServiceOutputs,
    news: CheckedInputs,
    preview: boolean,
  ): Promise<Record<string, unknown>> {
    if (preview) return previewUpdate(olds, news);
    return { ...(await updateResource(this.#conns, olds, knownInputs(news))) };
  }

  delete(props: IscsiServiceOutputs): Promise<void> {
    return deleteResource(this.#conns, props);
  }

  /** A data source, by its token: the TypeScript SDK's lookup, through this provider's connections. */
  async invoke(token: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const connect = (cluster: string | undefined) => this.#conns.runFor(cluster);
    const fn = FUNCTIONS[token.slice(`${PACKAGE}:index:`.length)];
    if (!token.startsWith(`${PACKAGE}:index:`) || fn === undefined)
      throw new Error(`Unknown function ${token}: this provider has ${Object.keys(FUNCTIONS).join(", ")}.`);
    return fn.wrap(await (fn.call() as Invokable)(args as never, connect as never));
  }
}

/**
 * The functions of the schema and how their results are shaped (a function returns an
 * object). The SDK's modules are loaded at the first invoke: they load all of
 * `@pulumi/pulumi` (about half a second), which a plugin start that serves only resources,
 * as most do (one per `pulumi` operation), does not need.
 */
const FUNCTIONS: Record<string, { call: () => unknown; wrap: (result: unknown) => Record<string, unknown> }> =
  {
    getIscsiService: {
      call: () => (require("../../sdk/services") as typeof import("../../sdk/services")).getIscsiService,
      wrap: (r) => r as Record<string, unknown>,
    },
    listIscsiServices: {
      call: () => (require("../../sdk/services") as typeof import("../../sdk/services")).listIscsiServices,
      wrap: (r) => ({ services: r }),
    },
    getIscsiServiceMetrics: {
      call: () => (require("../../sdk/metrics") as typeof import("../../sdk/metrics")).getIscsiServiceMetrics,
      wrap: (r) => r as Record<string, unknown>,
    },
    listIscsiSessions: {
      call: () => (require("../../sdk/sessions") as typeof import("../../sdk/sessions")).listIscsiSessions,
      wrap: (r) => ({ sessions: r }),
    },
  };

function isInput(name: string): boolean {
  return FIELDS[name as FieldName]?.input !== undefined;
}

function refuseUnknownType(type: string): void {
  if (type !== "" && type !== ISCSI_SERVICE)
    throw new Error(`Unknown resource type ${type}: this provider has ${ISCSI_SERVICE}.`);
}
