/**
 * ONTAP timestamps: ISO 8601, whole seconds, with the cluster's numeric UTC offset
 * (`2021-05-26T20:36:15+00:00`, `2020-02-26T10:35:44-08:00`), never `Z`.
 */

/** A fixed UTC offset such as "+00:00", "-08:00" or "+05:30". */
export function parseTimezone(value: string): string {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(value);
  if (!m || Number(m[2]) > 14 || Number(m[3]) > 59) {
    throw new Error(`timezone must be a UTC offset such as "+00:00" or "-08:00", got "${value}"`);
  }
  return value;
}

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith("-") ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/** Epoch milliseconds as ONTAP writes them at a UTC offset. */
export function formatTimestamp(ms: number, offset = "+00:00"): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes(offset) * 60e3);
  return `${local.toISOString().slice(0, 19)}${offset}`;
}

/** A timestamp as it goes into a path: `+` encoded, so that it is not read as a space. */
export function timestampInPath(timestamp: string): string {
  return timestamp.replace(/\+/g, "%2B");
}
