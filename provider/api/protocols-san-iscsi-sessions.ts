/**
 * `/api/protocols/san/iscsi/sessions` (ONTAP 9.6+, read-only): who is logged in to an
 * SVM's iSCSI target. Paths are built from keys, never from `_links` (a client asking for
 * `application/json` gets none but `next`).
 *
 * Reference: https://docs.netapp.com/us-en/ontap-restapi/ontap/protocols_san_iscsi_sessions_endpoint_overview.html
 */

import type { OntapClient } from "../ontap/client";
import { isObject } from "../values";
import { type ListOptions, listQuery, listRecords } from "./pager";

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
 * `GET /protocols/san/iscsi/sessions`: the sessions that match, every page followed.
 * `fields` default {@link SESSION_FIELDS}; `maxRecords` bounds each page.
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-protocols-san-iscsi-sessions.html
 */
export async function listSessions(
  client: OntapClient,
  filters: SessionFilters,
  options: ListOptions = {},
): Promise<IscsiSessionRecord[]> {
  return listRecords(client, SESSIONS_PATH, listQuery(filters, options, SESSION_FIELDS), parseSessionRecord);
}

/**
 * How many sessions match: one `GET /protocols/san/iscsi/sessions?return_records=false`
 * (ONTAP answers only `num_records`).
 *
 * https://docs.netapp.com/us-en/ontap-restapi/ontap/get-protocols-san-iscsi-sessions.html
 */
export async function readSessionCount(client: OntapClient, filters: SessionFilters): Promise<number> {
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
