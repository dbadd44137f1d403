/**
 * `listIscsiSessions`: who is logged in to SVMs' iSCSI targets right now (ONTAP 9.6+),
 * read like the other data sources, in the program, with the resource's connection.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  type IscsiSessionRecord,
  listSessions,
  type SessionFilters,
} from "../provider/api/protocols-san-iscsi-sessions";
import type { ClusterRun } from "../provider/cluster-run";
import { toDiagnosticError } from "../provider/diagnostics/render";
import { takes } from "./arguments";
import {
  afterResources,
  type Connect,
  connect,
  type DataSourceOutputOptions,
  withCluster,
} from "./connection";

/** One TCP connection of a session. */
export interface IscsiSessionConnection {
  /** Connection id within the session. */
  cid: number;
  /** How the connection logged in: "chap" or "none". */
  authenticationType: string;
  /** The host's address and port. */
  initiatorAddress: string;
  initiatorPort?: number;
  /** The target LIF the connection reached, and its IP address (port 3260). */
  lifName: string;
  lifAddress: string;
}

/** One iSCSI session: one initiator logged in through one target portal group. */
export interface IscsiSessionInfo {
  svmName: string;
  svmUuid: string;
  /** The initiator's IQN (or EUI). A multipathed host has one session per path, all with this name. */
  initiatorName: string;
  /** The alias the initiator announced at login ("" when none). */
  initiatorAlias: string;
  /** Target portal group (by default named after its LIF). */
  targetPortalGroup: string;
  targetPortalGroupTag?: number;
  /** Target session identifying handle. */
  tsih: number;
  /** Initiator part of the session id, e.g. "40:00:01:37:00:02". */
  isid: string;
  /** Names of the initiator groups the initiator belongs to. */
  igroups: string[];
  connections: IscsiSessionConnection[];
  /** The cluster management host it was read from. */
  host: string;
  /** The connection profile, when one was named. */
  cluster?: string;
}

/** Arguments of `listIscsiSessions`; without an SVM, every session the account can see. */
export interface ListIscsiSessionsArgs {
  /** The SVM's name, or an ONTAP pattern (`svm*`, `a|b`, `!test*`). */
  svmName?: string;
  /** The SVM's UUID (with svmName too, both must hold). */
  svmUuid?: string;
  /** Connection profile in `ontap:clusters`; absent: the default connection. */
  cluster?: string;
  /** Records per request (ONTAP `max_records`). Default 500. */
  pageSize?: number;
}

/** `ListIscsiSessionsArgs` with every member a `pulumi.Input`. */
export type ListIscsiSessionsOutputArgs = {
  [K in keyof ListIscsiSessionsArgs]: pulumi.Input<ListIscsiSessionsArgs[K]>;
};

const FN = "listIscsiSessions";

function toInfo(record: IscsiSessionRecord, run: ClusterRun): IscsiSessionInfo {
  const info: IscsiSessionInfo = {
    svmName: record.svm.name ?? "",
    svmUuid: record.svm.uuid,
    initiatorName: record.initiator?.name ?? "",
    initiatorAlias: record.initiator?.alias ?? "",
    targetPortalGroup: record.target_portal_group ?? "",
    tsih: record.tsih ?? 0,
    isid: record.isid ?? "",
    igroups: (record.igroups ?? []).map((g) => g.name ?? "").filter((name) => name !== ""),
    connections: (record.connections ?? []).map((c) => {
      const connection: IscsiSessionConnection = {
        cid: c.cid ?? 0,
        authenticationType: c.authentication_type ?? "",
        initiatorAddress: c.initiator_address?.address ?? "",
        lifName: c.interface?.name ?? "",
        lifAddress: c.interface?.ip?.address ?? "",
      };
      if (c.initiator_address?.port !== undefined) connection.initiatorPort = c.initiator_address.port;
      return connection;
    }),
    host: run.host,
  };
  if (record.target_portal_group_tag !== undefined)
    info.targetPortalGroupTag = record.target_portal_group_tag;
  return withCluster(info, run);
}

const order = (a: IscsiSessionInfo, b: IscsiSessionInfo) =>
  a.svmName.localeCompare(b.svmName) ||
  a.initiatorName.localeCompare(b.initiatorName) ||
  a.targetPortalGroup.localeCompare(b.targetPortalGroup) ||
  a.tsih - b.tsih;

/**
 * The iSCSI sessions logged in to an SVM (or to the SVMs a pattern matches, or to every SVM
 * the account sees), every page followed, sorted by SVM, initiator, portal group and tsih.
 * An SVM without sessions, or without an enabled service, gives `[]`.
 */
export async function listIscsiSessions(
  args: ListIscsiSessionsArgs = {},
  connectTo: Connect = connect,
): Promise<IscsiSessionInfo[]> {
  const check = takes(FN, args, ["svmName", "svmUuid", "cluster", "pageSize"]);
  check.pattern("svmName", 'an SVM name or a non-empty pattern such as "svm*"');
  const pageSize = check.pageSize();
  check.inputs("svmUuid", "cluster");
  const run = connectTo(args.cluster);
  const filters: SessionFilters = {};
  if (args.svmName !== undefined) filters["svm.name"] = args.svmName;
  if (args.svmUuid !== undefined) filters["svm.uuid"] = args.svmUuid.toLowerCase();
  try {
    const records = await listSessions(run.client, filters, { maxRecords: pageSize });
    return records.map((r) => toInfo(r, run)).sort(order);
  } catch (err) {
    throw toDiagnosticError(err, { action: "list the iSCSI sessions", svm: args.svmName ?? args.svmUuid });
  }
}

/** `listIscsiSessions` for `pulumi.Input` arguments; waits as `getIscsiServiceOutput` does. */
export function listIscsiSessionsOutput(
  args: ListIscsiSessionsOutputArgs = {},
  opts?: DataSourceOutputOptions,
): pulumi.Output<IscsiSessionInfo[]> {
  return afterResources(args, opts, (a) => listIscsiSessions(a as ListIscsiSessionsArgs));
}
