/**
 * The service record's own `metric` (ONTAP's latest 15-second average) and `statistics`
 * (raw counters since they started), ONTAP 9.7 and later. Both are expensive fields: ONTAP
 * returns them only when named in `fields`, so they are asked for only on request.
 */

import { OntapCode } from "../diagnostics/ontap-codes";
import { hasCode } from "../ontap/failures";
import { isObject } from "../values";
import { malformedField, SERVICE_FIELDS } from "./model";

/** What a read that wants performance asks for: the usual fields plus both objects. */
export const PERFORMANCE_FIELDS = `${SERVICE_FIELDS},metric,statistics`;

/** Read, write, other and total counters (throughput has no "other"). */
export interface Counters {
  read?: number;
  write?: number;
  other?: number;
  total?: number;
}

/** `metric` as ONTAP returns it. */
export interface MetricRecord {
  /** ISO 8601 with the cluster's UTC offset, e.g. 2026-03-02T09:14:45-08:00 (not necessarily `Z`). */
  timestamp?: string;
  duration?: string;
  status?: string;
  iops?: Counters;
  latency?: Counters;
  throughput?: Counters;
}

/** `statistics` as ONTAP returns it. */
export interface StatisticsRecord {
  timestamp?: string;
  status?: string;
  iops_raw?: Counters;
  latency_raw?: Counters;
  throughput_raw?: Counters;
}

/** The performance part of a service record. */
export interface PerformanceRecord {
  metric?: MetricRecord;
  statistics?: StatisticsRecord;
}

function counters(value: unknown, field: string): Counters | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw malformedField(field, value, "an object");
  const out: Counters = {};
  for (const key of ["read", "write", "other", "total"] as const) {
    const n = value[key];
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isFinite(n)) throw malformedField(`${field}.${key}`, n, "a number");
    out[key] = n;
  }
  return out;
}

function text(value: unknown, field: string): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  throw malformedField(field, value, "a string");
}

/** Guards `metric` and `statistics` of a record from the wire, field by field. */
export function parsePerformance(value: unknown): PerformanceRecord {
  const record = isObject(value) ? value : {};
  const out: PerformanceRecord = {};
  if (record.metric !== undefined) {
    const m = record.metric;
    if (!isObject(m)) throw malformedField("metric", m, "an object");
    out.metric = {
      timestamp: text(m.timestamp, "metric.timestamp"),
      duration: text(m.duration, "metric.duration"),
      status: text(m.status, "metric.status"),
      iops: counters(m.iops, "metric.iops"),
      latency: counters(m.latency, "metric.latency"),
      throughput: counters(m.throughput, "metric.throughput"),
    };
  }
  if (record.statistics !== undefined) {
    const s = record.statistics;
    if (!isObject(s)) throw malformedField("statistics", s, "an object");
    out.statistics = {
      timestamp: text(s.timestamp, "statistics.timestamp"),
      status: text(s.status, "statistics.status"),
      iops_raw: counters(s.iops_raw, "statistics.iops_raw"),
      latency_raw: counters(s.latency_raw, "statistics.latency_raw"),
      throughput_raw: counters(s.throughput_raw, "statistics.throughput_raw"),
    };
  }
  return out;
}

/**
 * Whether a failure says the release has no `metric`/`statistics`: ONTAP before 9.7
 * rejects the names in `fields` (262197, naming the field) and fails the whole request.
 */
export function isPerformanceUnsupported(err: unknown): boolean {
  if (!hasCode(err, OntapCode.unknownField)) return false;
  const message = (err as { ontapMessage?: string }).ontapMessage ?? "";
  return /"(metric|statistics)[".]/.test(message);
}
