/**
 * Small helpers every layer uses, each written once: the shape of an ONTAP UUID, a JSON
 * object guard, how messages give a wait, and the keys that name an SVM either way.
 */

/** An ONTAP UUID (SVMs, jobs): 8-4-4-4-12 hex digits. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value from the wire is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "0.5 s", "300 s": how the messages give a wait. */
export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Keys that name an SVM either way ("uuid:…", "name:…"), for per-SVM bookkeeping. A UUID
 * is unique across clusters; a name only within its cluster, so with `host` the name key
 * carries it.
 */
export function svmKeys(svm: { name?: string; uuid?: string }, host?: string): string[] {
  const keys: string[] = [];
  if (svm.uuid) keys.push(`uuid:${svm.uuid.toLowerCase()}`);
  if (svm.name) keys.push(`name:${host === undefined ? "" : `${host}/`}${svm.name}`);
  return keys;
}
