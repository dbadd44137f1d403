/**
 * Data sources: read the iSCSI services that exist, and their performance, without
 * managing them. They run in the program (not through the dynamic provider), with the
 * connection the resource uses: stack config `ontap:*` (or a profile of `ontap:clusters`)
 * and the ONTAP_* environment, resolved by the provider's own ConnectionSettings.
 */
import type * as pulumi from "@pulumi/pulumi";
import { renderError, toDiagnosticError } from "../provider/diagnostics/render";
import { ProviderError } from "../provider/errors";
import {
  findService,
  getServiceMetricSample,
  type IscsiMetricRecord,
  isMissingApi,
  listServiceMetrics,
  listServices,
  type MetricInterval,
  type ServiceFilters,
} from "../provider/iscsi/api";
import type { IscsiServiceRecord } from "../provider/iscsi/model";
import {
  isPerformanceUnsupported,
  PERFORMANCE_FIELDS,
  parsePerformance,
} from "../provider/iscsi/performance";
import { GATED_ROUTES, ReleaseLacksError, type RouteId } from "../provider/iscsi/releases";
import { hasCode } from "../provider/ontap/failures";
import type { ClusterSession } from "../provider/session";
import { afterResources, connect, type DataSourceOutputOptions, knownKeys, validate } from "./connection";
import { type IscsiServiceStatistics, PerformanceUnavailableError, toStatistics } from "./performance";

export type { MetricInterval } from "../provider/iscsi/api";
export type { DataSourceOutputOptions } from "./connection";

/** An iSCSI service as the data sources report it. */
export interface IscsiServiceInfo {
  svmName: string;
  svmUuid: string;
  /** Administrative state. */
  enabled: boolean;
  /** "" when the alias is cleared. */
  targetAlias: string;
  /** The IQN. */
  targetName: string;
  /** The cluster management host it was read from. */
  host: string;
  /** The connection profile, when one was named. */
  cluster?: string;
  /** With `includePerformance`: ONTAP's latest 15-second average (absent when ONTAP gives none). */
  metric?: IscsiServiceMetricSample;
  /** With `includePerformance`: the raw counters (absent when ONTAP gives none). */
  statistics?: IscsiServiceStatistics;
}

/** Arguments of `getIscsiService`: the SVM by name or UUID (or both, naming the same SVM). */
export type GetIscsiServiceArgs = (
  | { svmName: string; svmUuid?: string; cluster?: string }
  | { svmName?: string; svmUuid: string; cluster?: string }
) & {
  /** Also read `metric` and `statistics` (expensive for ONTAP; 9.7+). Default false. */
  includePerformance?: boolean;
};

/** `GetIscsiServiceArgs` with every member a `pulumi.Input`. */
export type GetIscsiServiceOutputArgs = (
  | { svmName: pulumi.Input<string>; svmUuid?: pulumi.Input<string>; cluster?: pulumi.Input<string> }
  | { svmName?: pulumi.Input<string>; svmUuid: pulumi.Input<string>; cluster?: pulumi.Input<string> }
) & { includePerformance?: pulumi.Input<boolean> };

/** Arguments of `listIscsiServices`; without any, every service of the cluster. */
export interface ListIscsiServicesArgs {
  /** An ONTAP pattern: `svm*` wildcard, `a|b` either, `!svm1` not. */
  svmName?: string;
  enabled?: boolean;
  /** Connection profile in `ontap:clusters`; absent: the default connection. */
  cluster?: string;
  /** Records per request (ONTAP `max_records`). Default 500. */
  pageSize?: number;
  /** Also read `metric` and `statistics` of every service, in the same collection GET (9.7+). Default false. */
  includePerformance?: boolean;
}

/** `ListIscsiServicesArgs` with every member a `pulumi.Input`. */
export type ListIscsiServicesOutputArgs = {
  [K in keyof ListIscsiServicesArgs]: pulumi.Input<ListIscsiServicesArgs[K]>;
};

/** A union's members without `includePerformance` (which getIscsiServiceMetrics does not take). */
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

/** One performance sample. Counters ONTAP leaves out of a sample read 0; `status` says why. */
export interface IscsiServiceMetricSample {
  /** ISO 8601 with ONTAP's own UTC offset, as the cluster gives it (e.g. "2021-05-26T20:36:15-08:00"; never assume "Z"). */
  timestamp: string;
  /** ok, error, partial_no_data, partial_no_response, ... */
  status: string;
  /** The span the sample covers (ISO 8601), e.g. "PT15S" for 1h; absent when ONTAP leaves it out. */
  duration?: string;
  /** Operations per second. */
  iops: { read: number; write: number; other: number; total: number };
  /** Microseconds per operation. */
  latency: { read: number; write: number; other: number; total: number };
  /** Bytes per second. */
  throughput: { read: number; write: number; total: number };
}

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTERVALS: readonly MetricInterval[] = ["1h", "1d", "1w", "1m", "1y"];
const DEFAULT_PAGE_SIZE = 500;
const NO_METRICS = "8585947";

/** No iSCSI service matches: the SVM has none, or no SVM has that name or UUID. */
export class IscsiServiceNotFoundError extends ProviderError {
  readonly kind = "not-found";
  constructor(
    readonly svm: string,
    readonly host: string,
  ) {
    const check = UUID.test(svm)
      ? `vserver show -uuid ${svm}; then vserver iscsi show -vserver <that SVM's name>`
      : `vserver show -vserver ${svm}; vserver iscsi show -vserver ${svm}`;
    super(
      `No iSCSI service on SVM "${svm}" (cluster ${host}): the SVM has none, or no SVM has that name or UUID.\nCheck: ${check}`,
    );
  }
}

function toInfo(record: IscsiServiceRecord, handle: ClusterSession, performance = false): IscsiServiceInfo {
  const info: IscsiServiceInfo = {
    svmName: record.svm.name,
    svmUuid: record.svm.uuid,
    enabled: record.enabled ?? true,
    targetAlias: record.target?.alias ?? "",
    targetName: record.target?.name ?? "",
    host: handle.host,
  };
  if (handle.cluster !== undefined) info.cluster = handle.cluster;
  if (performance) {
    const { metric, statistics } = parsePerformance(record);
    if (metric) info.metric = toSample({ ...metric, timestamp: metric.timestamp ?? "" });
    if (statistics) info.statistics = toStatistics(statistics);
  }
  return info;
}

/** Whether `includePerformance` is a boolean (or absent); throws otherwise. */
function performanceWanted(value: unknown, fn: string): boolean {
  if (value !== undefined && typeof value !== "boolean")
    throw new TypeError(`${fn}: includePerformance must be true or false.`);
  return value === true;
}

function toSample(record: IscsiMetricRecord): IscsiServiceMetricSample {
  const n = (value: number | undefined) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  const { iops = {}, latency = {}, throughput = {} } = record;
  const sample: IscsiServiceMetricSample = {
    timestamp: record.timestamp,
    status: record.status ?? "ok",
    iops: { read: n(iops.read), write: n(iops.write), other: n(iops.other), total: n(iops.total) },
    latency: {
      read: n(latency.read),
      write: n(latency.write),
      other: n(latency.other),
      total: n(latency.total),
    },
    throughput: { read: n(throughput.read), write: n(throughput.write), total: n(throughput.total) },
  };
  if (record.duration !== undefined) sample.duration = record.duration;
  return sample;
}

/** The live service of one SVM; the SVM named as given (both names must agree). */
async function lookUp(
  handle: ClusterSession,
  args: { svmName?: string; svmUuid?: string },
  performance = false,
): Promise<IscsiServiceRecord> {
  const label = args.svmName ?? args.svmUuid ?? "";
  let record: IscsiServiceRecord | undefined;
  try {
    const svm = { name: args.svmName, uuid: args.svmUuid?.toLowerCase() };
    record = await findService(handle.client, svm, performance ? PERFORMANCE_FIELDS : undefined);
  } catch (err) {
    if (performance && isPerformanceUnsupported(err))
      throw new PerformanceUnavailableError("getIscsiService", handle.host);
    throw toDiagnosticError(err, { action: "read the iSCSI service", svm: label });
  }
  if (!record) throw new IscsiServiceNotFoundError(label, handle.host);
  if (args.svmName !== undefined && record.svm.name !== args.svmName)
    throw new TypeError(
      `svmUuid ${args.svmUuid} is SVM "${record.svm.name}" on cluster ${handle.host}, not "${args.svmName}": give only one of them, or two that match.`,
    );
  return record;
}

/**
 * The live iSCSI service of one SVM, by name or UUID. Throws IscsiServiceNotFoundError
 * when there is none, and the provider's diagnostics for any other failure.
 */
export async function getIscsiService(args: GetIscsiServiceArgs): Promise<IscsiServiceInfo> {
  knownKeys(args, ["svmName", "svmUuid", "cluster", "includePerformance"], "getIscsiService");
  validate({ svmName: args.svmName, svmUuid: args.svmUuid, cluster: args.cluster }, "getIscsiService");
  const performance = performanceWanted(args.includePerformance, "getIscsiService");
  const handle = connect(args.cluster);
  return toInfo(await lookUp(handle, args, performance), handle, performance);
}

/**
 * Every iSCSI service that matches (ONTAP patterns in `svmName`), every page followed,
 * sorted by SVM name. No match is an empty list, not an error.
 */
export async function listIscsiServices(args: ListIscsiServicesArgs = {}): Promise<IscsiServiceInfo[]> {
  knownKeys(args, ["svmName", "enabled", "cluster", "pageSize", "includePerformance"], "listIscsiServices");
  const performance = performanceWanted(args.includePerformance, "listIscsiServices");
  if (args.svmName !== undefined && (typeof args.svmName !== "string" || args.svmName === ""))
    throw new TypeError('listIscsiServices: svmName must be a non-empty pattern such as "svm*".');
  if (args.enabled !== undefined && typeof args.enabled !== "boolean")
    throw new TypeError("listIscsiServices: enabled must be true or false.");
  const pageSize = args.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new TypeError(`listIscsiServices: pageSize must be a whole number of at least 1, got ${pageSize}.`);
  validate({ cluster: args.cluster }, "listIscsiServices");
  const handle = connect(args.cluster);
  const filters: ServiceFilters = {};
  if (args.svmName !== undefined) filters["svm.name"] = args.svmName;
  if (args.enabled !== undefined) filters.enabled = String(args.enabled);
  try {
    const fields = performance ? PERFORMANCE_FIELDS : undefined;
    const records = await listServices(handle.client, filters, { maxRecords: pageSize, fields });
    return records
      .map((r) => toInfo(r, handle, performance))
      .sort((a, b) => a.svmName.localeCompare(b.svmName));
  } catch (err) {
    if (performance && isPerformanceUnsupported(err))
      throw new PerformanceUnavailableError("listIscsiServices", handle.host);
    throw toDiagnosticError(err, { action: "list the iSCSI services", svm: args.svmName });
  }
}

/**
 * The historical samples of one service over an interval (ONTAP 9.7+). When ONTAP has
 * none yet (8585947), the result has no samples and a `note` that says why.
 */
export async function getIscsiServiceMetrics(args: GetIscsiServiceMetricsArgs): Promise<IscsiServiceMetrics> {
  knownKeys(args, ["svmName", "svmUuid", "cluster", "interval"], "getIscsiServiceMetrics");
  validate({ svmName: args.svmName, svmUuid: args.svmUuid, cluster: args.cluster }, "getIscsiServiceMetrics");
  if (!INTERVALS.includes(args.interval))
    throw new TypeError(
      `getIscsiServiceMetrics: interval must be one of ${INTERVALS.join(", ")}, got ${JSON.stringify(args.interval)}.`,
    );
  const handle = connect(args.cluster);
  const service = await lookUp(handle, args);
  const result: IscsiServiceMetrics = {
    svmName: service.svm.name,
    svmUuid: service.svm.uuid,
    interval: args.interval,
    host: handle.host,
    samples: [],
  };
  if (handle.cluster !== undefined) result.cluster = handle.cluster;
  const ctx = { action: "read the iSCSI service's metrics", svm: service.svm.name };
  try {
    await releaseHas(handle, "service-metrics");
    result.samples = (await listServiceMetrics(handle.client, service.svm.uuid, args.interval)).map(toSample);
  } catch (err) {
    if (isMissingApi(err)) throw await releaseLacks(handle, "service-metrics");
    if (err instanceof ReleaseLacksError) throw err;
    if (!hasCode(err, NO_METRICS)) throw toDiagnosticError(err, ctx);
    result.note = renderError(err, ctx);
  }
  return result;
}

/** Arguments of `getIscsiServiceMetricSample`: the SVM by UUID or name, and the sample's timestamp. */
export type GetIscsiServiceMetricSampleArgs = GetIscsiServiceArgs & {
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

/**
 * The sample of one service at a timestamp (ONTAP 9.14+). On an older release it throws
 * ReleaseLacksError, naming the release needed, without sending the request when the
 * release is already known.
 */
export async function getIscsiServiceMetricSample(
  args: GetIscsiServiceMetricSampleArgs,
): Promise<IscsiServiceMetricSampleResult> {
  validate(
    { svmName: args.svmName, svmUuid: args.svmUuid, cluster: args.cluster },
    "getIscsiServiceMetricSample",
  );
  if (typeof args.timestamp !== "string" || Number.isNaN(Date.parse(args.timestamp)))
    throw new TypeError(
      `getIscsiServiceMetricSample: timestamp must be an ISO 8601 date and time such as "2026-03-02T09:14:45+00:00", got ${JSON.stringify(args.timestamp)}.`,
    );
  const handle = connect(args.cluster);
  const service = await lookUp(handle, args);
  const ctx = { action: "read an iSCSI service metrics sample", svm: service.svm.name };
  let record: IscsiMetricRecord;
  try {
    await releaseHas(handle, "service-metric-sample");
    record = await getServiceMetricSample(handle.client, service.svm.uuid, args.timestamp);
  } catch (err) {
    if (isMissingApi(err)) throw await releaseLacks(handle, "service-metric-sample");
    if (err instanceof ReleaseLacksError) throw err;
    throw toDiagnosticError(err, ctx);
  }
  const result: IscsiServiceMetricSampleResult = {
    svmName: service.svm.name,
    svmUuid: service.svm.uuid,
    host: handle.host,
    sample: toSample(record),
  };
  if (handle.cluster !== undefined) result.cluster = handle.cluster;
  return result;
}

/** Throws ReleaseLacksError when the cluster's release, as far as this run knows it, predates the route. */
async function releaseHas(handle: ClusterSession, route: RouteId): Promise<void> {
  const gated = handle.releases.lacksRoute(route);
  if (gated) throw new ReleaseLacksError(handle.host, gated, handle.releases.release);
}

/** The error for a route ONTAP does not serve (404, code 3), naming the cluster's release when the account may read it. */
async function releaseLacks(handle: ClusterSession, route: RouteId): Promise<ReleaseLacksError> {
  await handle.clusterInfo();
  const gated = GATED_ROUTES.find((g) => g.route === route) as (typeof GATED_ROUTES)[number];
  return new ReleaseLacksError(handle.host, gated, handle.releases.release);
}

/**
 * `getIscsiService` for `pulumi.Input` arguments, as Pulumi's `get…Output` functions do: it
 * waits for the resources the arguments come from (and `opts.dependsOn`), and is unknown in a
 * preview that creates them.
 */
export function getIscsiServiceOutput(
  args: GetIscsiServiceOutputArgs,
  opts?: DataSourceOutputOptions,
): pulumi.Output<IscsiServiceInfo> {
  return afterResources(args, opts, (a) => getIscsiService(a as GetIscsiServiceArgs));
}

/** `listIscsiServices` for `pulumi.Input` arguments; waits as `getIscsiServiceOutput` does. */
export function listIscsiServicesOutput(
  args: ListIscsiServicesOutputArgs = {},
  opts?: DataSourceOutputOptions,
): pulumi.Output<IscsiServiceInfo[]> {
  return afterResources(args, opts, (a) => listIscsiServices(a as ListIscsiServicesArgs));
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
  args: GetIscsiServiceOutputArgs & { timestamp: pulumi.Input<string> },
  opts?: DataSourceOutputOptions,
): pulumi.Output<IscsiServiceMetricSampleResult> {
  return afterResources(args, opts, (a) => getIscsiServiceMetricSample(a as GetIscsiServiceMetricSampleArgs));
}
