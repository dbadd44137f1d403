/**
 * /api/protocols/san/iscsi/services: the iSCSI service of each SVM.
 *
 * HTTP statuses (ONTAP's tables give codes, not statuses; these follow how ONTAP maps
 * its errors): 404 for an SVM or service addressed by the path (2621462, 5374078);
 * 409 where the request collides with an existing object or its state (5374077 the
 * service exists, 5373960 the service is enabled); 400 for every other refusal of the
 * input (1115127, 2621462 for an SVM named in a POST body, 2621507, 2621706, 2621707,
 * 5373966, 5374893, 5376452, 5374081, and the 262179/262185/262196/262199 field errors).
 */
import { flattenBody } from "../body";
import { OntapError } from "../errors";
import { currentPerformance } from "../metrics";
import {
  collection,
  parseFields,
  parseReturnTimeout,
  project,
  type ResourceSpec,
  rejectUnknownParams,
} from "../query";
import { EMPTY_OK, type RequestContext, type Route, type WritePlan } from "../router";
import type { Cluster, Service, Svm } from "../state";

export const SERVICES_PATH = "/api/protocols/san/iscsi/services";

/** ONTAP's counter sets: throughput has no "other". */
const rw = (prefix: string) =>
  (prefix.includes("throughput") ? ["read", "write", "total"] : ["read", "write", "other", "total"]).map(
    (n) => `${prefix}.${n}`,
  );

/** The iSCSI service as the query engine sees it. */
export const SERVICE_SPEC: ResourceSpec = {
  keys: ["svm.uuid", "svm.name"],
  sortKey: "svm.uuid",
  expensive: ["metric", "statistics"],
  collectionDefault: "keys",
  paths: [
    "svm.uuid",
    "svm.name",
    "enabled",
    "target.name",
    "target.alias",
    "metric.timestamp",
    "metric.status",
    "metric.duration",
    ...rw("metric.iops"),
    ...rw("metric.latency"),
    ...rw("metric.throughput"),
    "statistics.timestamp",
    "statistics.status",
    ...rw("statistics.iops_raw"),
    ...rw("statistics.latency_raw"),
    ...rw("statistics.throughput_raw"),
  ],
};

/** The href of an SVM's iSCSI service. */
export function serviceHref(svmUuid: string): string {
  return `${SERVICES_PATH}/${svmUuid}`;
}

/** The full record (expensive fields included) of a service. */
export function serviceRecord(cluster: Cluster, service: Service): Record<string, unknown> {
  const svm = cluster.requireSvm(service.svmUuid);
  const target: Record<string, unknown> = { name: cluster.iqn(svm) };
  if (service.alias !== "") target.alias = service.alias;
  return {
    svm: { uuid: svm.uuid, name: svm.name, _links: { self: { href: `/api/svm/svms/${svm.uuid}` } } },
    enabled: service.enabled,
    target,
    ...currentPerformance(service),
    _links: { self: { href: serviceHref(svm.uuid) } },
  };
}

/** 404 2621462 for an SVM addressed by the path. */
export function svmFromPath(cluster: Cluster, uuid: string): Svm {
  const svm = cluster.svms.get(uuid);
  if (!svm) throw new OntapError(404, "2621462", `An SVM with UUID "${uuid}" does not exist.`, "svm.uuid");
  return svm;
}

/** 404 5374078 when the SVM addressed by the path has no iSCSI service. */
export function serviceFromPath(cluster: Cluster, uuid: string): { svm: Svm; service: Service } {
  const svm = svmFromPath(cluster, uuid);
  const service = cluster.services.get(svm.uuid);
  if (!service)
    throw new OntapError(404, "5374078", `The SVM "${svm.name}" does not have an iSCSI service.`, "svm.uuid");
  return { svm, service };
}

/** Alias rule: 1..128 printable ASCII characters without space; "" clears it. */
function checkAlias(value: unknown): string {
  if (typeof value !== "string" || (value !== "" && !/^[\x21-\x7e]{1,128}$/.test(value))) {
    const shown = typeof value === "string" ? value : JSON.stringify(value);
    throw new OntapError(
      400,
      "262185",
      `"${shown}" is an invalid value for field "target.alias": it must be 1 to 128 printable characters without spaces.`,
      "target.alias",
    );
  }
  return value;
}

function checkEnabled(value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new OntapError(
      400,
      "262185",
      `"${JSON.stringify(value)}" is an invalid value for field "enabled" (boolean).`,
      "enabled",
    );
  }
  return value;
}

function checkString(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new OntapError(
      400,
      "262185",
      `"${JSON.stringify(value)}" is an invalid value for field "${name}" (string).`,
      name,
    );
  }
  return value;
}

const READ_ONLY = ["target.name", "metric", "statistics"];

function list(ctx: RequestContext) {
  const records = [...ctx.cluster.services.values()].map((s) => serviceRecord(ctx.cluster, s));
  return {
    status: 200,
    body: collection({ path: SERVICES_PATH, params: ctx.params, spec: SERVICE_SPEC }, records),
  };
}

function getOne(ctx: RequestContext) {
  rejectUnknownParams(ctx.params, ["fields", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const { service } = serviceFromPath(ctx.cluster, ctx.args[0]);
  const sel = parseFields(ctx.params, SERVICE_SPEC, { kind: "all", expensive: false });
  return { status: 200, body: project(serviceRecord(ctx.cluster, service), sel, SERVICE_SPEC) };
}

function resolveSvm(cluster: Cluster, name: string | undefined, uuid: string | undefined): Svm {
  if (name === undefined && uuid === undefined) {
    throw new OntapError(
      400,
      "2621707",
      'No SVM was specified. Either "svm.name" or "svm.uuid" must be supplied.',
      "svm",
    );
  }
  const byUuid = uuid === undefined ? undefined : cluster.svms.get(uuid);
  if (uuid !== undefined && !byUuid) {
    throw new OntapError(400, "2621462", `An SVM with UUID "${uuid}" does not exist.`, "svm.uuid");
  }
  let byName: Svm | undefined;
  if (name !== undefined) {
    byName = [...cluster.svms.values()].find((s) => s.name === name);
    if (!byName) throw new OntapError(400, "2621462", `SVM "${name}" does not exist.`, "svm.name");
  }
  if (byUuid && byName && byUuid !== byName) {
    throw new OntapError(
      400,
      "2621706",
      `The specified "svm.uuid" and "svm.name" refer to different SVMs.`,
      "svm.uuid",
    );
  }
  return (byUuid ?? byName) as Svm;
}

function create(ctx: RequestContext): WritePlan {
  rejectUnknownParams(ctx.params, ["return_records", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const rr = ctx.params.get("return_records");
  if (rr !== null && rr !== "true" && rr !== "false") {
    throw new OntapError(
      400,
      "262185",
      `"${rr}" is an invalid value for field "return_records" (true or false).`,
      "return_records",
    );
  }
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
  const svm = resolveSvm(cluster, name, uuid);
  if (!cluster.settings.iscsiLicensed) {
    throw new OntapError(400, "1115127", "The cluster does not have a valid license for the iSCSI protocol.");
  }
  if (svm.state !== "running") {
    throw new OntapError(
      400,
      "5374893",
      `SVM "${svm.name}" is ${svm.state}. Start the SVM before creating an iSCSI service.`,
      "svm",
    );
  }
  if (svm.nvmeConfigured) {
    throw new OntapError(
      400,
      "5373966",
      `An iSCSI service cannot be added to SVM "${svm.name}": it is configured for NVMe.`,
      "svm",
    );
  }
  if (!svm.iscsiAllowed) {
    throw new OntapError(400, "2621507", `The iSCSI protocol is not allowed on SVM "${svm.name}".`, "svm");
  }
  if (cluster.services.has(svm.uuid)) {
    throw new OntapError(409, "5374077", `SVM "${svm.name}" already has an iSCSI service.`, "svm");
  }
  return {
    kind: "write",
    description: `POST ${SERVICES_PATH}`,
    location: serviceHref(svm.uuid),
    apply: () => {
      const service = cluster.createService(svm, { enabled, alias }, false);
      const headers = { location: serviceHref(svm.uuid) };
      if (rr !== "true") return { status: 201, body: {}, headers };
      const record = project(
        serviceRecord(cluster, service),
        { kind: "all", expensive: false },
        SERVICE_SPEC,
      );
      return { status: 201, headers, body: { num_records: 1, records: [record] } };
    },
  };
}

function modify(ctx: RequestContext): WritePlan {
  rejectUnknownParams(ctx.params, ["return_timeout"]);
  parseReturnTimeout(ctx.params);
  const fields = flattenBody(ctx.body, {
    operation: "PATCH",
    writable: ["enabled", "target.alias"],
    readOnly: ["svm.name", "svm.uuid", ...READ_ONLY],
    objects: ["svm", "target"],
  });
  const enabled = fields.has("enabled") ? checkEnabled(fields.get("enabled")) : undefined;
  const alias = fields.has("target.alias") ? checkAlias(fields.get("target.alias")) : undefined;
  const { service } = serviceFromPath(ctx.cluster, ctx.args[0]);
  // Seen in the field (NetApp's Terraform provider): changing the admin state together
  // with another field fails. An unchanged value sent along does not count.
  if (
    enabled !== undefined &&
    enabled !== service.enabled &&
    alias !== undefined &&
    alias !== service.alias
  ) {
    throw new OntapError(
      400,
      "5374081",
      "Cannot modify status-admin and other parameters simultaneously. Send the state change in a separate request.",
      "enabled",
    );
  }
  return {
    kind: "write",
    description: `PATCH ${serviceHref(service.svmUuid)}`,
    apply: () => {
      if (enabled !== undefined) service.enabled = enabled;
      if (alias !== undefined) service.alias = alias;
      return EMPTY_OK;
    },
  };
}

function remove(ctx: RequestContext): WritePlan {
  rejectUnknownParams(ctx.params, ["return_timeout"]);
  parseReturnTimeout(ctx.params);
  if (ctx.body !== undefined)
    flattenBody(ctx.body, { operation: "PATCH", writable: [], readOnly: [], objects: [] });
  const { cluster } = ctx;
  const svm = svmFromPath(cluster, ctx.args[0]);
  if (cluster.settings.asaR2) {
    throw new OntapError(
      400,
      "5376452",
      "Deleting an iSCSI service is not supported on ASA r2 systems: every SVM has one; disable it instead.",
    );
  }
  const { service } = serviceFromPath(cluster, svm.uuid);
  if (service.enabled) {
    throw new OntapError(
      409,
      "5373960",
      `The iSCSI service of SVM "${svm.name}" is enabled. Disable it before deleting it.`,
    );
  }
  return {
    kind: "write",
    description: `DELETE ${serviceHref(svm.uuid)}`,
    apply: () => {
      cluster.services.delete(svm.uuid);
      return EMPTY_OK;
    },
  };
}

/** Routes of the iSCSI service collection and its records. */
export const serviceRoutes: Route[] = [
  { pattern: /^\/api\/protocols\/san\/iscsi\/services$/, methods: { GET: list, POST: create } },
  {
    pattern: /^\/api\/protocols\/san\/iscsi\/services\/([^/]+)$/,
    methods: { GET: getOne, PATCH: modify, DELETE: remove },
  },
];
