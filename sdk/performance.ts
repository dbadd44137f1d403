/**
 * `includePerformance` of getIscsiService and listIscsiServices: the service record's own
 * `metric` (ONTAP's latest 15-second average) and `statistics` (raw counters), as typed
 * fields of the result. Both need ONTAP 9.7 or later.
 */
import { ProviderError } from "../provider/errors";
import type { Counters, StatisticsRecord } from "../provider/iscsi/performance";
import { PERFORMANCE_FIELDS_SINCE } from "../provider/iscsi/releases";

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

/** `statistics` from the wire → the typed result. */
export function toStatistics(record: StatisticsRecord): IscsiServiceStatistics {
  const throughput = record.throughput_raw ?? {};
  return {
    timestamp: record.timestamp ?? "",
    status: record.status ?? "ok",
    iopsRaw: four(record.iops_raw),
    latencyRaw: four(record.latency_raw),
    throughputRaw: { read: n(throughput.read), write: n(throughput.write), total: n(throughput.total) },
  };
}

/** `includePerformance` on a cluster older than ONTAP 9.7, which has no `metric` or `statistics`. */
export class PerformanceUnavailableError extends ProviderError {
  readonly kind = "unsupported-release";
  constructor(
    readonly fn: string,
    readonly host: string,
  ) {
    super(
      `${fn}: includePerformance needs ONTAP ${PERFORMANCE_FIELDS_SINCE} or later, and cluster ${host} runs an older release: ` +
        `it refused the fields "metric" and "statistics" of /api/protocols/san/iscsi/services [ONTAP 262197].\n` +
        `Fix: leave includePerformance out for this cluster, or upgrade it to ONTAP ${PERFORMANCE_FIELDS_SINCE} or later (see the release with: version).`,
    );
  }
}
