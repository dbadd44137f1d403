/**
 * Release personalities: which ONTAP release introduced which field, endpoint and
 * behavior the simulator models, written as one table ({@link INTRODUCED}). A field or route
 * not in the table exists from 9.6, the first release with the REST API.
 *
 * What the release lacks is answered as ONTAP answers it: a field named in `fields=`
 * fails the request (400, 262197), a filter on it is an unexpected argument (400, 262179),
 * a route is "API not found" (404, code 3), and `fields=*` simply does not return it.
 */

/** The releases the simulator can be, oldest first. */
export const RELEASES = ["9.6", "9.8", "9.9.1", "9.10.1", "9.12.1", "9.14.1", "9.16.1"] as const;

/** One of the releases the simulator can be. */
export type OntapRelease = (typeof RELEASES)[number];

/** The release a simulator is unless told otherwise: the newest. */
export const DEFAULT_RELEASE: OntapRelease = RELEASES[RELEASES.length - 1];

/** Resources whose records the query engine serves; field gating is per resource. */
export type ResourceName = "cluster" | "svm" | "service" | "metric" | "license" | "job" | "session";

/** Routes that do not exist on every release. */
export type RouteId = "service-metrics" | "service-metric-sample";

/** Behaviors that change with the release. */
export type Behavior = "license-base-hidden" | "oauth2" | "asa-r2";

/** One row of the table: what a release introduced. */
export interface Introduction {
  since: string;
  /** Per resource: leaf paths or whole objects (every leaf under them). */
  fields?: Partial<Record<ResourceName, string[]>>;
  routes?: RouteId[];
  behaviors?: Behavior[];
  /** What it is and where the fact comes from ([doc], [lib], [ansible], [obs], [inferred]). */
  note: string;
}

/**
 * Release → what it introduced. Releases that are not personalities (9.7, 9.11.1, 9.14)
 * still order correctly: 9.7 features exist on 9.8, 9.14 features on 9.14.1.
 * @internal test-only
 */
export const INTRODUCED: readonly Introduction[] = [
  {
    since: "9.7",
    fields: { service: ["metric", "statistics"] },
    routes: ["service-metrics"],
    note: "iSCSI service performance: metric/statistics on the record, GET …/services/{svm.uuid}/metrics [doc]",
  },
  {
    since: "9.7",
    fields: { cluster: ["san_optimized"] },
    note: "All SAN Array flag; the ASA launched on 9.7 [inferred]",
  },
  {
    since: "9.9",
    fields: { session: ["initiator.comment"] },
    note: "iSCSI sessions' initiator.comment (the igroup initiator's comment); the sessions endpoint itself is 9.6 [doc]",
  },
  {
    since: "9.9.1",
    fields: { svm: ["iscsi.allowed", "nvme.allowed", "fcp.allowed"] },
    note: "allowed protocols on /api/svm/svms; before, only the private CLI shows them [ansible]",
  },
  {
    since: "9.10.1",
    fields: { license: ["entitlement"] },
    note: "license entitlement {action, risk}; older releases reject the field [obs] (9.10.1 chosen)",
  },
  {
    since: "9.11.1",
    behaviors: ["license-base-hidden"],
    note: "the base package is no longer listed [lib]",
  },
  {
    since: "9.14",
    routes: ["service-metric-sample"],
    note: "one metrics sample: GET …/services/{svm.uuid}/metrics/{timestamp} [doc]",
  },
  {
    since: "9.14.1",
    behaviors: ["oauth2"],
    note: "OAuth 2.0 bearer tokens [doc]",
  },
  {
    since: "9.16.1",
    fields: { cluster: ["disaggregated"] },
    behaviors: ["asa-r2"],
    note: "disaggregated on /api/cluster, ASA r2 systems [ansible] (9.16.1 chosen: ASA r2 shipped with 9.16)",
  },
];

/** `version.full` of each release (build dates are illustrative, except 9.12.1's [obs]). */
export const BUILDS: Record<OntapRelease, string> = {
  "9.6": "Fri Jun 14 08:05:59 UTC 2019",
  "9.8": "Fri Dec 11 03:20:45 UTC 2020",
  "9.9.1": "Mon Jul 19 10:02:02 UTC 2021",
  "9.10.1": "Thu Jan 13 19:10:38 UTC 2022",
  "9.12.1": "Tue Jan 31 19:19:43 UTC 2023",
  "9.14.1": "Mon Jan 29 20:25:41 UTC 2024",
  "9.16.1": "Thu Jan 16 11:45:08 UTC 2025",
};

/** Whether a name is one of the personalities. */
export function isRelease(value: string): value is OntapRelease {
  return (RELEASES as readonly string[]).includes(value);
}

/** Validates a release name; throws listing the ones there are. */
export function parseRelease(value: string): OntapRelease {
  if (!isRelease(value)) {
    throw new Error(`unknown ONTAP release "${value}": the simulator can be ${RELEASES.join(", ")}`);
  }
  return value;
}

/** [generation, major, minor] of a release name ("9.14" is 9.14.0). */
export function versionParts(release: string): [number, number, number] {
  const [generation = 0, major = 0, minor = 0] = release.split(".").map((n) => Number(n) || 0);
  return [generation, major, minor];
}

/**
 * Whether release `a` is `b` or later.
 * @internal test-only
 */
export function atLeast(a: string, b: string): boolean {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return true;
}

/** Rows the release does not have yet. */
function missing(release: OntapRelease): Introduction[] {
  return INTRODUCED.filter((row) => !atLeast(release, row.since));
}

/** Whether a field path (leaf or object) of a resource exists on the release. */
export function fieldExists(release: OntapRelease, resource: ResourceName, path: string): boolean {
  return !missing(release).some((row) =>
    (row.fields?.[resource] ?? []).some((p) => path === p || path.startsWith(`${p}.`)),
  );
}

/** Whether a gated route exists on the release. */
export function routeExists(release: OntapRelease, route: RouteId): boolean {
  return !missing(release).some((row) => row.routes?.includes(route));
}

/** Whether the release behaves in a given way. */
export function behaves(release: OntapRelease, behavior: Behavior): boolean {
  return !missing(release).some((row) => row.behaviors?.includes(behavior));
}
