import type { OntapClient } from "../ontap/client";
import { OntapApiError } from "../ontap/errors";
import { type IscsiServiceBody, type IscsiServiceRecord, parseRecord, SERVICE_FIELDS } from "./model";

/** The collection every call below works on. */
export const SERVICES_PATH = "/api/protocols/san/iscsi/services";

/** ONTAP codes that mean "there is no such service (or SVM)": the service is gone. */
const GONE_CODES = new Set(["5374078", "2621462", "4"]);

/** Whether an error says the service or its SVM does not exist. */
export function isGone(err: unknown): boolean {
  return (
    err instanceof OntapApiError && (GONE_CODES.has(err.code ?? "") || (err.status === 404 && !err.code))
  );
}

/** Whether an error carries this ONTAP code. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof OntapApiError && codes.includes(err.code ?? "");
}

interface Collection {
  records?: unknown[];
  num_records?: number;
  _links?: { next?: { href?: string } };
}

/** Filters for the collection GET, in ONTAP query syntax (`a|b` is OR, `*` a wildcard, `!` negation). */
export interface ServiceFilters {
  "svm.uuid"?: string;
  "svm.name"?: string;
  enabled?: string;
  "target.alias"?: string;
  "target.name"?: string;
}

/** Collection GET with filters and only the needed fields, following `_links.next` to the end. */
export async function listServices(
  client: OntapClient,
  filters: ServiceFilters,
  fields = SERVICE_FIELDS,
): Promise<IscsiServiceRecord[]> {
  const records: IscsiServiceRecord[] = [];
  let response = await client.request<Collection>({
    method: "GET",
    path: SERVICES_PATH,
    query: { ...filters, fields },
  });
  for (;;) {
    for (const record of response.body.records ?? []) records.push(parseRecord(record));
    const next = response.body._links?.next?.href;
    // A next link may appear even when nothing is left.
    if (!next || (response.body.records ?? []).length === 0) return records;
    response = await client.request<Collection>({ method: "GET", path: next });
  }
}

/** GET one service by its SVM UUID; undefined when the service or its SVM is gone. */
export async function getService(
  client: OntapClient,
  svmUuid: string,
): Promise<IscsiServiceRecord | undefined> {
  try {
    const response = await client.request({
      method: "GET",
      path: `${SERVICES_PATH}/${encodeURIComponent(svmUuid)}`,
      query: { fields: SERVICE_FIELDS },
    });
    return parseRecord(response.body);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** Finds the service of an SVM named either way; undefined when there is none. */
export async function findService(
  client: OntapClient,
  svm: { name?: string; uuid?: string },
): Promise<IscsiServiceRecord | undefined> {
  if (svm.uuid) return getService(client, svm.uuid);
  const records = await listServices(client, { "svm.name": svm.name });
  return records.find((record) => record.svm.name === svm.name);
}

/**
 * POST with `return_records=true`: one request that answers the new record, IQN included.
 * A 202 job carries no record; the service is then read once.
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
  const created = await findService(client, body.svm ?? {});
  if (!created) throw new Error("ONTAP reported the iSCSI service created, but it cannot be read back");
  return created;
}

/** PATCH one service. The body holds either `enabled` or `target`, never both (5374081). */
export async function patchService(
  client: OntapClient,
  svmUuid: string,
  body: IscsiServiceBody,
): Promise<void> {
  await client.request({ method: "PATCH", path: `${SERVICES_PATH}/${encodeURIComponent(svmUuid)}`, body });
}

/** DELETE one service (ONTAP refuses while it is enabled: 5373960). */
export async function deleteService(client: OntapClient, svmUuid: string): Promise<void> {
  await client.request({ method: "DELETE", path: `${SERVICES_PATH}/${encodeURIComponent(svmUuid)}` });
}
