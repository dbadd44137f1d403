import type * as pulumi from "@pulumi/pulumi";

/** The installed provider's host entry (provider/host.ts), required at run time. */
type Host = Required<pulumi.dynamic.ResourceProvider>;

/**
 * The provider as it travels in `__provider`: each method `require`s the installed package
 * at run time (the host resolves it from the program's directory) instead of carrying the
 * provider's code by value. The string stays under 2 KB and identical across builds, and
 * state written by an older version runs the code that is installed now. Deliberately
 * terse: the string is stored twice per resource in state.
 */
export const providerStub: pulumi.dynamic.ResourceProvider = {
  configure: (r) => (require("pulumi-ontap-iscsi/host") as Host).configure(r),
  check: (o, n) => (require("pulumi-ontap-iscsi/host") as Host).check(o, n),
  diff: (i, o, n) => (require("pulumi-ontap-iscsi/host") as Host).diff(i, o, n),
  create: (n) => (require("pulumi-ontap-iscsi/host") as Host).create(n),
  read: (i, o) => (require("pulumi-ontap-iscsi/host") as Host).read(i, o),
  update: (i, o, n) => (require("pulumi-ontap-iscsi/host") as Host).update(i, o, n),
  delete: (i, o) => (require("pulumi-ontap-iscsi/host") as Host).delete(i, o),
};
