/**
 * /api/svm/svms: SVM lookup (name to UUID, state) and the protocol facts a preflight
 * check reads. `iscsi.allowed`/`nvme.allowed` exist from 9.9.1 (./releases); a stopped
 * SVM's record has no protocol objects at all ("protocols are not present when the
 * vserver is stopped" [ansible]). An SVM-scoped account sees only its own SVM.
 */
import { entryNotFound } from "../errors";
import type { ResourceSpec } from "../query";
import { canSee, type RequestContext, type Route } from "../router";
import type { Cluster, Svm } from "../state";
import { instanceQuery, listReply } from "./common";

/** An SVM as the query engine sees it. */
export const SVM_SPEC: ResourceSpec = {
  resource: "svm",
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
 * An SVM's full record. `allowed` is the allowed-protocols flag; `enabled` is whether
 * that protocol's service runs: `iscsi.enabled` mirrors the iSCSI service, `nvme.enabled`
 * the NVMe service (false without one).
 */
export function svmRecord(cluster: Cluster, svm: Svm): Record<string, unknown> {
  const service = cluster.services.get(svm.uuid);
  const record: Record<string, unknown> = {
    uuid: svm.uuid,
    name: svm.name,
    state: svm.state,
    subtype: "default",
    language: "c.utf_8",
  };
  if (svm.state !== "stopped") {
    record.iscsi = { allowed: svm.iscsiAllowed, enabled: service?.enabled ?? false };
    record.nvme = { allowed: svm.nvmeAllowed, enabled: svm.nvmeService?.enabled ?? false };
    record.fcp = { allowed: false, enabled: false };
  }
  record._links = { self: { href: `/api/svm/svms/${svm.uuid}` } };
  return record;
}

function list(ctx: RequestContext) {
  const records = [...ctx.cluster.svms.values()]
    .filter((s) => canSee(ctx, s))
    .map((s) => svmRecord(ctx.cluster, s));
  return listReply(ctx, "/api/svm/svms", SVM_SPEC, records);
}

function getOne(ctx: RequestContext) {
  const answer = instanceQuery(ctx, SVM_SPEC);
  const svm = ctx.cluster.svms.get(ctx.args[0]);
  if (!svm || !canSee(ctx, svm)) throw entryNotFound("uuid");
  return answer(svmRecord(ctx.cluster, svm));
}

/** Routes of the SVM collection and its records (read-only here). */
export const svmRoutes: Route[] = [
  { pattern: /^\/api\/svm\/svms$/, methods: { GET: list } },
  { pattern: /^\/api\/svm\/svms\/([^/]+)$/, methods: { GET: getOne } },
];
