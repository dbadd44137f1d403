/**
 * /api/protocols/san/iscsi/services/{svm.uuid}/metrics (since 9.7) and
 * /metrics/{timestamp} (since 9.14). 8585947 (no samples) answers 404: the samples asked
 * for do not exist, the way ONTAP answers a missing entry on GET.
 */
import { invalidValue, OntapError } from "../errors";
import { INTERVALS, intervalAt, isoSeconds, sample, sampleTimes } from "../metrics";
import {
  collection,
  parseFields,
  parseReturnTimeout,
  project,
  queryString,
  type ResourceSpec,
  rejectUnknownParams,
} from "../query";
import type { RequestContext, Route } from "../router";
import type { Service, Svm } from "../state";
import { serviceFromPath, serviceHref } from "./service-record";

const counters = (p: string, names: string[]) => names.map((n) => `${p}.${n}`);

/** A metrics sample as the query engine sees it. */
export const METRIC_SPEC: ResourceSpec = {
  keys: ["timestamp"],
  sortKey: "timestamp",
  expensive: [],
  collectionDefault: "all",
  paths: [
    "timestamp",
    "status",
    "duration",
    "svm.uuid",
    "svm.name",
    ...counters("iops", ["read", "write", "other", "total"]),
    ...counters("latency", ["read", "write", "other", "total"]),
    ...counters("throughput", ["read", "write", "total"]),
  ],
};

function noMetrics(svm: Svm): OntapError {
  return new OntapError(
    404,
    "8585947",
    `No metrics are available for the iSCSI service of SVM "${svm.name}".`,
  );
}

function record(svm: Svm, service: Service, t: number, duration: string): Record<string, unknown> {
  const s = sample(service.svmUuid, t, duration);
  return {
    ...s,
    svm: { uuid: svm.uuid, name: svm.name, _links: { self: { href: `/api/svm/svms/${svm.uuid}` } } },
    _links: { self: { href: `${serviceHref(svm.uuid)}/metrics/${s.timestamp}` } },
  };
}

function list(ctx: RequestContext) {
  const { svm, service } = serviceFromPath(ctx.cluster, ctx.args[0]);
  const interval = ctx.params.get("interval") ?? "1h";
  if (!(interval in INTERVALS)) throw invalidValue("interval", interval, "one of 1h, 1d, 1w, 1m, 1y");
  const times = sampleTimes(service, interval);
  if (times.length === 0) throw noMetrics(svm);
  const records = times.map((t) => record(svm, service, t, INTERVALS[interval].duration));
  const params = new URLSearchParams(ctx.params);
  params.delete("interval");
  const body = collection(
    { path: `${serviceHref(svm.uuid)}/metrics`, params, spec: METRIC_SPEC, descending: true },
    records,
  );
  // Keep `interval` on the links so a client following `next` stays on the same interval.
  for (const link of Object.values((body._links ?? {}) as Record<string, { href: string }>)) {
    const [path, qs = ""] = link.href.split("?");
    const q = new URLSearchParams(qs);
    if (ctx.params.has("interval")) q.set("interval", interval);
    link.href = q.toString() ? `${path}?${queryString(q)}` : path;
  }
  return { status: 200, body };
}

function getOne(ctx: RequestContext) {
  rejectUnknownParams(ctx.params, ["fields", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const { svm, service } = serviceFromPath(ctx.cluster, ctx.args[0]);
  const raw = ctx.args[1];
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw invalidValue("timestamp", raw, "an ISO 8601 date and time");
  const interval = intervalAt(service, t);
  if (interval === undefined) {
    throw new OntapError(
      404,
      "8585947",
      `No metrics are available at ${isoSeconds(t)} for the iSCSI service of SVM "${svm.name}".`,
    );
  }
  const sel = parseFields(ctx.params, METRIC_SPEC, { kind: "all", expensive: true });
  return {
    status: 200,
    body: project(record(svm, service, t, INTERVALS[interval].duration), sel, METRIC_SPEC),
  };
}

/** Routes of the service metrics. */
export const metricRoutes: Route[] = [
  { pattern: /^\/api\/protocols\/san\/iscsi\/services\/([^/]+)\/metrics$/, methods: { GET: list } },
  {
    pattern: /^\/api\/protocols\/san\/iscsi\/services\/([^/]+)\/metrics\/([^/]+)$/,
    methods: { GET: getOne },
  },
];
