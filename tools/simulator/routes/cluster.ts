/**
 * /api/cluster (name, uuid, version, and the personality: `san_optimized` and
 * `disaggregated`), /api/cluster/licensing/licenses (the iSCSI license a preflight check
 * reads) and /api/cluster/jobs (async writes).
 *
 * The cluster and its licenses are cluster-scoped: SVM-scoped accounts get 403 (code 6).
 * Jobs are readable by an SVM-scoped account for its own SVM only; other jobs are absent
 * for it (404 code 4 by UUID) [inferred].
 *
 * Licenses: a default GET lists licensed packages only; `state=unlicensed` (or any
 * `state` filter) reaches the others, e.g. "iscsi" when the cluster has no iSCSI license.
 * `base` is listed up to 9.10.1 (not from 9.11.1) and `entitlement` exists from 9.10.1
 * (./releases). `/licenses/{name}` of an unlicensed package answers 404 (code 4) [inferred].
 */
import { entryNotFound } from "../errors";
import { jobRecord } from "../jobs";
import type { ResourceSpec } from "../query";
import { BUILDS, behaves, versionParts } from "../releases";
import type { RequestContext, Route } from "../router";
import type { Cluster } from "../state";
import { instanceQuery, listReply } from "./common";

const CLUSTER_SPEC: ResourceSpec = {
  resource: "cluster",
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
  resource: "license",
  keys: ["name"],
  sortKey: "name",
  expensive: [],
  collectionDefault: "keys",
  paths: ["name", "scope", "state", "description", "entitlement.action", "entitlement.risk", "licenses"],
};

const JOB_SPEC: ResourceSpec = {
  resource: "job",
  keys: ["uuid"],
  sortKey: "uuid",
  expensive: [],
  collectionDefault: "keys",
  paths: [
    "uuid",
    "description",
    "state",
    "message",
    "code",
    "start_time",
    "end_time",
    "error.code",
    "error.message",
    "node.name",
    "node.uuid",
    "svm.name",
    "svm.uuid",
  ],
};

function clusterRecord(cluster: Cluster): Record<string, unknown> {
  const { release } = cluster.settings;
  const [generation, major, minor] = versionParts(release);
  return {
    name: cluster.name,
    uuid: cluster.uuid,
    version: { full: `NetApp Release ${release}: ${BUILDS[release]}`, generation, major, minor },
    // ASA r2 is an All SAN Array (san_optimized) on disaggregated storage; the original ASA
    // is san_optimized only. The simulator models unified ONTAP and ASA r2.
    san_optimized: cluster.settings.asaR2,
    disaggregated: cluster.settings.asaR2,
    _links: { self: { href: "/api/cluster" } },
  };
}

/** The packages the simulated cluster knows; `licensed` says whether it holds a license. */
const PACKAGES: Array<{ name: string; description: string; licensed: (c: Cluster) => boolean }> = [
  { name: "base", description: "Cluster Base License", licensed: () => true },
  { name: "nfs", description: "NFS License", licensed: () => true },
  { name: "cifs", description: "CIFS License", licensed: () => true },
  { name: "iscsi", description: "iSCSI License", licensed: (c) => c.settings.iscsiLicensed },
  { name: "fcp", description: "FCP License", licensed: () => true },
  { name: "snaplock", description: "SnapLock License", licensed: () => false },
];

function licenseRecords(cluster: Cluster): Array<Record<string, unknown>> {
  const { release } = cluster.settings;
  return PACKAGES.filter((p) => p.name !== "base" || !behaves(release, "license-base-hidden")).map((p) => {
    const licensed = p.licensed(cluster);
    return {
      name: p.name,
      scope: p.name === "base" ? "cluster" : "node",
      state: licensed ? "compliant" : "unlicensed",
      description: p.description,
      entitlement: licensed
        ? { action: "none", risk: "low" }
        : { action: "acquire_license", risk: "unlicensed" },
      licenses: licensed
        ? [
            {
              owner: `${cluster.name}-01`,
              serial_number: "1-80-000011",
              active: true,
              evaluation: false,
              compliance: { state: "compliant" },
            },
          ]
        : [],
      _links: { self: { href: `/api/cluster/licensing/licenses/${p.name}` } },
    };
  });
}

function getCluster(ctx: RequestContext) {
  return instanceQuery(ctx, CLUSTER_SPEC)(clusterRecord(ctx.cluster));
}

function listLicenses(ctx: RequestContext) {
  const all = licenseRecords(ctx.cluster);
  // Without a `state` filter ONTAP lists licensed packages only.
  const records = ctx.params.has("state") ? all : all.filter((r) => r.state !== "unlicensed");
  return listReply(ctx, "/api/cluster/licensing/licenses", LICENSE_SPEC, records);
}

function getLicense(ctx: RequestContext) {
  const answer = instanceQuery(ctx, LICENSE_SPEC);
  const record = licenseRecords(ctx.cluster).find((r) => r.name === ctx.args[0] && r.state !== "unlicensed");
  if (!record) throw entryNotFound("name");
  return answer(record);
}

function visibleJobs(ctx: RequestContext) {
  const { principal } = ctx;
  return ctx.jobs
    .all()
    .filter((j) => principal.kind === "cluster" || j.svm?.uuid === principal.svmUuid)
    .map((j) => jobRecord(j, ctx.cluster.node, (ms) => ctx.cluster.timestamp(ms)));
}

function listJobs(ctx: RequestContext) {
  return listReply(ctx, "/api/cluster/jobs", JOB_SPEC, visibleJobs(ctx));
}

function getJob(ctx: RequestContext) {
  const answer = instanceQuery(ctx, JOB_SPEC);
  const record = visibleJobs(ctx).find((j) => j.uuid === ctx.args[0]);
  if (!record) throw entryNotFound("uuid");
  return answer(record);
}

/** Routes of the cluster, its licenses and its jobs. */
export const clusterRoutes: Route[] = [
  { pattern: /^\/api\/cluster$/, methods: { GET: getCluster }, clusterScoped: true },
  {
    pattern: /^\/api\/cluster\/licensing\/licenses$/,
    methods: { GET: listLicenses },
    clusterScoped: true,
  },
  {
    pattern: /^\/api\/cluster\/licensing\/licenses\/([^/]+)$/,
    methods: { GET: getLicense },
    clusterScoped: true,
  },
  { pattern: /^\/api\/cluster\/jobs$/, methods: { GET: listJobs } },
  { pattern: /^\/api\/cluster\/jobs\/([^/]+)$/, methods: { GET: getJob } },
];
