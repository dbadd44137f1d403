/**
 * /api/protocols/san/iscsi/services: the iSCSI service of each SVM.
 *
 * HTTP statuses (ONTAP's tables give codes, not statuses; these follow how ONTAP maps
 * its errors): 404 for an SVM or service addressed by the path (2621462, 5374078);
 * 409 where the request collides with an existing object or its state (5374077 the
 * service exists, 5373960 the service is enabled); 400 for every other refusal of the
 * input (1115127, 2621462 for an SVM named in a POST body, 2621507, 2621706, 2621707,
 * 5373966, 5374893, 5376452, 5374081, and the 262179/262185/262196/262199 field errors).
 *
 * PATCH and DELETE also work on the collection with a query (ONTAP's bulk form, e.g.
 * `PATCH …/services?svm.name=vs*`): every matching service is checked first, and if one
 * would be refused nothing changes; otherwise all change and the answer is
 * `{"num_records": N}` [inferred: the body of a bulk answer is not documented].
 */
import { flattenBody } from "../body";
import { invalidValue, OntapError, withArguments } from "../errors";
import { parseReturnTimeout, project, rejectUnknownParams, selectRecords } from "../query";
import { canSee, EMPTY_OK, type RequestContext, type Route, type WritePlan } from "../router";
import type { Cluster, Service, Svm } from "../state";
import { instanceQuery, listReply, specOf } from "./common";
import { checkAlias, checkEnabled, checkString, resolveSvm } from "./service-input";
import {
  SERVICE_SPEC,
  SERVICES_PATH,
  serviceFromPath,
  serviceHref,
  serviceRecord,
  svmFromPath,
} from "./service-record";

const READ_ONLY = ["target.name", "metric", "statistics"];

/** What a PATCH body may carry. */
const PATCH_RULES = {
  operation: "PATCH" as const,
  writable: ["enabled", "target.alias"],
  readOnly: ["svm.name", "svm.uuid", ...READ_ONLY],
  objects: ["svm", "target"],
};

function visibleServices(ctx: RequestContext): Service[] {
  return [...ctx.cluster.services.values()].filter((s) => canSee(ctx, { uuid: s.svmUuid }));
}

function list(ctx: RequestContext) {
  const records = visibleServices(ctx).map((s) => serviceRecord(ctx.cluster, s));
  return listReply(ctx, SERVICES_PATH, SERVICE_SPEC, records);
}

function getOne(ctx: RequestContext) {
  const answer = instanceQuery(ctx, SERVICE_SPEC);
  const { service } = serviceFromPath(ctx, ctx.args[0]);
  return answer(serviceRecord(ctx.cluster, service));
}

/** `return_records` is accepted on writes (NetApp's Terraform provider sends it on PATCH [tf]). */
function returnRecords(ctx: RequestContext): boolean {
  const rr = ctx.params.get("return_records");
  if (rr !== null && rr !== "true" && rr !== "false")
    throw invalidValue("return_records", rr, "true or false");
  return rr === "true";
}

/** Query parameters every write on one record takes. */
function writeParams(ctx: RequestContext): void {
  rejectUnknownParams(ctx.params, ["return_records", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  returnRecords(ctx);
}

function create(ctx: RequestContext): WritePlan {
  writeParams(ctx);
  const rr = returnRecords(ctx);
  const fields = flattenBody(ctx.body, {
    operation: "POST",
    writable: ["svm.name", "svm.uuid", "enabled", "target.alias"],
    readOnly: READ_ONLY,
    objects: ["svm", "target"],
  });
  const name = fields.has("svm.name") ? checkString("svm.name", fields.get("svm.name")) : undefined;
  const uuid = fields.has("svm.uuid") ? checkString("svm.uuid", fields.get("svm.uuid")) : undefined;
  const enabled = fields.has("enabled") ? checkEnabled(fields.get("enabled")) : true;
  const alias = fields.has("target.alias") ? checkAlias(fields.get("target.alias")) : undefined;
  const { cluster } = ctx;
  if (cluster.settings.asaR2) {
    throw new OntapError(
      400,
      "5376452",
      "Creating an iSCSI service is not supported on ASA r2 systems: every SVM has one; enable or disable it instead.",
    );
  }
  const svm = resolveSvm(ctx, name, uuid);
  if (!cluster.settings.iscsiLicensed) {
    throw new OntapError(400, "1115127", "The cluster does not have a valid license for the iSCSI protocol.");
  }
  if (svm.state !== "running") {
    throw withArguments(
      400,
      "5374893",
      [svm.name, svm.state],
      (n, s) => `SVM "${n}" is ${s}. Start the SVM before creating an iSCSI service.`,
      "svm",
    );
  }
  // An NVMe service blocks iSCSI whether it is enabled or not.
  if (svm.nvmeService) {
    throw withArguments(
      400,
      "5373966",
      [svm.name],
      (n) => `An iSCSI service cannot be added to SVM "${n}": it is configured for NVMe.`,
      "svm",
    );
  }
  if (!svm.iscsiAllowed) {
    throw withArguments(
      400,
      "2621507",
      [svm.name],
      (n) => `The iSCSI protocol is not allowed on SVM "${n}".`,
      "svm",
    );
  }
  if (cluster.services.has(svm.uuid)) {
    throw withArguments(409, "5374077", [svm.name], (n) => `SVM "${n}" already has an iSCSI service.`, "svm");
  }
  return {
    kind: "write",
    description: `POST ${SERVICES_PATH}`,
    location: serviceHref(svm.uuid),
    svm: { name: svm.name, uuid: svm.uuid },
    apply: () => {
      const service = cluster.createService(svm, { enabled, alias }, false);
      const headers = { location: serviceHref(svm.uuid) };
      if (!rr) return { status: 201, body: {}, headers };
      const record = project(
        serviceRecord(cluster, service),
        { kind: "all", expensive: false },
        specOf(ctx, SERVICE_SPEC),
      );
      return { status: 201, headers, body: { num_records: 1, records: [record] } };
    },
  };
}

/** A PATCH body's changes. */
interface Change {
  enabled?: boolean;
  alias?: string;
}

function parseChange(ctx: RequestContext): Change {
  const fields = flattenBody(ctx.body, PATCH_RULES);
  const change: Change = {};
  if (fields.has("enabled")) change.enabled = checkEnabled(fields.get("enabled"));
  if (fields.has("target.alias")) change.alias = checkAlias(fields.get("target.alias"));
  return change;
}

/**
 * Seen in the field (NetApp's Terraform provider): changing the admin state together
 * with another field fails. An unchanged value sent along does not count.
 */
function checkChange(svm: Svm, service: Service, change: Change): void {
  if (
    change.enabled !== undefined &&
    change.enabled !== service.enabled &&
    change.alias !== undefined &&
    change.alias !== service.alias
  ) {
    throw withArguments(
      400,
      "5374081",
      [svm.name],
      () => "Cannot modify ISCSI service status-admin and other parameters simultaneously",
      "enabled",
    );
  }
}

function applyChange(service: Service, change: Change): void {
  if (change.enabled !== undefined) service.enabled = change.enabled;
  if (change.alias !== undefined) service.alias = change.alias;
}

function modify(ctx: RequestContext): WritePlan {
  writeParams(ctx);
  const change = parseChange(ctx);
  const { svm, service } = serviceFromPath(ctx, ctx.args[0]);
  checkChange(svm, service, change);
  return {
    kind: "write",
    description: `PATCH ${serviceHref(service.svmUuid)}`,
    svm: { name: svm.name, uuid: svm.uuid },
    apply: () => {
      applyChange(service, change);
      return EMPTY_OK;
    },
  };
}

/** 5376452: on ASA r2 an SVM's service cannot be deleted. */
function asaR2Delete(): OntapError {
  return new OntapError(
    400,
    "5376452",
    "Deleting an iSCSI service is not supported on ASA r2 systems: every SVM has one; disable it instead.",
  );
}

/** 5376452 on ASA r2, 5373960 while enabled. */
function checkDelete(cluster: Cluster, svm: Svm, service: Service): void {
  if (cluster.settings.asaR2) throw asaR2Delete();
  if (service.enabled) {
    throw withArguments(
      409,
      "5373960",
      [svm.name],
      (n) => `The iSCSI service of SVM "${n}" is enabled. Disable it before deleting it.`,
    );
  }
}

function remove(ctx: RequestContext): WritePlan {
  writeParams(ctx);
  if (ctx.body !== undefined)
    flattenBody(ctx.body, { operation: "PATCH", writable: [], readOnly: [], objects: [] });
  const { cluster } = ctx;
  const svm = svmFromPath(ctx, ctx.args[0]);
  if (cluster.settings.asaR2) throw asaR2Delete();
  const { service } = serviceFromPath(ctx, svm.uuid);
  checkDelete(cluster, svm, service);
  return {
    kind: "write",
    description: `DELETE ${serviceHref(svm.uuid)}`,
    svm: { name: svm.name, uuid: svm.uuid },
    apply: () => {
      cluster.services.delete(svm.uuid);
      return EMPTY_OK;
    },
  };
}

/** The services a collection PATCH or DELETE query selects, with their SVMs. */
function selected(ctx: RequestContext): Array<{ svm: Svm; service: Service }> {
  const services = visibleServices(ctx);
  const records = services.map((s) => serviceRecord(ctx.cluster, s));
  const chosen = selectRecords(
    ctx.params,
    specOf(ctx, SERVICE_SPEC),
    ["return_records", "return_timeout"],
    records,
  );
  parseReturnTimeout(ctx.params);
  returnRecords(ctx);
  return chosen.map((r) => {
    const uuid = (r.svm as { uuid: string }).uuid;
    return { svm: ctx.cluster.requireSvm(uuid), service: ctx.cluster.services.get(uuid) as Service };
  });
}

/**
 * The `svm` of a bulk write's job: the account's own SVM for an SVM-scoped account (so
 * that it can read the job), else the one SVM all targets share, if they do.
 */
function bulkSvm(ctx: RequestContext, targets: Array<{ svm: Svm }>): WritePlan["svm"] {
  const { principal } = ctx;
  const uuids = new Set(targets.map((t) => t.svm.uuid));
  const uuid = principal.kind === "svm" ? principal.svmUuid : uuids.size === 1 ? [...uuids][0] : undefined;
  const svm = uuid === undefined ? undefined : ctx.cluster.findSvm(uuid);
  return svm && { name: svm.name, uuid: svm.uuid };
}

function modifyMany(ctx: RequestContext): WritePlan {
  const change = parseChange(ctx);
  const targets = selected(ctx);
  for (const { svm, service } of targets) checkChange(svm, service, change);
  return {
    kind: "write",
    description: `PATCH ${SERVICES_PATH}`,
    svm: bulkSvm(ctx, targets),
    apply: () => {
      for (const { service } of targets) applyChange(service, change);
      return { status: 200, body: { num_records: targets.length } };
    },
  };
}

function removeMany(ctx: RequestContext): WritePlan {
  if (ctx.body !== undefined)
    flattenBody(ctx.body, { operation: "PATCH", writable: [], readOnly: [], objects: [] });
  const targets = selected(ctx);
  for (const { svm, service } of targets) checkDelete(ctx.cluster, svm, service);
  return {
    kind: "write",
    description: `DELETE ${SERVICES_PATH}`,
    svm: bulkSvm(ctx, targets),
    apply: () => {
      for (const { svm } of targets) ctx.cluster.services.delete(svm.uuid);
      return { status: 200, body: { num_records: targets.length } };
    },
  };
}

/** Routes of the iSCSI service collection and its records. */
export const serviceRoutes: Route[] = [
  {
    pattern: /^\/api\/protocols\/san\/iscsi\/services$/,
    methods: { GET: list, POST: create, PATCH: modifyMany, DELETE: removeMany },
  },
  {
    pattern: /^\/api\/protocols\/san\/iscsi\/services\/([^/]+)$/,
    methods: { GET: getOne, PATCH: modify, DELETE: remove },
  },
];
