/**
 * Data sources: read the iSCSI services that exist, their sessions and their performance,
 * without managing them. They run in the program (not through the dynamic provider), with
 * the connection the resource uses: stack config `ontap:*` (or a profile of
 * `ontap:clusters`) and the ONTAP_* environment, resolved by the provider's own
 * ConnectionSettings.
 *
 * This is the barrel the package exports them through, one family a module: service
 * lookups (./services), sessions (./sessions), performance and metrics (./metrics, with the
 * typed performance values of ./performance). Each family checks its arguments with
 * ./arguments and connects with ./connection, so a new data source adds its family module
 * (or a function to one) and a line here.
 */

export {
  IscsiServiceNotFoundError,
  PerformanceUnavailableError,
} from "../provider/errors/data-sources";
export type { DataSourceOutputOptions } from "./connection";
export {
  type GetIscsiServiceMetricSampleArgs,
  type GetIscsiServiceMetricsArgs,
  type GetIscsiServiceMetricsOutputArgs,
  getIscsiServiceMetricSample,
  getIscsiServiceMetricSampleOutput,
  getIscsiServiceMetrics,
  getIscsiServiceMetricsOutput,
  type IscsiServiceMetricSampleResult,
  type IscsiServiceMetrics,
  type MetricInterval,
} from "./metrics";
export type { IscsiServiceMetricSample, IscsiServiceStatistics } from "./performance";
export {
  type GetIscsiServiceArgs,
  type GetIscsiServiceOutputArgs,
  getIscsiService,
  getIscsiServiceOutput,
  type IscsiServiceInfo,
  type ListIscsiServicesArgs,
  type ListIscsiServicesOutputArgs,
  listIscsiServices,
  listIscsiServicesOutput,
} from "./services";
export {
  type IscsiSessionConnection,
  type IscsiSessionInfo,
  type ListIscsiSessionsArgs,
  type ListIscsiSessionsOutputArgs,
  listIscsiSessions,
  listIscsiSessionsOutput,
} from "./sessions";
