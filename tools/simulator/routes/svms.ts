/**
 * /api/svm/svms: SVM lookup (name to UUID, state) and the protocol facts a preflight
 * check reads (`iscsi.allowed`, `nvme.allowed`).
 */
import { entryNotFound } from "../errors";
import {
  collection,
  parseFields,
  parseReturnTimeout,
  project,
  type ResourceSpec,
  rejectUnknownParams,
} from "../query";
import type { RequestContext, Route } from "../router";
import type { Cluster, Svm } from "../state";

/** An SVM as the query engine sees it. */
export const SVM_SPEC: ResourceSpec = {
  keys: ["uuid", "name"],
  sortKey: "uuid",
  expensive: [],
  collectionDefault: "keys",
  paths: [
    "uuid",
    "name",
    "state",
    "subtype",
    "language",
    "iscsi.allowed",
    "iscsi.enabled",
    "nvme.allowed",
    "nvme.enabled",
    "fcp.allowed",
    "fcp.enabled",
  ],
};

/**
 * An SVM's full record. `nvme.allowed`/`nvme.enabled` are true when the SVM is configured
 * for NVMe (the condition behind 5373966); `iscsi.enabled` mirrors its service.
 */
export function svmRecord(cluster: Cluster, svm: Svm): Record<string, unknown> {
  const service = cluster.services.get(svm.uuid);
  return {
    uuid: svm.uuid,
    name: svm.name,
    state: svm.state,
    subtype: "default",
    language: "c.utf_8",
    iscsi: { allowed: svm.iscsiAllowed, enabled: service?.enabled ?? false },
    nvme: { allowed: svm.nvmeConfigured, enabled: svm.nvmeConfigured },
    fcp: { allowed: false, enabled: false },
    _links: { self: { href: `/api/svm/svms/${svm.uuid}` } },
  };
}

function list(ctx: RequestContext) {
  const records = [...ctx.cluster.svms.values()].map((s) => svmRecord(ctx.cluster, s));
  return {
    status: 200,
    body: collection({ path: "/api/svm/svms", params: ctx.params, spec: SVM_SPEC }, records),
  };
}

function getOne(ctx: RequestContext) {
  rejectUnknownParams(ctx.params, ["fields", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const svm = ctx.cluster.svms.get(ctx.args[0]);
  if (!svm) throw entryNotFound("uuid");
  const sel = parseFields(ctx.params, SVM_SPEC, { kind: "all", expensive: false });
  return { status: 200, body: project(svmRecord(ctx.cluster, svm), sel, SVM_SPEC) };
}

/** Routes of the SVM collection and its records (read-only here). */
export const svmRoutes: Route[] = [
  { pattern: /^\/api\/svm\/svms$/, methods: { GET: list } },
  { pattern: /^\/api\/svm\/svms\/([^/]+)$/, methods: { GET: getOne } },
];
