/**
 * /api/cluster (name, uuid, version, and the ASA r2 personality: `san_optimized` and
 * `disaggregated`), /api/cluster/licensing/licenses (the iSCSI
 * license a preflight check reads) and /api/cluster/jobs (async writes).
 *
 * Licenses follow ONTAP 9.10+ (NetApp License File): the collection lists installed
 * packages with `state` "compliant"; without an iSCSI license the "iscsi" package is
 * absent, so `?name=iscsi` returns no record and `/licenses/iscsi` answers 404 (code 4).
 */
import { entryNotFound } from "../errors";
import { jobRecord } from "../jobs";
import {
  collection,
  parseFields,
  parseReturnTimeout,
  project,
  type ResourceSpec,
  rejectUnknownParams,
} from "../query";
import type { RequestContext, Route } from "../router";
import type { Cluster } from "../state";

const CLUSTER_SPEC: ResourceSpec = {
  keys: [],
  sortKey: "uuid",
  expensive: [],
  collectionDefault: "all",
  paths: [
    "name",
    "uuid",
    "version.full",
    "version.generation",
    "version.major",
    "version.minor",
    "san_optimized",
    "disaggregated",
  ],
};

const LICENSE_SPEC: ResourceSpec = {
  keys: ["name"],
  sortKey: "name",
  expensive: [],
  collectionDefault: "keys",
  paths: ["name", "scope", "state", "description", "licenses"],
};

const JOB_SPEC: ResourceSpec = {
  keys: ["uuid"],
  sortKey: "uuid",
  expensive: [],
  collectionDefault: "keys",
  paths: ["uuid", "description", "state", "message", "code", "start_time", "end_time"],
};

function clusterRecord(cluster: Cluster): Record<string, unknown> {
  const [generation, major, minor] = cluster.settings.version.split(".").map((n) => Number(n) || 0);
  return {
    name: cluster.name,
    uuid: cluster.uuid,
    version: {
      full: `NetApp Release ${cluster.settings.version}: Mon Sep 30 12:00:00 UTC 2024`,
      generation,
      major,
      minor,
    },
    // ASA r2 is an All SAN Array (san_optimized) on disaggregated storage; the original ASA
    // is san_optimized only. The simulator models unified ONTAP and ASA r2.
    san_optimized: cluster.settings.asaR2,
    disaggregated: cluster.settings.asaR2,
    _links: { self: { href: "/api/cluster" } },
  };
}

const PACKAGES: Array<[string, string]> = [
  ["base", "Cluster Base License"],
  ["nfs", "NFS License"],
  ["cifs", "CIFS License"],
  ["iscsi", "iSCSI License"],
  ["fcp", "FCP License"],
];

function licenseRecords(cluster: Cluster): Array<Record<string, unknown>> {
  return PACKAGES.filter(([name]) => name !== "iscsi" || cluster.settings.iscsiLicensed).map(
    ([name, description]) => ({
      name,
      scope: name === "base" ? "cluster" : "node",
      state: "compliant",
      description,
      licenses: [
        {
          owner: `${cluster.name}-01`,
          serial_number: "1-80-000011",
          active: true,
          evaluation: false,
          compliance: { state: "compliant" },
        },
      ],
      _links: { self: { href: `/api/cluster/licensing/licenses/${name}` } },
    }),
  );
}

function getCluster(ctx: RequestContext) {
  rejectUnknownParams(ctx.params, ["fields", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const sel = parseFields(ctx.params, CLUSTER_SPEC, { kind: "all", expensive: false });
  return { status: 200, body: project(clusterRecord(ctx.cluster), sel, CLUSTER_SPEC) };
}

function listLicenses(ctx: RequestContext) {
  const body = collection(
    { path: "/api/cluster/licensing/licenses", params: ctx.params, spec: LICENSE_SPEC },
    licenseRecords(ctx.cluster),
  );
  return { status: 200, body };
}

function getLicense(ctx: RequestContext) {
  rejectUnknownParams(ctx.params, ["fields", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const record = licenseRecords(ctx.cluster).find((r) => r.name === ctx.args[0]);
  if (!record) throw entryNotFound("name");
  const sel = parseFields(ctx.params, LICENSE_SPEC, { kind: "all", expensive: false });
  return { status: 200, body: project(record, sel, LICENSE_SPEC) };
}

function listJobs(ctx: RequestContext) {
  const body = collection(
    { path: "/api/cluster/jobs", params: ctx.params, spec: JOB_SPEC },
    ctx.jobs.all().map(jobRecord),
  );
  return { status: 200, body };
}

function getJob(ctx: RequestContext) {
  rejectUnknownParams(ctx.params, ["fields", "return_timeout"]);
  parseReturnTimeout(ctx.params);
  const job = ctx.jobs.get(ctx.args[0]);
  if (!job) throw entryNotFound("uuid");
  const sel = parseFields(ctx.params, JOB_SPEC, { kind: "all", expensive: false });
  return { status: 200, body: project(jobRecord(job), sel, JOB_SPEC) };
}

/** Routes of the cluster, its licenses and its jobs. */
export const clusterRoutes: Route[] = [
  { pattern: /^\/api\/cluster$/, methods: { GET: getCluster } },
  { pattern: /^\/api\/cluster\/licensing\/licenses$/, methods: { GET: listLicenses } },
  { pattern: /^\/api\/cluster\/licensing\/licenses\/([^/]+)$/, methods: { GET: getLicense } },
  { pattern: /^\/api\/cluster\/jobs$/, methods: { GET: listJobs } },
  { pattern: /^\/api\/cluster\/jobs\/([^/]+)$/, methods: { GET: getJob } },
];
