/**
 * The iSCSI service record: its shape for the query engine, its full JSON (HAL links,
 * expensive metric/statistics included), and the lookups of a path's {svm.uuid}. An SVM
 * an SVM-scoped account cannot see is answered as one that does not exist.
 */
import { withArguments } from "../errors";
import { currentPerformance } from "../metrics";
import type { ResourceSpec } from "../query";
import { canSee, type RequestContext } from "../router";
import type { Cluster, Service, Svm } from "../state";

/** The iSCSI service collection. */
export const SERVICES_PATH = "/api/protocols/san/iscsi/services";

/** ONTAP's counter sets: throughput has no "other". */
const rw = (prefix: string) =>
  (prefix.includes("throughput") ? ["read", "write", "total"] : ["read", "write", "other", "total"]).map(
    (n) => `${prefix}.${n}`,
  );

/** The iSCSI service as the query engine sees it. */
export const SERVICE_SPEC: ResourceSpec = {
  resource: "service",
  keys: ["svm.uuid", "svm.name"],
  sortKey: "svm.uuid",
  expensive: ["metric", "statistics"],
  collectionDefault: "keys",
  paths: [
    "svm.uuid",
    "svm.name",
    "enabled",
    "target.name",
    "target.alias",
    "metric.timestamp",
    "metric.status",
    "metric.duration",
    ...rw("metric.iops"),
    ...rw("metric.latency"),
    ...rw("metric.throughput"),
    "statistics.timestamp",
    "statistics.status",
    ...rw("statistics.iops_raw"),
    ...rw("statistics.latency_raw"),
    ...rw("statistics.throughput_raw"),
  ],
};

/** The href of an SVM's iSCSI service. */
export function serviceHref(svmUuid: string): string {
  return `${SERVICES_PATH}/${svmUuid}`;
}

/** The full record (expensive fields included) of a service. */
export function serviceRecord(cluster: Cluster, service: Service): Record<string, unknown> {
  const svm = cluster.requireSvm(service.svmUuid);
  const target: Record<string, unknown> = { name: cluster.iqn(svm) };
  if (service.alias !== "") target.alias = service.alias;
  const { metric, statistics } = currentPerformance(service, (ms) => cluster.timestamp(ms));
  return {
    svm: { uuid: svm.uuid, name: svm.name, _links: { self: { href: `/api/svm/svms/${svm.uuid}` } } },
    enabled: service.enabled,
    target,
    metric: { ...metric, _links: { self: { href: `${serviceHref(svm.uuid)}/metrics` } } },
    statistics,
    _links: { self: { href: serviceHref(svm.uuid) } },
  };
}

/** 404 2621462 for an SVM addressed by the path (or one the account cannot see). */
export function svmFromPath(ctx: RequestContext, uuid: string): Svm {
  const svm = ctx.cluster.svms.get(uuid);
  if (!svm || !canSee(ctx, svm)) {
    throw withArguments(404, "2621462", [uuid], (u) => `An SVM with UUID "${u}" does not exist.`, "svm.uuid");
  }
  return svm;
}

/** 404 5374078 when the SVM addressed by the path has no iSCSI service. */
export function serviceFromPath(ctx: RequestContext, uuid: string): { svm: Svm; service: Service } {
  const svm = svmFromPath(ctx, uuid);
  const service = ctx.cluster.services.get(svm.uuid);
  if (!service) {
    throw withArguments(
      404,
      "5374078",
      [svm.name],
      (n) => `The SVM "${n}" does not have an iSCSI service.`,
      "svm.uuid",
    );
  }
  return { svm, service };
}
