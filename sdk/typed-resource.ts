/**
 * `pulumi.dynamic.Resource` typed with the outputs that the field table
 * (provider/iscsi/fields.ts) marks `sdkOutput`, so that `IscsiService` declares none by hand:
 * a field added to the table is an output property of the class with its documentation.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IscsiServiceOutputs, SdkOutputName } from "../provider/iscsi/fields";

/** The outputs `IscsiService` declares, with their documentation from the field table. */
export type IscsiServiceOutputProperties = {
  readonly [K in keyof Pick<IscsiServiceOutputs, SdkOutputName>]: pulumi.Output<IscsiServiceOutputs[K]>;
};

/** The base class of `IscsiService`: the same constructor, instances typed with the outputs. */
export const ResourceWithOutputs = pulumi.dynamic.Resource as unknown as (new (
  ...args: ConstructorParameters<typeof pulumi.dynamic.Resource>
) => pulumi.dynamic.Resource & IscsiServiceOutputProperties) &
  Omit<typeof pulumi.dynamic.Resource, "prototype">;
