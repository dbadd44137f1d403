/**
 * The sessions of many SVMs at once, counted per SVM with their distinct hosts: what the
 * active-sessions guard reads (./blast-radius, and the ClusterSession of ../session for a
 * whole cluster at once). The requests are those of
 * {@link listSessions} (../api/protocols-san-iscsi-sessions).
 */
import { type IscsiSessionRecord, listSessions } from "../api/protocols-san-iscsi-sessions";
import type { OntapClient } from "../ontap/client";

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
