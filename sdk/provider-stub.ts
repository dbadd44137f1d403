import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider as it travels in `__provider`: only `configure`, which `require`s the
 * installed package's host entry (resolved from the program's directory) and copies its
 * seven methods onto this object, replacing itself, then runs the real `configure`.
 *
 * This relies on the dynamic provider host calling `configure` on every provider it
 * deserializes before any other method (`getProvider` in `cmd/dynamic-provider`, since
 * @pulumi/pulumi 3.139; checked in 3.248 and 3.276). The copy is synchronous, so calls
 * that find the provider in the host's cache while `configure` is still running already
 * see the real methods. A program folder without the package gets "install
 * pulumi-ontap-iscsi in <folder>", not a bare module-not-found stack. The string stays
 * well under 1 KB, identical across builds, and
 * state written by any version runs the code that is installed now. Deliberately terse:
 * the string is stored twice per resource in state.
 */
export const providerStub = {
  configure(r) {
    let h: { configure(r: unknown): Promise<void> };
    try {
      h = require("pulumi-ontap-iscsi/host");
    } catch (e) {
      throw Error(`install pulumi-ontap-iscsi in ${process.cwd()}: ${e}`);
    }
    return Object.assign(this, h).configure(r);
  },
} as Pick<pulumi.dynamic.ResourceProvider, "configure"> as pulumi.dynamic.ResourceProvider;
