/**
 * Performance samples of iSCSI services, generated deterministically from the SVM UUID
 * and the timestamp (so repeated reads agree).
 *
 * Availability rule: a service has samples at every multiple of an interval's spacing
 * from one full 15-second sampling period after its `metricsSince` up to now. Services
 * present when the simulator starts (seeded, or ASA r2) have a year of history; a service
 * created later (POST, out-of-band, addSvm) has none for at least 15 s (until the first
 * 15-second boundary after that; longer for the coarser intervals), so its metrics answer
 * 8585947, as a real cluster has no samples for a service created moments ago.
 * `backfillMetrics()` on the simulator gives a service history at once.
 */
import { createHash } from "node:crypto";
import type { Service } from "./state";

/** The collector needs one full period before its first sample. */
const FIRST_SAMPLE_DELAY_MS = 15e3;

/** ONTAP's metric intervals: how far back they reach and how far apart samples are. */
export const INTERVALS: Record<string, { spanMs: number; stepMs: number; duration: string }> = {
  "1h": { spanMs: 3600e3, stepMs: 15e3, duration: "PT15S" },
  "1d": { spanMs: 86400e3, stepMs: 300e3, duration: "PT5M" },
  "1w": { spanMs: 7 * 86400e3, stepMs: 1800e3, duration: "PT30M" },
  "1m": { spanMs: 30 * 86400e3, stepMs: 7200e3, duration: "PT2H" },
  "1y": { spanMs: 365 * 86400e3, stepMs: 86400e3, duration: "P1D" },
};

/** Writes epoch ms as an ONTAP timestamp (ISO 8601 with the cluster's UTC offset). */
export type Stamp = (ms: number) => string;

function noise(seed: string, n: number): number[] {
  const digest = createHash("sha256").update(seed).digest();
  return Array.from({ length: n }, (_, i) => digest.readUInt16BE(i * 2) / 65535);
}

/** One sample (without `_links`), as ONTAP shapes a metrics record. */
export function sample(svmUuid: string, t: number, duration: string, stamp: Stamp): Record<string, unknown> {
  const [a, b, c, d, e, f] = noise(`${svmUuid}@${t}`, 6);
  const read = Math.round(200 + a * 800);
  const write = Math.round(100 + b * 400);
  const other = Math.round(c * 50);
  const lr = Math.round(150 + d * 300);
  const lw = Math.round(200 + e * 400);
  const lo = Math.round(50 + f * 100);
  const total = read + write + other;
  return {
    timestamp: stamp(t),
    status: "ok",
    duration,
    iops: { read, write, other, total },
    latency: {
      read: lr,
      write: lw,
      other: lo,
      total: Math.round((lr * read + lw * write + lo * other) / total),
    },
    throughput: { read: read * 4096, write: write * 4096, total: (read + write) * 4096 },
  };
}

/** Sample timestamps of one interval, newest first. */
export function sampleTimes(service: Service, interval: string, now = Date.now()): number[] {
  const { spanMs, stepMs } = INTERVALS[interval];
  const times: number[] = [];
  for (
    let t = Math.floor(now / stepMs) * stepMs;
    t > now - spanMs && t >= service.metricsSince + FIRST_SAMPLE_DELAY_MS;
    t -= stepMs
  ) {
    times.push(t);
  }
  return times;
}

/** The interval whose samples include `t`, if any (finest first). */
export function intervalAt(service: Service, t: number, now = Date.now()): string | undefined {
  return Object.keys(INTERVALS).find((name) => {
    const { spanMs, stepMs } = INTERVALS[name];
    return (
      t % stepMs === 0 && t <= now && t > now - spanMs && t >= service.metricsSince + FIRST_SAMPLE_DELAY_MS
    );
  });
}

/** The service record's `metric` (latest 15 s sample) and `statistics` (raw counters). */
export function currentPerformance(
  service: Service,
  stamp: Stamp,
  now = Date.now(),
): { metric: Record<string, unknown>; statistics: Record<string, unknown> } {
  const latest = sampleTimes(service, "1h", now)[0];
  const metric =
    latest === undefined
      ? {
          timestamp: stamp(now),
          status: "partial_no_data",
          duration: "PT15S",
          iops: { read: 0, write: 0, other: 0, total: 0 },
          latency: { read: 0, write: 0, other: 0, total: 0 },
          throughput: { read: 0, write: 0, total: 0 },
        }
      : sample(service.svmUuid, latest, "PT15S", stamp);
  const seconds = Math.max(0, Math.floor((now - Math.max(service.metricsSince, now - 86400e3 * 400)) / 1000));
  const raw = (per: number) => seconds * per;
  return {
    metric,
    statistics: {
      timestamp: stamp(now),
      status: "ok",
      iops_raw: { read: raw(500), write: raw(250), other: raw(20), total: raw(770) },
      latency_raw: {
        read: raw(500) * 300,
        write: raw(250) * 400,
        other: raw(20) * 100,
        total: raw(770) * 300,
      },
      throughput_raw: { read: raw(500) * 4096, write: raw(250) * 4096, total: raw(750) * 4096 },
    },
  };
}
