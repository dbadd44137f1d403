import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider as it travels in `__provider`: a few lines that `require` the installed
 * package at run time instead of carrying the provider's code by value. The string stays
 * small and identical across builds, and state written by an old version runs the code
 * that is installed now. The host resolves the require from the program's directory.
 */
function load(): pulumi.dynamic.ResourceProvider {
  return require("pulumi-ontap-iscsi/dist/provider").sharedProvider();
}

/** What `IscsiService` hands to `pulumi.dynamic.Resource`. */
export const providerStub: pulumi.dynamic.ResourceProvider = {
  configure: (req) => load().configure?.(req) ?? Promise.resolve(),
  check: (olds, news) => load().check?.(olds, news) ?? Promise.resolve({ inputs: news }),
  diff: (id, olds, news) => load().diff?.(id, olds, news) ?? Promise.resolve({}),
  create: (inputs) => load().create(inputs),
  read: (id, props) => load().read?.(id, props) ?? Promise.resolve({ id, props }),
  update: (id, olds, news) => load().update?.(id, olds, news) ?? Promise.resolve({}),
  delete: (id, props) => load().delete?.(id, props) ?? Promise.resolve(),
};
