/**
 * The entry point the serialized `__provider` closure requires
 * (`require("pulumi-ontap-iscsi/host")`): the methods of the process's one shared provider,
 * under short, stable names so that the closure stays small.
 */
import { sharedProvider } from "./index";

type Provider = ReturnType<typeof sharedProvider>;

export const configure: Provider["configure"] = (req) => sharedProvider().configure(req);
export const check: Provider["check"] = (olds, news) => sharedProvider().check(olds, news);
export const diff: Provider["diff"] = (id, olds, news) => sharedProvider().diff(id, olds, news);
export const create: Provider["create"] = (inputs) => sharedProvider().create(inputs);
export const read: Provider["read"] = (id, props) => sharedProvider().read(id, props);
export const update: Provider["update"] = (id, olds, news) => sharedProvider().update(id, olds, news);
// `delete` is a reserved word: exported under its name with an alias.
const remove: Provider["delete"] = (id, props) => sharedProvider().delete(id, props);

export { remove as delete };
