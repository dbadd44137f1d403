import type * as pulumi from "@pulumi/pulumi";
import { type IscsiServiceInputs, SDK_OUTPUT_NAMES } from "../provider/iscsi/fields";
import { providerStub } from "./provider-stub";
import { ResourceWithOutputs } from "./typed-resource";

/** The inputs of an `IscsiService` besides the SVM it is on (see {@link IscsiServiceArgs}); documented in the field table. */
export type IscsiServiceOptionalArgs = {
  [K in keyof Omit<IscsiServiceInputs, "svmName" | "svmUuid">]?: pulumi.Input<
    NonNullable<IscsiServiceInputs[K]>
  >;
};

/**
 * Inputs of an `IscsiService`: the SVM by `svmName`, by `svmUuid`, or by both naming the same
 * SVM — one of them is required, so `new IscsiService("x", {})` does not compile. Connection
 * settings are not inputs: they come from stack config or ONTAP_* variables.
 */
export type IscsiServiceArgs = IscsiServiceOptionalArgs &
  (
    | {
        /** The SVM's name. Changing it replaces the service. */
        svmName: pulumi.Input<string>;
        /** The SVM's UUID, naming the same SVM as `svmName`. Changing it replaces the service. */
        svmUuid?: pulumi.Input<string>;
      }
    | {
        /** The SVM's name, naming the same SVM as `svmUuid`. Changing it replaces the service. */
        svmName?: pulumi.Input<string>;
        /** The SVM's UUID. Changing it replaces the service. */
        svmUuid: pulumi.Input<string>;
      }
  );

/** The iSCSI service of one SVM on a NetApp ONTAP cluster (`/api/protocols/san/iscsi/services`). */
export class IscsiService extends ResourceWithOutputs {
  constructor(name: string, args: IscsiServiceArgs, opts?: pulumi.CustomResourceOptions) {
    // Every declared output is a property of the resource, so the engine records it.
    const props: Record<string, unknown> = { ...args };
    for (const key of SDK_OUTPUT_NAMES) if (!(key in props)) props[key] = undefined;
    // One service per SVM: `pulumi up --replace` never asks the provider's diff, so only
    // this option makes it delete first (pulumi/pulumi step_generator, isTargetedReplace).
    // Users may still set it to false to move a service between SVMs create-first.
    const options = { ...opts, deleteBeforeReplace: opts?.deleteBeforeReplace ?? true };
    super(providerStub, name, props, options, "ontap", "IscsiService");
  }
}
export { ProviderError } from "../provider/errors";
export { ReleaseLacksError } from "../provider/errors/release";
export * from "./data-sources";
export type { IscsiServiceOutputProperties } from "./typed-resource";
