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
import { collection, parseFields, parseReturnTimeout, project, rejectUnknownParams } from "../query";
import { EMPTY_OK, type RequestContext, type Route, type WritePlan } from "../router";
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
