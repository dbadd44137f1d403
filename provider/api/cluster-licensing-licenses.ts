/**
 * `/api/cluster/licensing/licenses`: the license packages of the cluster, read by the
 * preflight for the iSCSI license. An SVM-scoped account gets 403 here.
 *
 * Reference: https://docs.netapp.com/us-en/ontap-restapi/ontap/cluster_licensing_licenses_endpoint_overview.html
 */
import type { OntapClient } from "../ontap/client";
import { listRecords } from "./pager";

/** The collection. */
const LICENSES_PATH = "/api/cluster/licensing/licenses";

/** A license package as the collection returns it (only the fields asked for). */
export interface LicenseRecord {
  /** The package: "iscsi", "nfs", … */
  name?: string;
  /** compliant, noncompliant, unlicensed, unknown. */
  state?: string;
}

/**
 * `GET /cluster/licensing/licenses?name=<package>&fields=name,state`, every page followed.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-cluster-licensing-licenses.html
 */
async function listLicenses(client: OntapClient, name: string): Promise<LicenseRecord[]> {
  return listRecords(
    client,
    LICENSES_PATH,
    { name, fields: "name,state" },
    (value) => value as LicenseRecord,
  );
}

/**
 * Whether the cluster holds a license for a protocol package ("iscsi"): one
 * {@link listLicenses}. No record, or `state: unlicensed`, means none; any other state
 * (compliant, noncompliant, unknown) counts as licensed, so that a partial license never
 * blocks a preview it may not block on the cluster.
 */
export async function hasProtocolLicense(client: OntapClient, name: string): Promise<boolean> {
  const records = await listLicenses(client, name);
  return records.some((record) => record.name === name && record.state !== "unlicensed");
}
