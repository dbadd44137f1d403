/**
 * `/api/protocols/san/iscsi/services`: the iSCSI service of each SVM, the resource this
 * provider manages. Every call is one documented ONTAP request (or a collection GET and its
 * pages); the record type is {@link IscsiServiceRecord} of ../iscsi/model.
 *
 * Reference: https://docs.netapp.com/us-en/ontap-restapi/ontap/protocols_san_iscsi_services_endpoint_overview.html
 */
import { UnreadCreateError } from "../errors";
import { type IscsiServiceBody, type IscsiServiceRecord, parseRecord, SERVICE_FIELDS } from "../iscsi/model";
import type { OntapClient } from "../ontap/client";
import { isGone } from "../ontap/failures";
import { type Collection, type ListOptions, listQuery, listRecords } from "./pager";

/** The collection every call below works on. */
export const SERVICES_PATH = "/api/protocols/san/iscsi/services";

/** The path of one SVM's service: `…/services/{svm.uuid}`. */
export function servicePath(svmUuid: string): string {
  return `${SERVICES_PATH}/${encodeURIComponent(svmUuid)}`;
}

/** Filters for the collection GET, in ONTAP query syntax (`a|b` is OR, `*` a wildcard, `!` negation). */
export interface ServiceFilters {
  "svm.uuid"?: string;
  "svm.name"?: string;
  enabled?: string;
  "target.alias"?: string;
  "target.name"?: string;
}

/**
 * `GET /protocols/san/iscsi/services` with filters and only the needed fields, every page
 * followed. `maxRecords` bounds each page (and the time ONTAP spends on it) when a wildcard
 * matches hundreds of SVMs. `fields` default: {@link SERVICE_FIELDS}.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-protocols-san-iscsi-services.html
 */
export async function listServices(
  client: OntapClient,
  filters: ServiceFilters,
  options: ListOptions = {},
): Promise<IscsiServiceRecord[]> {
  return listRecords(client, SERVICES_PATH, listQuery(filters, options, SERVICE_FIELDS), parseRecord);
}

/**
 * `GET /protocols/san/iscsi/services/{svm.uuid}`: the service of one SVM; `undefined` when
 * the service or its SVM is gone. `fields` default: {@link SERVICE_FIELDS}.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-protocols-san-iscsi-services-.html
 */
export async function findServiceByUuid(
  client: OntapClient,
  svmUuid: string,
  fields: string = SERVICE_FIELDS,
): Promise<IscsiServiceRecord | undefined> {
  try {
    const response = await client.request({ method: "GET", path: servicePath(svmUuid), query: { fields } });
    return parseRecord(response.body);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/**
 * The service of an SVM named either way; `undefined` when there is none. By UUID, one
 * {@link findServiceByUuid}; by name, one {@link listServices} filtered on `svm.name`.
 * `fields` default: {@link SERVICE_FIELDS}.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-protocols-san-iscsi-services.html
 */
export async function findService(
  client: OntapClient,
  svm: { name?: string; uuid?: string },
  fields?: string,
): Promise<IscsiServiceRecord | undefined> {
  if (svm.uuid) return findServiceByUuid(client, svm.uuid, fields);
  const records = await listServices(client, { "svm.name": svm.name }, { fields });
  return records.find((record) => record.svm.name === svm.name);
}

/**
 * `POST /protocols/san/iscsi/services?return_records=true`: one request that answers the
 * new record, IQN included. A 202 job carries no record; the service is then read once
 * ({@link findService}), and a read that fails or finds nothing throws
 * {@link UnreadCreateError}.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/post-protocols-san-iscsi-services.html
 */
export async function createService(
  client: OntapClient,
  body: IscsiServiceBody,
): Promise<IscsiServiceRecord> {
  const response = await client.request<Collection>({
    method: "POST",
    path: SERVICES_PATH,
    query: { return_records: true },
    body,
  });
  const record = response.body.records?.[0];
  if (record && response.jobUuid === undefined) return parseRecord(record);
  // The job made it: a read that fails or finds nothing leaves it outside the stack, said so.
  const svm = body.svm?.name ?? body.svm?.uuid ?? "";
  let created: IscsiServiceRecord | undefined;
  try {
    created = await findService(client, body.svm ?? {});
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new UnreadCreateError(svm, client.host, response.jobUuid, why);
  }
  if (!created)
    throw new UnreadCreateError(
      svm,
      client.host,
      response.jobUuid,
      "no service answers to that SVM now (renamed since?).",
    );
  return created;
}

/**
 * `PATCH /protocols/san/iscsi/services/{svm.uuid}`. The body holds either `enabled` or
 * `target`, never both (5374081).
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/patch-protocols-san-iscsi-services-.html
 */
export async function updateService(
  client: OntapClient,
  svmUuid: string,
  body: IscsiServiceBody,
): Promise<void> {
  await client.request({ method: "PATCH", path: servicePath(svmUuid), body });
}

/**
 * `DELETE /protocols/san/iscsi/services/{svm.uuid}` (ONTAP refuses while the service is
 * enabled: 5373960).
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/delete-protocols-san-iscsi-services-.html
 */
export async function deleteService(client: OntapClient, svmUuid: string): Promise<void> {
  await client.request({ method: "DELETE", path: servicePath(svmUuid) });
}
