/**
 * Which ONTAP release introduced what the provider asks for, as one table, and what the
 * provider has learned of one cluster's release during a run.
 *
 * The provider asks each release only for what it has. It learns the release once per
 * cluster and run from `/api/cluster` (`version`), and, where the account may not read
 * that (an SVM-scoped account), from ONTAP's own answer: a name in `fields=` that the
 * release does not know fails the whole request with 400 / 262197 `The value "x" is
 * invalid for field "fields"`, after which the field is left out for the rest of the run.
 * Everything not in the table exists from 9.6, the first release with the REST API.
 */

/** The objects whose fields depend on the release. */
export type GatedResource = "cluster" | "svm";

/** A field that not every release has. */
export interface GatedField {
  resource: GatedResource;
  /** As named in `fields=`. */
  field: string;
  /** The first release that has it. */
  since: string;
  /** What the provider cannot check without it. */
  loses: string;
  /** Where the fact comes from ([doc], [lib], [ansible], [obs], [inferred]). */
  source: string;
}

/** An endpoint that not every release serves (older ones answer 404, code 3 "API not found"). */
export interface GatedRoute {
  route: RouteId;
  since: string;
  /** What it serves, as "which has no …" in a message names it. */
  what: string;
  path: string;
  source: string;
}

/** The gated endpoints the provider calls. */
export type RouteId = "service-metrics" | "service-metric-sample";

/**
 * The release that introduced the service record's `metric` and `statistics` (expensive
 * fields, asked for only on request, so they are not in GATED_FIELDS' automatic gating). [doc]
 */
export const PERFORMANCE_FIELDS_SINCE = "9.7";

/** Release → fields, as data: the one place that says which release has which field. */
export const GATED_FIELDS: readonly GatedField[] = [
  {
    resource: "cluster",
    field: "san_optimized",
    since: "9.7",
    loses: "whether the cluster is an All SAN Array",
    source: "[inferred]: the ASA launched on 9.7",
  },
  {
    resource: "cluster",
    field: "disaggregated",
    since: "9.16.1",
    loses: "whether the cluster is ASA r2",
    source: "[ansible] rest_ontap_personality; ASA r2 shipped with 9.16",
  },
  {
    resource: "svm",
    field: "iscsi.allowed",
    since: "9.9.1",
    loses: "whether iSCSI is among an SVM's allowed protocols (2621507)",
    source: "[ansible] na_ontap_svm: allowed protocols on /api/svm/svms from 9.9.1",
  },
];

/** Release → endpoints, as data. */
export const GATED_ROUTES: readonly GatedRoute[] = [
  {
    route: "service-metrics",
    since: "9.7",
    what: "iSCSI service metrics",
    path: "GET /api/protocols/san/iscsi/services/{svm.uuid}/metrics",
    source: "[doc]",
  },
  {
    route: "service-metric-sample",
    since: "9.14",
    what: "way to read a single iSCSI service metrics sample",
    path: "GET /api/protocols/san/iscsi/services/{svm.uuid}/metrics/{timestamp}",
    source: "[doc]",
  },
];

/** [generation, major, minor] of a release name ("9.14" is 9.14.0). */
function parts(release: string): [number, number, number] {
  const [generation = 0, major = 0, minor = 0] = release.split(".").map((n) => Number(n) || 0);
  return [generation, major, minor];
}

/** Whether release `a` is `b` or later. */
export function atLeast(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return true;
}

/** `version` of `/api/cluster`: `full` like "NetApp Release 9.12.1: Tue Jan 31 19:19:43 UTC 2023". */
export interface OntapVersion {
  full?: string;
  generation?: number;
  major?: number;
  minor?: number;
}

/** The release name ("9.12.1", "9.6") of a `version` object; undefined when it has none. */
export function releaseOf(version: OntapVersion | undefined): string | undefined {
  const named = /Release (\d+\.\d+(?:\.\d+)?)/.exec(version?.full ?? "")?.[1];
  if (named) return named;
  const { generation, major, minor } = version ?? {};
  if (typeof generation !== "number" || typeof major !== "number") return undefined;
  return minor ? `${generation}.${major}.${minor}` : `${generation}.${major}`;
}

/** The field a 262197 answer names (`The value "x" is invalid for field "fields"`), if any. */
export function invalidFieldOf(ontapMessage: string | undefined): string | undefined {
  return /The value "([^"]+)" is invalid for field "fields"/.exec(ontapMessage ?? "")?.[1];
}

/**
 * What a run knows of one cluster's release: the release itself once `/api/cluster` has
 * told it, and the fields ONTAP refused (262197). One per ClusterSession.
 */
export class ReleaseKnowledge {
  /** The release, from `/api/cluster`; undefined until read, and for an account that may not read it. */
  release: string | undefined;
  readonly #lacking = new Set<string>();

  /** Whether to ask for a gated field: not when ONTAP refused it, nor when the known release predates it. */
  mayAsk(resource: GatedResource, field: string): boolean {
    if (this.#lacking.has(`${resource}:${field}`)) return false;
    const gated = GATED_FIELDS.find((g) => g.resource === resource && g.field === field);
    return !gated || this.release === undefined || atLeast(this.release, gated.since);
  }

  /** ONTAP refused this field (262197): the release lacks it. */
  lacks(resource: GatedResource, field: string): void {
    this.#lacking.add(`${resource}:${field}`);
  }

  /** The gated fields of a resource that this cluster lacks, as far as known. */
  missing(resource: GatedResource): GatedField[] {
    return GATED_FIELDS.filter((g) => g.resource === resource && !this.mayAsk(resource, g.field));
  }

  /** The gated route's row when the known release predates it; undefined when it exists or the release is unknown. */
  lacksRoute(route: RouteId): GatedRoute | undefined {
    const gated = GATED_ROUTES.find((g) => g.route === route);
    return gated && this.release !== undefined && !atLeast(this.release, gated.since) ? gated : undefined;
  }

  /** "ONTAP 9.8" when the release is known, else how the field's absence dates it ("ONTAP before 9.9.1"). */
  describe(before?: string): string {
    if (this.release !== undefined) return `ONTAP ${this.release}`;
    return before ? `ONTAP before ${before}` : "an ONTAP release this account cannot read";
  }
}
