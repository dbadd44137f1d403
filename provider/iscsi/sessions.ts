/**
 * Typed calls for /api/protocols/san/iscsi/sessions (ONTAP 9.6+, read-only): who is
 * logged in to an SVM's iSCSI target. Paths are built from keys, never from `_links`
 * (a client asking for `application/json` gets none but `next`).
 */
import type { OntapClient } from "../ontap/client";
import { collectAll } from "./api";

/** The sessions collection. */
export const SESSIONS_PATH = "/api/protocols/san/iscsi/sessions";

/** Every field a full listing asks for (not `initiator.comment`: 9.9+ only, so older releases would refuse the request). */
export const SESSION_FIELDS =
  "svm.uuid,svm.name,target_portal_group,target_portal_group_tag,tsih,isid,initiator.name,initiator.alias,igroups.name,igroups.uuid,connections";

/** One TCP connection of a session. */
export interface IscsiConnectionRecord {
  cid?: number;
  authentication_type?: string;
  initiator_address?: { address?: string; port?: number };
  interface?: { name?: string; uuid?: string; ip?: { address?: string; port?: number } };
}

/** A record of /api/protocols/san/iscsi/sessions as ONTAP returns it (only the fields asked for). */
export interface IscsiSessionRecord {
  svm: { uuid: string; name?: string };
  target_portal_group?: string;
  target_portal_group_tag?: number;
  tsih?: number;
  isid?: string;
  initiator?: { name?: string; alias?: string; comment?: string };
  igroups?: Array<{ uuid?: string; name?: string }>;
  connections?: IscsiConnectionRecord[];
}

/** Filters of the collection GET, in ONTAP query syntax (`a|b` OR, `*` wildcard, `!` not). */
export interface SessionFilters {
  "svm.uuid"?: string;
  "svm.name"?: string;
  "initiator.name"?: string;
  target_portal_group?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function bad(field: string, got: unknown, want: string): Error {
  return new Error(
    `ONTAP returned an iSCSI session record whose "${field}" is ${JSON.stringify(got) ?? "missing"} (${typeof got}), not ${want}`,
  );
}

function optional(record: unknown, path: string, type: "string" | "number"): void {
  let cur: unknown = record;
  for (const part of path.split(".")) cur = isObject(cur) ? cur[part] : undefined;
  if (cur !== undefined && typeof cur !== type) throw bad(path, cur, `a ${type}`);
}

/** Guards a session record from the wire, field by field. */
export function parseSessionRecord(value: unknown): IscsiSessionRecord {
  if (!isObject(value)) throw new Error("ONTAP returned an iSCSI session record that is not an object");
  const svm = value.svm;
  if (!isObject(svm) || typeof svm.uuid !== "string")
    throw bad("svm.uuid", isObject(svm) ? svm.uuid : svm, "a string");
  for (const path of ["svm.name", "target_portal_group", "isid", "initiator.name", "initiator.alias"])
    optional(value, path, "string");
  for (const path of ["target_portal_group_tag", "tsih"]) optional(value, path, "number");
  for (const key of ["igroups", "connections"]) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every(isObject)) throw bad(key, list, "an array of objects");
  }
  for (const c of (value.connections as unknown[] | undefined) ?? []) {
    for (const path of [
      "authentication_type",
      "initiator_address.address",
      "interface.name",
      "interface.ip.address",
    ])
      optional(c, path, "string");
    for (const path of ["cid", "initiator_address.port", "interface.ip.port"]) optional(c, path, "number");
  }
  return value as unknown as IscsiSessionRecord;
}

/**
 * The sessions that match, every page followed. `fields` default SESSION_FIELDS;
 * `maxRecords` bounds each page.
 */
export async function listSessions(
  client: OntapClient,
  filters: SessionFilters,
  options: { fields?: string; maxRecords?: number } = {},
): Promise<IscsiSessionRecord[]> {
  const query = { ...filters, fields: options.fields ?? SESSION_FIELDS, max_records: options.maxRecords };
  return collectAll(client, SESSIONS_PATH, query, parseSessionRecord);
}

/** How many sessions match, with one `return_records=false` GET (ONTAP answers only `num_records`). */
export async function countSessions(client: OntapClient, filters: SessionFilters): Promise<number> {
  const response = await client.request<{ num_records?: unknown }>({
    method: "GET",
    path: SESSIONS_PATH,
    query: { ...filters, return_records: false },
  });
  const n = response.body.num_records;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0)
    throw new Error(`ONTAP answered a session count without a whole num_records (${JSON.stringify(n)})`);
  return n;
}

/** A host logged in to an SVM: its initiator name and the alias it announced ("" when none). */
export interface SessionHost {
  name: string;
  alias: string;
}

/** Sessions and distinct hosts of one SVM. A multipathed host has several sessions. */
export interface SvmSessions {
  sessions: number;
  /** Sorted by initiator name. */
  hosts: SessionHost[];
}

/** UUIDs per GET: keeps the query string well under common URL limits (37 characters each). */
const UUIDS_PER_REQUEST = 100;

/**
 * Sessions and hosts per SVM, for many SVMs: one collection GET
 * (`svm.uuid=a|b|…&fields=initiator.name,initiator.alias`, every page followed; one more
 * per 100 further SVMs). Every SVM asked for has an entry, zero when nobody is logged in.
 * No SVMs, no request.
 */
export async function sessionsBySvm(
  client: OntapClient,
  svmUuids: readonly string[],
  options: { maxRecords?: number } = {},
): Promise<Map<string, SvmSessions>> {
  const wanted = [...new Set(svmUuids.map((u) => u.toLowerCase()))];
  const out = new Map<string, SvmSessions>(wanted.map((u) => [u, { sessions: 0, hosts: [] }]));
  for (let i = 0; i < wanted.length; i += UUIDS_PER_REQUEST) {
    const records = await listSessions(
      client,
      { "svm.uuid": wanted.slice(i, i + UUIDS_PER_REQUEST).join("|") },
      { fields: "initiator.name,initiator.alias", maxRecords: options.maxRecords },
    );
    tally(out, records, false);
  }
  return sorted(out);
}

/**
 * Every SVM's sessions and hosts on the cluster, in one collection GET (keys and the
 * initiator only, every page): the per-cluster lookup the preview's warning shares.
 */
export async function clusterSessions(client: OntapClient): Promise<Map<string, SvmSessions>> {
  const records = await listSessions(client, {}, { fields: "svm.uuid,initiator.name,initiator.alias" });
  return sorted(tally(new Map(), records, true));
}

/** Counts each record's session and host into its SVM's entry (a new entry only when `add`). */
function tally(
  out: Map<string, SvmSessions>,
  records: IscsiSessionRecord[],
  add: boolean,
): Map<string, SvmSessions> {
  for (const record of records) {
    const uuid = record.svm.uuid.toLowerCase();
    let entry = out.get(uuid);
    if (!entry && add) {
      entry = { sessions: 0, hosts: [] };
      out.set(uuid, entry);
    }
    if (!entry) continue;
    entry.sessions++;
    const name = record.initiator?.name ?? "";
    if (!entry.hosts.some((h) => h.name === name))
      entry.hosts.push({ name, alias: record.initiator?.alias ?? "" });
  }
  return out;
}

function sorted(out: Map<string, SvmSessions>): Map<string, SvmSessions> {
  for (const entry of out.values()) entry.hosts.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}
