import { UnreadCreateError } from "../errors";
import type { OntapClient } from "../ontap/client";
import { OntapApiError } from "../ontap/errors";
import { hasCode, isGone } from "../ontap/failures";
import { type IscsiServiceBody, type IscsiServiceRecord, parseRecord, SERVICE_FIELDS } from "./model";
import {
  atLeast,
  GATED_FIELDS,
  type GatedResource,
  invalidFieldOf,
  type OntapVersion,
  type ReleaseKnowledge,
  releaseOf,
} from "./releases";

/** The collection every call below works on. */
export const SERVICES_PATH = "/api/protocols/san/iscsi/services";

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

/** The SVM fields every release has; `iscsi.allowed` is added where the release has it (./releases). */
const SVM_FIELDS = ["uuid", "name", "state", "nvme.enabled"];

/**
 * One read whose `fields=` holds the base fields plus the gated fields of `resource` the
 * release may have. A 262197 naming one of them records that the release lacks it (and
 * every field introduced later) and asks again without; a 262197 that names none drops
 * them all. At most one retry per gated field.
 */
async function withGatedFields<T>(
  known: ReleaseKnowledge,
  resource: GatedResource,
  base: readonly string[],
  read: (fields: string) => Promise<T>,
): Promise<T> {
  for (;;) {
    const gated = GATED_FIELDS.filter((g) => g.resource === resource && known.mayAsk(resource, g.field));
    try {
      return await read([...base, ...gated.map((g) => g.field)].join(","));
    } catch (err) {
      if (gated.length === 0 || !hasCode(err, "262197")) throw err;
      const named = invalidFieldOf(err instanceof OntapApiError ? err.ontapMessage : undefined);
      const refused = gated.find((g) => g.field === named);
      for (const g of gated) if (!refused || atLeast(g.since, refused.since)) known.lacks(resource, g.field);
    }
  }
}

function parseSvm(value: unknown): SvmRecord {
  const record = value as Partial<SvmRecord> | undefined;
  if (typeof record?.uuid !== "string" || typeof record.name !== "string")
    throw new Error("ONTAP returned an SVM record without uuid and name");
  return record as SvmRecord;
}

/** Looks an SVM up by UUID (when given) or by name: one collection GET; undefined when none matches. */
export async function findSvm(
  client: OntapClient,
  known: ReleaseKnowledge,
  svm: { name?: string; uuid?: string },
): Promise<SvmRecord | undefined> {
  const filter = svm.uuid ? { uuid: svm.uuid } : { name: svm.name };
  const records = await withGatedFields(known, "svm", SVM_FIELDS, (fields) =>
    collectAll(client, "/api/svm/svms", { ...filter, fields }, parseSvm),
  );
  return records[0];
}

/** Every SVM the account can see, with the fields a preflight reads: one collection GET, every page. */
export async function listSvms(client: OntapClient, known: ReleaseKnowledge): Promise<SvmRecord[]> {
  return withGatedFields(known, "svm", SVM_FIELDS, (fields) =>
    collectAll(client, "/api/svm/svms", { fields }, parseSvm),
  );
}

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
 * The cluster's release and personality: `GET /api/cluster?fields=version,san_optimized,
 * disaggregated`, less what the release lacks (learned from 262197; then asked again).
 * Records the release in `known`. An SVM-scoped account gets 403 (code 6) here.
 */
export async function readCluster(client: OntapClient, known: ReleaseKnowledge): Promise<ClusterRecord> {
  const body = await withGatedFields(known, "cluster", ["version"], async (fields) => {
    const response = await client.request<{
      version?: OntapVersion;
      san_optimized?: unknown;
      disaggregated?: unknown;
    }>({ method: "GET", path: "/api/cluster", query: { fields } });
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

/**
 * One performance sample of one service at a timestamp (ONTAP 9.14+). The timestamp goes
 * into the path as ONTAP gave it, encoded: its `+` offset must not read as a space.
 */
export async function getServiceMetricSample(
  client: OntapClient,
  svmUuid: string,
  timestamp: string,
): Promise<IscsiMetricRecord> {
  const response = await client.request<Partial<IscsiMetricRecord>>({
    method: "GET",
    path: `${SERVICES_PATH}/${encodeURIComponent(svmUuid)}/metrics/${encodeURIComponent(timestamp)}`,
    query: { fields: "timestamp,status,duration,iops,latency,throughput" },
  });
  if (typeof response.body.timestamp !== "string")
    throw new Error("ONTAP returned an iSCSI metrics sample without a timestamp");
  return response.body as IscsiMetricRecord;
}

export { isMissingApi } from "../ontap/failures";
