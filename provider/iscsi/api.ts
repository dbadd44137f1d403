import type { OntapClient } from "../ontap/client";
import { OntapApiError, OntapJobError } from "../ontap/errors";
import { type IscsiServiceBody, type IscsiServiceRecord, parseRecord, SERVICE_FIELDS } from "./model";

/** The collection every call below works on. */
export const SERVICES_PATH = "/api/protocols/san/iscsi/services";

/** ONTAP codes that mean "there is no such service (or SVM)": the service is gone. */
const GONE_CODES = new Set(["5374078", "2621462", "4"]);

/** Whether an error says the service or its SVM does not exist. */
export function isGone(err: unknown): boolean {
  if (err instanceof OntapJobError) return GONE_CODES.has(err.code);
  // ONTAP's own codes only: a bare 404 may come from a proxy, and "gone" drops state or ends a delete.
  return err instanceof OntapApiError && GONE_CODES.has(err.code ?? "");
}

/**
 * Whether an error carries this ONTAP code: ONTAP's answer to the request, or the code of
 * the async job the request started (a job re-validates when it runs, e.g. 5374077).
 */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  return (err instanceof OntapApiError || err instanceof OntapJobError) && codes.includes(err.code ?? "");
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

/**
 * Collection GET with filters and only the needed fields, following `_links.next` to the
 * end. `maxRecords` bounds each page (and the time ONTAP spends on it) when a wildcard
 * matches hundreds of SVMs.
 */
export async function listServices(
  client: OntapClient,
  filters: ServiceFilters,
  options: { fields?: string; maxRecords?: number } = {},
): Promise<IscsiServiceRecord[]> {
  const query = { ...filters, fields: options.fields ?? SERVICE_FIELDS, max_records: options.maxRecords };
  return collectAll(client, SERVICES_PATH, query, parseRecord);
}

/** GET one service by its SVM UUID; undefined when the service or its SVM is gone. */
export async function getService(
  client: OntapClient,
  svmUuid: string,
  fields: string = SERVICE_FIELDS,
): Promise<IscsiServiceRecord | undefined> {
  try {
    const response = await client.request({
      method: "GET",
      path: `${SERVICES_PATH}/${encodeURIComponent(svmUuid)}`,
      query: { fields },
    });
    return parseRecord(response.body);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** Finds the service of an SVM named either way; undefined when there is none. `fields` default: SERVICE_FIELDS. */
export async function findService(
  client: OntapClient,
  svm: { name?: string; uuid?: string },
  fields?: string,
): Promise<IscsiServiceRecord | undefined> {
  if (svm.uuid) return getService(client, svm.uuid, fields);
  const records = await listServices(client, { "svm.name": svm.name }, { fields });
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

/** One collection GET and every page after it (`_links.next`), each record through `parse`. */
export async function collectAll<T>(
  client: OntapClient,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  parse: (record: unknown) => T,
): Promise<T[]> {
  const records: T[] = [];
  let response = await client.request<Collection>({ method: "GET", path, query });
  for (;;) {
    const page = response.body.records ?? [];
    for (const record of page) records.push(parse(record));
    const next = response.body._links?.next?.href;
    // A next link may appear even when nothing is left.
    if (!next || page.length === 0) return records;
    response = await client.request<Collection>({ method: "GET", path: next });
  }
}

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

const SVM_FIELDS = "uuid,name,state,iscsi.allowed,nvme.enabled";

/** Looks an SVM up by UUID (when given) or by name: one collection GET; undefined when none matches. */
export async function findSvm(
  client: OntapClient,
  svm: { name?: string; uuid?: string },
): Promise<SvmRecord | undefined> {
  const filter = svm.uuid ? { uuid: svm.uuid } : { name: svm.name };
  const records = await collectAll(client, "/api/svm/svms", { ...filter, fields: SVM_FIELDS }, (value) => {
    const record = value as Partial<SvmRecord> | undefined;
    if (typeof record?.uuid !== "string" || typeof record.name !== "string")
      throw new Error("ONTAP returned an SVM record without uuid and name");
    return record as SvmRecord;
  });
  return records[0];
}

/** Every SVM the account can see, by UUID and name only: one collection GET, every page. */
export async function listSvmIdentities(client: OntapClient): Promise<Array<{ uuid: string; name: string }>> {
  return collectAll(client, "/api/svm/svms", { fields: "uuid,name" }, (value) => {
    const record = value as { uuid?: unknown; name?: unknown } | undefined;
    if (typeof record?.uuid !== "string" || typeof record.name !== "string")
      throw new Error("ONTAP returned an SVM record without uuid and name");
    return { uuid: record.uuid, name: record.name };
  });
}

/**
 * Whether the cluster is an ASA r2 system, where every SVM always has an iSCSI service
 * (5376452). ONTAP says so in `/api/cluster`: `san_optimized` (an All SAN Array) and
 * `disaggregated` both true; an ASA without `disaggregated` is the original ASA, which
 * creates services as usual. A release that rejects the field name (262197) predates
 * `disaggregated`, and with it ASA r2. This is the check NetApp's own Ansible collection
 * makes (module_utils `is_asa_r2_system`).
 */
export async function isAsaR2(client: OntapClient): Promise<boolean> {
  try {
    const response = await client.request<{ san_optimized?: unknown; disaggregated?: unknown }>({
      method: "GET",
      path: "/api/cluster",
      query: { fields: "san_optimized,disaggregated" },
    });
    return response.body.san_optimized === true && response.body.disaggregated === true;
  } catch (err) {
    if (hasCode(err, "262197")) return false;
    throw err;
  }
}

/**
 * Whether the cluster holds a license for a protocol package ("iscsi"):
 * `/api/cluster/licensing/licenses?name=<package>`. No record, or `state: unlicensed`,
 * means none; any other state (compliant, noncompliant, unknown) counts as licensed, so
 * that a partial license never blocks a preview it may not block on the cluster.
 */
export async function hasProtocolLicense(client: OntapClient, name: string): Promise<boolean> {
  const records = await collectAll(
    client,
    "/api/cluster/licensing/licenses",
    { name, fields: "name,state" },
    (value) => value as { name?: string; state?: string },
  );
  return records.some((record) => record.name === name && record.state !== "unlicensed");
}

/** ONTAP's metric intervals, with the spacing of their samples: 15 s, 5 min, 30 min, 2 h, 1 day. */
export type MetricInterval = "1h" | "1d" | "1w" | "1m" | "1y";

/** One performance sample of an iSCSI service as ONTAP returns it (latency in µs, throughput in B/s). */
export interface IscsiMetricRecord {
  timestamp: string;
  status?: string;
  /** ISO 8601 duration each sample covers, e.g. "PT15S". */
  duration?: string;
  iops?: { read?: number; write?: number; other?: number; total?: number };
  latency?: { read?: number; write?: number; other?: number; total?: number };
  throughput?: { read?: number; write?: number; total?: number };
}

/**
 * The historical samples of one service for an interval (ONTAP 9.7+), newest first as
 * ONTAP returns them, every page followed. Throws 8585947 when ONTAP has none.
 */
export async function listServiceMetrics(
  client: OntapClient,
  svmUuid: string,
  interval: MetricInterval,
): Promise<IscsiMetricRecord[]> {
  return collectAll(
    client,
    `${SERVICES_PATH}/${encodeURIComponent(svmUuid)}/metrics`,
    { interval, fields: "timestamp,status,duration,iops,latency,throughput" },
    (value) => {
      const record = value as Partial<IscsiMetricRecord> | undefined;
      if (typeof record?.timestamp !== "string")
        throw new Error("ONTAP returned an iSCSI metrics sample without a timestamp");
      return record as IscsiMetricRecord;
    },
  );
}
