/**
 * `/api/svm/svms`: the SVMs of the cluster, read (never written) by the preflight and by
 * the lookups that resolve an SVM's name to its UUID.
 *
 * Reference: https://docs.netapp.com/us-en/ontap-restapi/ontap/svm_svms_endpoint_overview.html
 */
import type { ReleaseKnowledge } from "../iscsi/releases";
import type { OntapClient } from "../ontap/client";
import { withGatedFields } from "./gated-fields";
import { listRecords } from "./pager";

/** The collection. */
const SVMS_PATH = "/api/svm/svms";

/** An SVM as /api/svm/svms returns it, with the fields a preflight reads. */
export interface SvmRecord {
  uuid: string;
  name: string;
  /** running, stopped, starting, stopping, initializing, deleting. */
  state?: string;
  /** Whether iscsi is among the SVM's allowed protocols. */
  iscsi?: { allowed?: boolean };
  /** `enabled`: the SVM has an NVMe service that runs. */
  nvme?: { enabled?: boolean };
}

/**
 * The SVM fields every release has (9.6 on); `iscsi.allowed` is added where the release
 * has it (../iscsi/releases, `GATED_FIELDS`).
 */
export const SVM_FIELDS: readonly string[] = ["uuid", "name", "state", "nvme.enabled"];

function parseSvm(value: unknown): SvmRecord {
  const record = value as Partial<SvmRecord> | undefined;
  if (typeof record?.uuid !== "string" || typeof record.name !== "string")
    throw new Error("ONTAP returned an SVM record without uuid and name");
  return record as SvmRecord;
}

/**
 * An SVM by UUID (when given) or by name: one `GET /svm/svms` filtered on it (and a second
 * when the release refuses a gated field); `undefined` when none matches.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-svm-svms.html
 */
export async function findSvm(
  client: OntapClient,
  known: ReleaseKnowledge,
  svm: { name?: string; uuid?: string },
): Promise<SvmRecord | undefined> {
  const filter = svm.uuid ? { uuid: svm.uuid } : { name: svm.name };
  const records = await withGatedFields(known, "svm", SVM_FIELDS, (fields) =>
    listRecords(client, SVMS_PATH, { ...filter, fields }, parseSvm),
  );
  return records[0];
}

/**
 * Every SVM the account can see, with the fields a preflight reads: one `GET /svm/svms`,
 * every page followed.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-svm-svms.html
 */
export async function listSvms(client: OntapClient, known: ReleaseKnowledge): Promise<SvmRecord[]> {
  return withGatedFields(known, "svm", SVM_FIELDS, (fields) =>
    listRecords(client, SVMS_PATH, { fields }, parseSvm),
  );
}
