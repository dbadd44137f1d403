/**
 * The performance data sources: `getIscsiServiceMetrics` (the samples of one service over
 * an interval, ONTAP 9.7+) and `getIscsiServiceMetricSample` (one sample at a timestamp,
 * ONTAP 9.14+), with their `…Output` variants. Each looks the service up first
 * (./services), then reads `/api/protocols/san/iscsi/services/{svm.uuid}/metrics`.
 */

import type * as pulumi from "@pulumi/pulumi";
import {
  type IscsiMetricRecord,
  listServiceMetrics,
  type MetricInterval,
  readServiceMetric,
} from "../provider/api/protocols-san-iscsi-services-metrics";
import type { ClusterRun } from "../provider/cluster-run";
import { OntapCode } from "../provider/diagnostics/ontap-codes";
import { renderError, toDiagnosticError } from "../provider/diagnostics/render";
import { ReleaseLacksError } from "../provider/errors/release";
import { GATED_ROUTES, type RouteId } from "../provider/iscsi/releases";
import { hasCode, isMissingApi } from "../provider/ontap/failures";
import { takes } from "./arguments";
import {
  afterResources,
  type Connect,
  connect,
  type DataSourceOutputOptions,
  withCluster,
} from "./connection";
import { type IscsiServiceMetricSample, toSample } from "./performance";
import { type GetIscsiServiceArgs, type GetIscsiServiceOutputArgs, readService } from "./services";

export type { MetricInterval } from "../provider/api/protocols-san-iscsi-services-metrics";

/** A union's members without `includePerformance` (which the metrics data sources do not take). */
type WithoutPerformance<T> = T extends unknown ? Omit<T, "includePerformance"> : never;

/** Arguments of `getIscsiServiceMetrics`: the SVM by UUID or name, and the interval. */
export type GetIscsiServiceMetricsArgs = WithoutPerformance<GetIscsiServiceArgs> & {
  /** 1h: 15 s samples, 1d: 5 min, 1w: 30 min, 1m: 2 h, 1y: 1 day. */
  interval: MetricInterval;
};

/** `GetIscsiServiceMetricsArgs` with every member a `pulumi.Input`. */
export type GetIscsiServiceMetricsOutputArgs = WithoutPerformance<GetIscsiServiceOutputArgs> & {
  interval: pulumi.Input<MetricInterval>;
};

/** The samples of one service over one interval, newest first. */
export interface IscsiServiceMetrics {
  svmName: string;
  svmUuid: string;
  interval: MetricInterval;
  host: string;
  cluster?: string;
  samples: IscsiServiceMetricSample[];
  /** Set when ONTAP has no samples (8585947, e.g. a service created moments ago): why the list is empty. */
  note?: string;
}

/** Arguments of `getIscsiServiceMetricSample`: the SVM by UUID or name, and the sample's timestamp. */
export type GetIscsiServiceMetricSampleArgs = WithoutPerformance<GetIscsiServiceArgs> & {
  /** ISO 8601, as a sample's `timestamp` gives it (ONTAP's offset kept, e.g. "2026-03-02T09:14:45+00:00"). */
  timestamp: string;
};

/** One sample of one service, with the service it belongs to. */
export interface IscsiServiceMetricSampleResult {
  svmName: string;
  svmUuid: string;
  host: string;
  cluster?: string;
  sample: IscsiServiceMetricSample;
}

const INTERVALS: readonly MetricInterval[] = ["1h", "1d", "1w", "1m", "1y"];

/** Throws ReleaseLacksError when the cluster's release, as far as this run knows it, predates the route. */
function releaseHas(run: ClusterRun, route: RouteId): void {
  const gated = run.releases.lacksRoute(route);
  if (gated) throw new ReleaseLacksError(run.host, gated, run.releases.release);
}

/** The error for a route ONTAP does not serve (404, code 3), naming the cluster's release when the account may read it. */
async function releaseLacks(run: ClusterRun, route: RouteId): Promise<ReleaseLacksError> {
  await run.cache.clusterInfo();
  const gated = GATED_ROUTES.find((g) => g.route === route) as (typeof GATED_ROUTES)[number];
  return new ReleaseLacksError(run.host, gated, run.releases.release);
}

/**
 * The historical samples of one service over an interval (ONTAP 9.7+). When ONTAP has
 * none yet (8585947), the result has no samples and a `note` that says why.
 */
export async function getIscsiServiceMetrics(
  args: GetIscsiServiceMetricsArgs,
  connectTo: Connect = connect,
): Promise<IscsiServiceMetrics> {
  takes("getIscsiServiceMetrics", args, ["svmName", "svmUuid", "cluster", "interval"])
    .inputs("svmName", "svmUuid", "cluster")
    .oneOf("interval", INTERVALS);
  const run = connectTo(args.cluster);
  const service = await readService(run, args);
  const result: IscsiServiceMetrics = {
    svmName: service.svm.name,
    svmUuid: service.svm.uuid,
    interval: args.interval,
    host: run.host,
    samples: [],
  };
  withCluster(result, run);
  const ctx = { action: "read the iSCSI service's metrics", svm: service.svm.name };
  releaseHas(run, "service-metrics");
  try {
    result.samples = (await listServiceMetrics(run.client, service.svm.uuid, args.interval)).map(toSample);
  } catch (err) {
    if (isMissingApi(err)) throw await releaseLacks(run, "service-metrics");
    if (!hasCode(err, OntapCode.noMetrics)) throw toDiagnosticError(err, ctx);
    result.note = renderError(err, ctx);
  }
  return result;
}

/**
 * The sample of one service at a timestamp (ONTAP 9.14+). On an older release it throws
 * ReleaseLacksError, naming the release needed, without sending the request when the
 * release is already known.
 */
export async function getIscsiServiceMetricSample(
  args: GetIscsiServiceMetricSampleArgs,
  connectTo: Connect = connect,
): Promise<IscsiServiceMetricSampleResult> {
  takes("getIscsiServiceMetricSample", args, ["svmName", "svmUuid", "cluster", "timestamp"])
    .inputs("svmName", "svmUuid", "cluster")
    .timestamp("timestamp", "2026-03-02T09:14:45+00:00");
  const run = connectTo(args.cluster);
  const service = await readService(run, args);
  const ctx = { action: "read an iSCSI service metrics sample", svm: service.svm.name };
  let record: IscsiMetricRecord;
  releaseHas(run, "service-metric-sample");
  try {
    record = await readServiceMetric(run.client, service.svm.uuid, args.timestamp);
  } catch (err) {
    if (isMissingApi(err)) throw await releaseLacks(run, "service-metric-sample");
    throw toDiagnosticError(err, ctx);
  }
  return withCluster<IscsiServiceMetricSampleResult>(
    { svmName: service.svm.name, svmUuid: service.svm.uuid, host: run.host, sample: toSample(record) },
    run,
  );
}

/** `getIscsiServiceMetrics` for `pulumi.Input` arguments; waits as `getIscsiServiceOutput` does. */
export function getIscsiServiceMetricsOutput(
  args: GetIscsiServiceMetricsOutputArgs,
  opts?: DataSourceOutputOptions,
): pulumi.Output<IscsiServiceMetrics> {
  return afterResources(args, opts, (a) => getIscsiServiceMetrics(a as GetIscsiServiceMetricsArgs));
}

/** `getIscsiServiceMetricSample` for `pulumi.Input` arguments; waits as `getIscsiServiceOutput` does. */
export function getIscsiServiceMetricSampleOutput(
  args: WithoutPerformance<GetIscsiServiceOutputArgs> & { timestamp: pulumi.Input<string> },
  opts?: DataSourceOutputOptions,
): pulumi.Output<IscsiServiceMetricSampleResult> {
  return afterResources(args, opts, (a) => getIscsiServiceMetricSample(a as GetIscsiServiceMetricSampleArgs));
}
