/**
 * `/api/cluster`: the cluster's release and platform (an All SAN Array, ASA r2), read once
 * per cluster and run. An SVM-scoped account gets 403 (code 6) here.
 *
 * Reference: https://docs.netapp.com/us-en/ontap-restapi/ontap/cluster_endpoint_overview.html
 */
import { type OntapVersion, type ReleaseKnowledge, releaseOf } from "../iscsi/releases";
import type { OntapClient } from "../ontap/client";
import { withGatedFields } from "./gated-fields";

/** The path. */
const CLUSTER_PATH = "/api/cluster";

/** The fields every release has (9.6 on); the gated ones are added where the release has them. */
export const CLUSTER_FIELDS: readonly string[] = ["version"];

/** What `/api/cluster` says of the release and the platform. */
export interface ClusterRecord {
  /** "9.12.1". */
  release?: string;
  /** An All SAN Array (9.7+). */
  sanOptimized?: boolean;
  /** With `sanOptimized`: ASA r2 (the field exists from 9.16.1). */
  disaggregated?: boolean;
}

/**
 * The cluster's release and personality: `GET /cluster?fields=version,san_optimized,
 * disaggregated`, less what the release lacks (learned from 262197; then asked again).
 * Records the release in `known`.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-cluster.html
 */
export async function readCluster(client: OntapClient, known: ReleaseKnowledge): Promise<ClusterRecord> {
  const body = await withGatedFields(known, "cluster", CLUSTER_FIELDS, async (fields) => {
    const response = await client.request<{
      version?: OntapVersion;
      san_optimized?: unknown;
      disaggregated?: unknown;
    }>({ method: "GET", path: CLUSTER_PATH, query: { fields } });
    return response.body;
  });
  const record: ClusterRecord = {};
  const release = releaseOf(body.version);
  if (release !== undefined) {
    record.release = release;
    known.release = release;
  }
  if (typeof body.san_optimized === "boolean") record.sanOptimized = body.san_optimized;
  if (typeof body.disaggregated === "boolean") record.disaggregated = body.disaggregated;
  return record;
}

/**
 * Whether the cluster is an ASA r2 system, where every SVM always has an iSCSI service
 * (5376452). ONTAP says so in `/api/cluster`: `san_optimized` (an All SAN Array) and
 * `disaggregated` both true; an ASA without `disaggregated` is the original ASA, which
 * creates services as usual. A release without `disaggregated` predates ASA r2. This is
 * the check NetApp's own Ansible collection makes (module_utils `is_asa_r2_system`).
 */
export function isAsaR2Record(record: ClusterRecord): boolean {
  return record.sanOptimized === true && record.disaggregated === true;
}
