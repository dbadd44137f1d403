/**
 * /api/protocols/san/iscsi/services/{svm.uuid}/metrics (since 9.7) and
 * /metrics/{timestamp} (since 9.14): both are gated by release (./releases). 8585947 (no
 * samples) answers 404: the samples asked for do not exist, the way ONTAP answers a
 * missing entry on GET. Records carry `svm.uuid` only, as ONTAP's schema has it [lib];
 * hrefs encode the `+` of a timestamp's offset.
 */
import { invalidValue, type OntapError, withArguments } from "../errors";
import { INTERVALS, intervalAt, sample, sampleTimes } from "../metrics";
import { queryString, type ResourceSpec } from "../query";
import type { RequestContext, Route } from "../router";
import type { Cluster, Service, Svm } from "../state";
import { timestampInPath } from "../time";
import { instanceQuery, listReply } from "./common";
import { serviceFromPath, serviceHref } from "./service-record";

const counters = (p: string, names: string[]) => names.map((n) => `${p}.${n}`);

/** A metrics sample as the query engine sees it. */
export const METRIC_SPEC: ResourceSpec = {
  resource: "metric",
  keys: ["timestamp"],
  sortKey: "timestamp",
  expensive: [],
  collectionDefault: "all",
  paths: [
    "timestamp",
    "status",
    "duration",
    "svm.uuid",
    ...counters("iops", ["read", "write", "other", "total"]),
    ...counters("latency", ["read", "write", "other", "total"]),
    ...counters("throughput", ["read", "write", "total"]),
  ],
};

function noMetrics(svm: Svm): OntapError {
  return withArguments(
    404,
    "8585947",
    [svm.name],
    (n) => `No metrics are available for the iSCSI service of SVM "${n}".`,
  );
}

function record(cluster: Cluster, svm: Svm, service: Service, t: number, duration: string) {
  const s = sample(service.svmUuid, t, duration, (ms) => cluster.timestamp(ms));
  return {
    ...s,
    svm: { uuid: svm.uuid, _links: { self: { href: `/api/svm/svms/${svm.uuid}` } } },
    _links: { self: { href: `${serviceHref(svm.uuid)}/metrics/${timestampInPath(String(s.timestamp))}` } },
  };
}

function list(ctx: RequestContext) {
  const { svm, service } = serviceFromPath(ctx, ctx.args[0]);
  const interval = ctx.params.get("interval") ?? "1h";
  if (!(interval in INTERVALS)) throw invalidValue("interval", interval, "one of 1h, 1d, 1w, 1m, 1y");
  const times = sampleTimes(service, interval);
  if (times.length === 0) throw noMetrics(svm);
  const records = times.map((t) => record(ctx.cluster, svm, service, t, INTERVALS[interval].duration));
  const params = new URLSearchParams(ctx.params);
  params.delete("interval");
  const reply = listReply(ctx, `${serviceHref(svm.uuid)}/metrics`, METRIC_SPEC, records, {
    params,
    descending: true,
  });
  // Keep `interval` on the links so a client following `next` stays on the same interval.
  const body = reply.body as { _links?: Record<string, { href: string }> };
  for (const link of Object.values(body._links ?? {})) {
    const [path, qs = ""] = link.href.split("?");
    const q = new URLSearchParams(qs);
    if (ctx.params.has("interval")) q.set("interval", interval);
    link.href = q.toString() ? `${path}?${queryString(q)}` : path;
  }
  return reply;
}

function getOne(ctx: RequestContext) {
  const answer = instanceQuery(ctx, METRIC_SPEC, { kind: "all", expensive: true });
  const { svm, service } = serviceFromPath(ctx, ctx.args[0]);
  const raw = ctx.args[1];
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw invalidValue("timestamp", raw, "an ISO 8601 date and time");
  const interval = intervalAt(service, t);
  if (interval === undefined) {
    throw withArguments(
      404,
      "8585947",
      [ctx.cluster.timestamp(t), svm.name],
      (at, n) => `No metrics are available at ${at} for the iSCSI service of SVM "${n}".`,
    );
  }
  return answer(record(ctx.cluster, svm, service, t, INTERVALS[interval].duration));
}

/** Routes of the service metrics. */
export const metricRoutes: Route[] = [
  {
    pattern: /^\/api\/protocols\/san\/iscsi\/services\/([^/]+)\/metrics$/,
    methods: { GET: list },
    id: "service-metrics",
  },
  {
    pattern: /^\/api\/protocols\/san\/iscsi\/services\/([^/]+)\/metrics\/([^/]+)$/,
    methods: { GET: getOne },
    id: "service-metric-sample",
  },
];
