/**
 * /api/protocols/san/iscsi/sessions (since 9.6, on every personality): who is logged in
 * to an SVM's iSCSI target. GET only (the schema has nothing to post or patch [doc]);
 * instance path /{svm.uuid}/{tpgroup}/{tsih}, tpgroup being the target portal group's
 * name. `initiator.comment` exists from 9.9 (./releases). An SVM-scoped account sees its
 * own SVM's sessions only; another SVM's session is an entry that does not exist.
 */
import { entryNotFound } from "../errors";
import type { ResourceSpec } from "../query";
import { canSee, type RequestContext, type Route } from "../router";
import type { Cluster, Session } from "../state";
import { instanceQuery, listReply } from "./common";

/** The sessions collection. */
export const SESSIONS_PATH = "/api/protocols/san/iscsi/sessions";

/** An iSCSI session as the query engine sees it. */
export const SESSION_SPEC: ResourceSpec = {
  resource: "session",
  keys: ["svm.uuid", "svm.name", "target_portal_group", "tsih"],
  // The simulator's tsih is unique cluster-wide, so it alone orders pages.
  sortKey: "tsih",
  expensive: [],
  collectionDefault: "keys",
  paths: [
    "svm.uuid",
    "svm.name",
    "target_portal_group",
    "target_portal_group_tag",
    "tsih",
    "isid",
    "initiator.name",
    "initiator.alias",
    "initiator.comment",
    "igroups.uuid",
    "igroups.name",
    "connections.cid",
    "connections.authentication_type",
    "connections.initiator_address.address",
    "connections.initiator_address.port",
    "connections.interface.name",
    "connections.interface.uuid",
    "connections.interface.ip.address",
    "connections.interface.ip.port",
  ],
};

/** The href of one session. */
export function sessionHref(svmUuid: string, tpgroup: string, tsih: number): string {
  return `${SESSIONS_PATH}/${svmUuid}/${encodeURIComponent(tpgroup)}/${tsih}`;
}

/** A session's full record, HAL links included. */
export function sessionRecord(cluster: Cluster, session: Session): Record<string, unknown> {
  const { login } = session;
  const svm = cluster.requireSvm(login.svmUuid);
  const lif = svm.lifs[login.lif];
  const initiator: Record<string, unknown> = { name: login.initiator.name, alias: login.initiator.alias };
  if (login.initiator.comment !== undefined) initiator.comment = login.initiator.comment;
  return {
    svm: { uuid: svm.uuid, name: svm.name, _links: { self: { href: `/api/svm/svms/${svm.uuid}` } } },
    target_portal_group: lif.name,
    target_portal_group_tag: lif.tag,
    tsih: session.tsih,
    isid: session.isid,
    initiator,
    igroups: login.igroups.map((name) => {
      const uuid = svm.igroups.get(name) ?? "";
      return { uuid, name, _links: { self: { href: `/api/protocols/san/igroups/${uuid}` } } };
    }),
    connections: session.ports.map((port, cid) => ({
      cid,
      authentication_type: login.authentication,
      initiator_address: { address: login.address, port },
      interface: {
        name: lif.name,
        uuid: lif.uuid,
        ip: { address: lif.address, port: 3260 },
        _links: { self: { href: `/api/network/ip/interfaces/${lif.uuid}` } },
      },
    })),
    _links: { self: { href: sessionHref(svm.uuid, lif.name, session.tsih) } },
  };
}

function visible(ctx: RequestContext): Session[] {
  return ctx.cluster.sessions.filter((s) => canSee(ctx, { uuid: s.login.svmUuid }));
}

function list(ctx: RequestContext) {
  const records = visible(ctx).map((s) => sessionRecord(ctx.cluster, s));
  return listReply(ctx, SESSIONS_PATH, SESSION_SPEC, records);
}

function getOne(ctx: RequestContext) {
  const answer = instanceQuery(ctx, SESSION_SPEC);
  const [svmUuid, tpgroup, tsih] = ctx.args;
  const session = visible(ctx).find(
    (s) =>
      s.login.svmUuid === svmUuid &&
      String(s.tsih) === tsih &&
      ctx.cluster.requireSvm(svmUuid).lifs[s.login.lif].name === tpgroup,
  );
  if (!session) throw entryNotFound("tsih");
  return answer(sessionRecord(ctx.cluster, session));
}

/** Routes of the iSCSI sessions collection and its records (read-only). */
export const sessionRoutes: Route[] = [
  { pattern: /^\/api\/protocols\/san\/iscsi\/sessions$/, methods: { GET: list } },
  {
    pattern: /^\/api\/protocols\/san\/iscsi\/sessions\/([^/]+)\/([^/]+)\/([^/]+)$/,
    methods: { GET: getOne },
  },
];
