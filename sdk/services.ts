/**
 * The service lookups: `getIscsiService` (one SVM's service, by name or UUID) and
 * `listIscsiServices` (every service an ONTAP pattern matches), with their `…Output`
 * variants. Both read `/api/protocols/san/iscsi/services` and, with `includePerformance`,
 * the record's own `metric` and `statistics` (./performance).
 */
import type * as pulumi from "@pulumi/pulumi";
import { findService, listServices, type ServiceFilters } from "../provider/api/protocols-san-iscsi-services";
import type { ClusterRun } from "../provider/cluster-run";
import { toDiagnosticError } from "../provider/diagnostics/render";
import { IscsiServiceNotFoundError, PerformanceUnavailableError } from "../provider/errors/data-sources";
import type { IscsiServiceRecord } from "../provider/iscsi/model";
import {
  isPerformanceUnsupported,
  PERFORMANCE_FIELDS,
  parsePerformance,
} from "../provider/iscsi/performance";
import { takes } from "./arguments";
import {
  afterResources,
  type Connect,
  connect,
  type DataSourceOutputOptions,
  withCluster,
} from "./connection";
import {
  type IscsiServiceMetricSample,
  type IscsiServiceStatistics,
  toSample,
  toStatistics,
} from "./performance";

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

function toInfo(record: IscsiServiceRecord, run: ClusterRun, performance = false): IscsiServiceInfo {
  const info = withCluster<IscsiServiceInfo>(
    {
      svmName: record.svm.name,
      svmUuid: record.svm.uuid,
      enabled: record.enabled ?? true,
      targetAlias: record.target?.alias ?? "",
      targetName: record.target?.name ?? "",
      host: run.host,
    },
    run,
  );
  if (performance) {
    const { metric, statistics } = parsePerformance(record);
    if (metric) info.metric = toSample({ ...metric, timestamp: metric.timestamp ?? "" });
    if (statistics) info.statistics = toStatistics(statistics);
  }
  return info;
}

/**
 * The live service of one SVM, which must exist; the SVM named as given (both names must
 * agree). Throws {@link IscsiServiceNotFoundError} when there is none, and the provider's
 * diagnostics for any other failure. Every data source about one service starts here.
 */
export async function readService(
  run: ClusterRun,
  args: { svmName?: string; svmUuid?: string },
  performance = false,
): Promise<IscsiServiceRecord> {
  const label = args.svmName ?? args.svmUuid ?? "";
  let record: IscsiServiceRecord | undefined;
  try {
    const svm = { name: args.svmName, uuid: args.svmUuid?.toLowerCase() };
    record = await findService(run.client, svm, performance ? PERFORMANCE_FIELDS : undefined);
  } catch (err) {
    if (performance && isPerformanceUnsupported(err))
      throw new PerformanceUnavailableError("getIscsiService", run.host);
    throw toDiagnosticError(err, { action: "read the iSCSI service", svm: label });
  }
  if (!record) throw new IscsiServiceNotFoundError(label, run.host);
  if (args.svmName !== undefined && record.svm.name !== args.svmName)
    throw new TypeError(
      `svmUuid ${args.svmUuid} is SVM "${record.svm.name}" on cluster ${run.host}, not "${args.svmName}": give only one of them, or two that match.`,
    );
  return record;
}

/**
 * The live iSCSI service of one SVM, by name or UUID. Throws IscsiServiceNotFoundError
 * when there is none, and the provider's diagnostics for any other failure.
 */
export async function getIscsiService(
  args: GetIscsiServiceArgs,
  connectTo: Connect = connect,
): Promise<IscsiServiceInfo> {
  const check = takes("getIscsiService", args, ["svmName", "svmUuid", "cluster", "includePerformance"]);
  const performance = check.inputs("svmName", "svmUuid", "cluster").flag("includePerformance");
  const run = connectTo(args.cluster);
  return toInfo(await readService(run, args, performance), run, performance);
}

/**
 * Every iSCSI service that matches (ONTAP patterns in `svmName`), every page followed,
 * sorted by SVM name. No match is an empty list, not an error.
 */
export async function listIscsiServices(
  args: ListIscsiServicesArgs = {},
  connectTo: Connect = connect,
): Promise<IscsiServiceInfo[]> {
  const check = takes("listIscsiServices", args, [
    "svmName",
    "enabled",
    "cluster",
    "pageSize",
    "includePerformance",
  ]);
  const performance = check.flag("includePerformance");
  check.pattern("svmName", 'a non-empty pattern such as "svm*"').flag("enabled");
  const pageSize = check.pageSize();
  check.inputs("cluster");
  const run = connectTo(args.cluster);
  const filters: ServiceFilters = {};
  if (args.svmName !== undefined) filters["svm.name"] = args.svmName;
  if (args.enabled !== undefined) filters.enabled = String(args.enabled);
  try {
    const fields = performance ? PERFORMANCE_FIELDS : undefined;
    const records = await listServices(run.client, filters, { maxRecords: pageSize, fields });
    return records.map((r) => toInfo(r, run, performance)).sort((a, b) => a.svmName.localeCompare(b.svmName));
  } catch (err) {
    if (performance && isPerformanceUnsupported(err))
      throw new PerformanceUnavailableError("listIscsiServices", run.host);
    throw toDiagnosticError(err, { action: "list the iSCSI services", svm: args.svmName });
  }
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
