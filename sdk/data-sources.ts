/**
 * Data sources: read the iSCSI services that exist, and their performance, without
 * managing them. They run in the program (not through the dynamic provider), with the
 * connection the resource uses: stack config `ontap:*` (or a profile of `ontap:clusters`)
 * and the ONTAP_* environment, resolved by the provider's own ConnectionSettings.
 */
import * as pulumi from "@pulumi/pulumi";
import { type ConfigSource, ConnectionSettings } from "../provider/config";
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
import { GATED_ROUTES, ReleaseLacksError, type RouteId } from "../provider/iscsi/releases";
import { validateInputs } from "../provider/iscsi/validate";
import { hasCode } from "../provider/ontap/failures";
import { ClusterPool } from "../provider/pool";
import type { ClusterSession } from "../provider/session";

export type { MetricInterval } from "../provider/iscsi/api";

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
}

/** Arguments of `getIscsiService`: the SVM by name or UUID (or both, naming the same SVM). */
export type GetIscsiServiceArgs =
  | { svmName: string; svmUuid?: string; cluster?: string }
  | { svmName?: string; svmUuid: string; cluster?: string };

/** `GetIscsiServiceArgs` with every member a `pulumi.Input`. */
export type GetIscsiServiceOutputArgs =
  | { svmName: pulumi.Input<string>; svmUuid?: pulumi.Input<string>; cluster?: pulumi.Input<string> }
  | { svmName?: pulumi.Input<string>; svmUuid: pulumi.Input<string>; cluster?: pulumi.Input<string> };

/** Arguments of `listIscsiServices`; without any, every service of the cluster. */
export interface ListIscsiServicesArgs {
  /** An ONTAP pattern: `svm*` wildcard, `a|b` either, `!svm1` not. */
  svmName?: string;
  enabled?: boolean;
  /** Connection profile in `ontap:clusters`; absent: the default connection. */
  cluster?: string;
  /** Records per request (ONTAP `max_records`). Default 500. */
  pageSize?: number;
}

/** `ListIscsiServicesArgs` with every member a `pulumi.Input`. */
export type ListIscsiServicesOutputArgs = {
  [K in keyof ListIscsiServicesArgs]: pulumi.Input<ListIscsiServicesArgs[K]>;
};

/** Arguments of `getIscsiServiceMetrics`: the SVM by UUID or name, and the interval. */
export type GetIscsiServiceMetricsArgs = GetIscsiServiceArgs & {
  /** 1h: 15 s samples, 1d: 5 min, 1w: 30 min, 1m: 2 h, 1y: 1 day. */
  interval: MetricInterval;
};

/** `GetIscsiServiceMetricsArgs` with every member a `pulumi.Input`. */
export type GetIscsiServiceMetricsOutputArgs = GetIscsiServiceOutputArgs & {
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

/** Stack config as the program sees it, in the shape ConnectionSettings reads ("ontap:host"). */
const programConfig: ConfigSource = {
  get(key: string) {
    const colon = key.indexOf(":");
    return new pulumi.Config(key.slice(0, colon)).get(key.slice(colon + 1));
  },
};

// One client per cluster for the whole program, so that many calls share connections.
let pool: ClusterPool | undefined;

function connect(cluster: string | undefined): ClusterSession {
  pool ??= new ClusterPool({
    debug: (message) => void pulumi.log.debug(message),
    warn: (message) => void pulumi.log.warn(message),
  });
  return pool.session(new ConnectionSettings(programConfig, process.env).resolve(cluster));
}

/** Throws for an argument the function does not take (a misspelt key would otherwise widen the query silently). */
function knownKeys(args: object, known: readonly string[], fn: string): void {
  const unknown = Object.keys(args).filter((key) => !known.includes(key));
  if (unknown.length > 0)
    throw new TypeError(
      `${fn}: ${unknown.map((k) => JSON.stringify(k)).join(", ")} ${unknown.length === 1 ? "is not an argument" : "are not arguments"}; it takes ${known.join(", ")}.`,
    );
}

/** Throws the first problem with these arguments, in the words `check` uses for the resource's inputs. */
function validate(args: Record<string, unknown>, fn: string): void {
  const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  const [failure] = validateInputs(given).failures.filter((f) => f.property in args);
  if (failure) throw new TypeError(`${fn}: ${failure.reason}`);
}

function toInfo(record: IscsiServiceRecord, handle: ClusterSession): IscsiServiceInfo {
  const info: IscsiServiceInfo = {
    svmName: record.svm.name,
    svmUuid: record.svm.uuid,
    enabled: record.enabled ?? true,
    targetAlias: record.target?.alias ?? "",
    targetName: record.target?.name ?? "",
    host: handle.host,
  };
  if (handle.cluster !== undefined) info.cluster = handle.cluster;
  return info;
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
async function lookUp(handle: ClusterSession, args: GetIscsiServiceArgs): Promise<IscsiServiceRecord> {
  const label = args.svmName ?? args.svmUuid ?? "";
  let record: IscsiServiceRecord | undefined;
  try {
    record = await findService(handle.client, { name: args.svmName, uuid: args.svmUuid?.toLowerCase() });
  } catch (err) {
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
  knownKeys(args, ["svmName", "svmUuid", "cluster"], "getIscsiService");
  validate({ svmName: args.svmName, svmUuid: args.svmUuid, cluster: args.cluster }, "getIscsiService");
  const handle = connect(args.cluster);
  return toInfo(await lookUp(handle, args), handle);
}

/**
 * Every iSCSI service that matches (ONTAP patterns in `svmName`), every page followed,
 * sorted by SVM name. No match is an empty list, not an error.
 */
export async function listIscsiServices(args: ListIscsiServicesArgs = {}): Promise<IscsiServiceInfo[]> {
  knownKeys(args, ["svmName", "enabled", "cluster", "pageSize"], "listIscsiServices");
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
    const records = await listServices(handle.client, filters, { maxRecords: pageSize });
    return records.map((r) => toInfo(r, handle)).sort((a, b) => a.svmName.localeCompare(b.svmName));
  } catch (err) {
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

/** `getIscsiService` for `pulumi.Input` arguments, as Pulumi's `...Output` functions do. */
export function getIscsiServiceOutput(args: GetIscsiServiceOutputArgs): pulumi.Output<IscsiServiceInfo> {
  return pulumi.output(args).apply((a) => getIscsiService(a as GetIscsiServiceArgs));
}

/** `listIscsiServices` for `pulumi.Input` arguments. */
export function listIscsiServicesOutput(
  args: ListIscsiServicesOutputArgs = {},
): pulumi.Output<IscsiServiceInfo[]> {
  return pulumi.output(args).apply((a) => listIscsiServices(a as ListIscsiServicesArgs));
}

/** `getIscsiServiceMetrics` for `pulumi.Input` arguments. */
export function getIscsiServiceMetricsOutput(
  args: GetIscsiServiceMetricsOutputArgs,
): pulumi.Output<IscsiServiceMetrics> {
  return pulumi.output(args).apply((a) => getIscsiServiceMetrics(a as GetIscsiServiceMetricsArgs));
}

/** `getIscsiServiceMetricSample` for `pulumi.Input` arguments. */
export function getIscsiServiceMetricSampleOutput(
  args: GetIscsiServiceOutputArgs & { timestamp: pulumi.Input<string> },
): pulumi.Output<IscsiServiceMetricSampleResult> {
  return pulumi.output(args).apply((a) => getIscsiServiceMetricSample(a as GetIscsiServiceMetricSampleArgs));
}
