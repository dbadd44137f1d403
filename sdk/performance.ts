/**
 * The performance values the data sources return, as typed fields: a sample of ONTAP's
 * averages ({@link IscsiServiceMetricSample}: the `metric` of `includePerformance` and each
 * sample of the metrics data sources, ./metrics) and the raw counters
 * ({@link IscsiServiceStatistics}: `statistics` of `includePerformance`). The record's own
 * `metric` and `statistics` need ONTAP 9.7 or later.
 */
import type { IscsiMetricRecord } from "../provider/api/protocols-san-iscsi-services-metrics";
import type { Counters, StatisticsRecord } from "../provider/iscsi/performance";

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

/**
 * The raw counters of a service, summed over the nodes since they started (monotonic;
 * a drop means a reset: node reboot or takeover). A rate is the difference of two reads
 * over the difference of their timestamps. Counters ONTAP leaves out read 0.
 */
export interface IscsiServiceStatistics {
  /** When the counters were read: ISO 8601 with the cluster's UTC offset (e.g. `-08:00`), not necessarily `Z`. */
  timestamp: string;
  /** ok, error, partial_no_data, negative_delta, … */
  status: string;
  /** Operations. */
  iopsRaw: { read: number; write: number; other: number; total: number };
  /** Accumulated microseconds. */
  latencyRaw: { read: number; write: number; other: number; total: number };
  /** Accumulated bytes. */
  throughputRaw: { read: number; write: number; total: number };
}

const n = (value: number | undefined) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const four = (c: Counters = {}) => ({
  read: n(c.read),
  write: n(c.write),
  other: n(c.other),
  total: n(c.total),
});
const three = (c: Counters = {}) => ({ read: n(c.read), write: n(c.write), total: n(c.total) });

/** A sample from the wire (`metric` of a service record, or one of its metrics) → the typed result. */
export function toSample(record: IscsiMetricRecord): IscsiServiceMetricSample {
  const sample: IscsiServiceMetricSample = {
    timestamp: record.timestamp,
    status: record.status ?? "ok",
    iops: four(record.iops),
    latency: four(record.latency),
    throughput: three(record.throughput),
  };
  if (record.duration !== undefined) sample.duration = record.duration;
  return sample;
}

/** `statistics` from the wire → the typed result. */
export function toStatistics(record: StatisticsRecord): IscsiServiceStatistics {
  return {
    timestamp: record.timestamp ?? "",
    status: record.status ?? "ok",
    iopsRaw: four(record.iops_raw),
    latencyRaw: four(record.latency_raw),
    throughputRaw: three(record.throughput_raw),
  };
}
