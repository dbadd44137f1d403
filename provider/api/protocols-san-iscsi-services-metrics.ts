/**
 * `/api/protocols/san/iscsi/services/{svm.uuid}/metrics`: the historical performance
 * samples of one SVM's iSCSI service (ONTAP 9.7+), and one sample at a timestamp
 * (`…/metrics/{timestamp}`, ONTAP 9.14+). Releases without them answer 404, code 3
 * (../iscsi/releases, `GATED_ROUTES`).
 *
 * Reference: https://docs.netapp.com/us-en/ontap-restapi/ontap/protocols_san_iscsi_services_svm.uuid_metrics_endpoint_overview.html
 */
import type { OntapClient } from "../ontap/client";
import { listRecords } from "./pager";
import { servicePath } from "./protocols-san-iscsi-services";

/** ONTAP's metric intervals, with the spacing of their samples: 15 s, 5 min, 30 min, 2 h, 1 day. */
export type MetricInterval = "1h" | "1d" | "1w" | "1m" | "1y";

/** One performance sample of an iSCSI service as ONTAP returns it (latency in µs, throughput in B/s). */
export interface IscsiMetricRecord {
  timestamp: string;
  status?: string;
  /** ISO 8601 duration each sample covers, e.g. "PT15S". */
  duration?: string;
  iops?: { read?: number; write?: number; other?: number; total?: number };
  latency?: { read?: number; write?: number; other?: number; total?: number };
  throughput?: { read?: number; write?: number; total?: number };
}

/** What both calls ask for. */
const METRIC_FIELDS = "timestamp,status,duration,iops,latency,throughput";

/** Guards a sample from the wire: it must carry its timestamp. */
function parseMetric(value: unknown): IscsiMetricRecord {
  const record = value as Partial<IscsiMetricRecord> | undefined;
  if (typeof record?.timestamp !== "string")
    throw new Error("ONTAP returned an iSCSI metrics sample without a timestamp");
  return record as IscsiMetricRecord;
}

/**
 * `GET /protocols/san/iscsi/services/{svm.uuid}/metrics?interval=…`: the samples of one
 * service for an interval, newest first as ONTAP returns them, every page followed.
 * Throws 8585947 when ONTAP has none.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-protocols-san-iscsi-services-metrics.html
 */
export async function listServiceMetrics(
  client: OntapClient,
  svmUuid: string,
  interval: MetricInterval,
): Promise<IscsiMetricRecord[]> {
  return listRecords(
    client,
    `${servicePath(svmUuid)}/metrics`,
    { interval, fields: METRIC_FIELDS },
    parseMetric,
  );
}

/**
 * `GET /protocols/san/iscsi/services/{svm.uuid}/metrics/{timestamp}`: the sample of one
 * service at a timestamp, which must exist. The timestamp goes into the path as ONTAP gave
 * it, encoded: its `+` offset must not read as a space.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-protocols-san-iscsi-services-metrics-.html
 */
export async function readServiceMetric(
  client: OntapClient,
  svmUuid: string,
  timestamp: string,
): Promise<IscsiMetricRecord> {
  const response = await client.request<unknown>({
    method: "GET",
    path: `${servicePath(svmUuid)}/metrics/${encodeURIComponent(timestamp)}`,
    query: { fields: METRIC_FIELDS },
  });
  return parseMetric(response.body);
}
