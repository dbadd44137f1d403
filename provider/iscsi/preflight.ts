/**
 * The read-only lookup `check` runs before a create, so that a preview fails on the pull
 * request rather than after merge. It turns what the POST would hit into Check failures
 * that carry the create's own diagnostic (rendered by ../diagnostics/render), and it
 * never writes.
 *
 * Requests, all GETs. Once per cluster and run: the release and platform (`/api/cluster`)
 * and the iSCSI license. The first new service of a cluster in a run looks its SVM and its
 * service up (two filtered GETs, sent at once). From the second on, the preflight answers
 * from a snapshot of the cluster's SVMs and services (two collection GETs, kept in the
 * ClusterSession and read again when older than SNAPSHOT_MAX_AGE_MS), so a preview of a
 * thousand new services costs a handful of requests, not two thousand. A failure or an SVM
 * the snapshot does not know is looked up again with the targeted GETs before it is
 * reported, so a stale snapshot never fails a preview.
 *
 * Each release is asked only for the fields it has (./releases); what the release or the
 * account cannot show is reported once per cluster and run, and the check is skipped.
 * A cluster that cannot be asked at all (credentials refused, a certificate not trusted, a
 * name that does not resolve, no connection, no answer) fails the check: the create that
 * the preview shows would fail the same way after merge. Only new services are looked up,
 * so a preview of an unrelated change never meets it. After the first such failure, later
 * resources on that cluster fail with the same diagnostic without a request.
 */

import { isAsaR2Record } from "../api/cluster";
import { hasProtocolLicense } from "../api/cluster-licensing-licenses";
import { listServices, SERVICES_PATH } from "../api/protocols-san-iscsi-services";
import { findSvm, type SvmRecord } from "../api/svm-svms";
import type { ClusterRun } from "../cluster-run";
import { OntapCode } from "../diagnostics/ontap-codes";
import { renderError } from "../diagnostics/render";
import { OntapApiError, OntapNetworkError, OntapTimeoutError } from "../errors/transport";
import { classify } from "../ontap/failures";
import { type CheckedInputs, type InputFailure, isUnknown } from "./validate";

/** What a preflight learns of a cluster; undefined where the lookup failed (the check is skipped). */
export interface ClusterFacts {
  licensed?: boolean;
  asaR2?: boolean;
  /** The paths the account may not read (403, code 6): those checks are skipped. */
  refused: string[];
  /** The first lookup that failed otherwise, for the warning. */
  error?: unknown;
}

/** What the preflight keeps of one cluster in one run (beside the run's reads of it). */
interface PreflightMemo {
  /** The cluster's facts, asked once per run (cleared after a transport failure). */
  facts?: Promise<ClusterFacts>;
  /** How many new services of this cluster the preflight has looked up in this run. */
  lookups: number;
}

const memos = new WeakMap<ClusterRun, PreflightMemo>();

function memoOf(run: ClusterRun): PreflightMemo {
  let memo = memos.get(run);
  if (!memo) {
    memo = { lookups: 0 };
    memos.set(run, memo);
  }
  return memo;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A lookup's outcome as a value: one failed lookup must not hide what the others found. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** The cluster-scoped paths the preflight reads, with the check each one serves. */
const CLUSTER_PATHS = {
  cluster: { path: "/api/cluster", check: "ASA r2" },
  license: { path: "/api/cluster/licensing/licenses", check: "the iSCSI license" },
} as const;

async function lookUpCluster(run: ClusterRun): Promise<ClusterFacts> {
  const [cluster, licensed] = await Promise.all([
    run.cache.clusterInfo(),
    settle(hasProtocolLicense(run.client, "iscsi")),
  ]);
  const facts: ClusterFacts = { refused: [] };
  if (cluster.ok) facts.asaR2 = isAsaR2Record(cluster.record);
  else if (cluster.refused) facts.refused.push(CLUSTER_PATHS.cluster.path);
  else facts.error = cluster.error;
  if (licensed.ok) facts.licensed = licensed.value;
  else if (classify(licensed.error).notAuthorized) facts.refused.push(CLUSTER_PATHS.license.path);
  else facts.error ??= licensed.error;
  return facts;
}

/** The cluster's facts, asked once per run; a transport failure is not kept, so a later check asks again. */
function factsOf(run: ClusterRun): Promise<ClusterFacts> {
  const memo = memoOf(run);
  let facts = memo.facts;
  if (!facts) {
    facts = lookUpCluster(run);
    memo.facts = facts;
    void facts.then((f) => {
      if (classify(f.error).unreachable && memo.facts === facts) memo.facts = undefined;
    });
  }
  return facts;
}

/** The one line per cluster and run that says which checks were skipped, and why. */
function reportSkipped(run: ClusterRun, facts: ClusterFacts): void {
  const nothingSkipped = facts.refused.length === 0 && facts.error === undefined;
  if (nothingSkipped || !run.once("preflight-skipped")) return;
  const paths = Object.values(CLUSTER_PATHS);
  if (facts.refused.length > 0) {
    const checks = paths.filter((p) => facts.refused.includes(p.path)).map((p) => p.check);
    run.log.warn(
      `Preflight on cluster ${run.host} skips ${checks.join(" and ")}: the account may not read ${facts.refused.join(" or ")} ` +
        '(ONTAP 403, code 6 "not authorized"; an SVM-scoped account such as vsadmin never may). A create reports those problems if they apply. ' +
        `To have them checked, use a cluster-scoped account whose REST role has readonly access to ${facts.refused.join(" and ")} ` +
        `(security login rest-role create -vserver <cluster> -role <role> -api ${facts.refused[0]} -access readonly).`,
    );
  }
  if (facts.error !== undefined) {
    const unchecked = [
      facts.licensed === undefined &&
        !facts.refused.includes(CLUSTER_PATHS.license.path) &&
        "the iSCSI license",
      facts.asaR2 === undefined && !facts.refused.includes(CLUSTER_PATHS.cluster.path) && "ASA r2",
    ];
    run.log.warn(
      `Preflight on cluster ${run.host} cannot check ${unchecked.filter(Boolean).join(" or ")}; a create reports them if they apply. ` +
        renderError(facts.error, { action: "look up the cluster's license and platform" }),
    );
  }
}

/** The one line per cluster and run that says which SVM checks this release cannot have. */
function reportMissingFields(run: ClusterRun): void {
  const missing = run.releases.missing("svm");
  if (missing.length === 0 || !run.once("missing-fields")) return;
  for (const field of missing)
    run.log.warn(
      `Preflight on cluster ${run.host} (${run.releases.describe(field.since)}) cannot check ${field.loses}: ` +
        `ONTAP shows \`${field.field}\` on /api/svm/svms from ${field.since} on. A create reports it if it applies.`,
    );
}

/**
 * The create's own diagnostic for an ONTAP code: the error the POST would get, rendered
 * by the one renderer, so the preview says exactly what the apply would have said.
 */
function wouldFail(
  run: ClusterRun,
  code: string,
  svm: string,
  property: string,
  svmScopedAccount = false,
): InputFailure {
  const refusal = new OntapApiError(
    // The client's host, as the create's own error would name it.
    { method: "POST", path: SERVICES_PATH, host: run.client.host },
    { status: 400, code, ontapMessage: "predicted by the preflight lookup" },
  );
  return {
    property,
    reason:
      "Preflight (a read-only lookup; nothing was changed) shows that creating this service would fail:\n" +
      renderError(refusal, { action: "create the iSCSI service", svm, svmScopedAccount }),
  };
}

/**
 * The Check failure for a cluster the preflight could not ask (`classify(err).unreachable`).
 * Credentials refused, a certificate not trusted and a name that does not resolve are
 * settings to fix: the diagnostic names them. No connection or no answer may also be a
 * runner that cannot reach the cluster by design: the fix for that is turning the preflight
 * off for it, said with its cost.
 */
function couldNotAsk(run: ClusterRun, inputs: CheckedInputs, err: unknown, again: boolean): InputFailure {
  const label = inputs.svmName ?? inputs.svmUuid ?? "";
  // Only no connection or no answer may be the runner's network; a refusal, an untrusted
  // certificate, a name that does not resolve or a garbled answer is the same from anywhere.
  const noRoute =
    (err instanceof OntapNetworkError && err.code !== "ENOTFOUND") || err instanceof OntapTimeoutError;
  const head = again
    ? `Preflight (a read-only lookup; nothing was changed) could not ask cluster ${run.host} whether this service can be created (it failed moments ago in this run, so no request was sent again), and the create would fail the same way:`
    : `Preflight (a read-only lookup; nothing was changed) could not ask cluster ${run.host} whether this service can be created, and the create would fail the same way:`;
  const offline = noRoute
    ? "\nIf this runner cannot reach the cluster by design, turn the preflight off for it: pulumi config set ontap:preflight false " +
      "(or ONTAP_PREFLIGHT=false). The preview then checks neither the connection nor the SVM, and a problem shows only at the apply (docs/preflight.md)."
    : "";
  return {
    property: inputs.cluster === undefined ? "" : "cluster",
    reason: `${head}\n${renderError(err, { action: "run the preflight lookup", svm: label })}${offline}`,
  };
}

/** What a preflight found: the failures a create would hit, and the SVM it looked up (when found). */
export interface PreflightResult {
  failures: InputFailure[];
  svm?: SvmRecord;
}

/** The SVM names this resource already manages (its old inputs), when the cluster is unchanged. */
export interface ManagedSvm {
  name?: string;
  uuid?: string;
}

function sameSvm(svm: SvmRecord, managed: ManagedSvm | undefined): boolean {
  if (!managed) return false;
  if (managed.uuid !== undefined) return managed.uuid.toLowerCase() === svm.uuid.toLowerCase();
  return managed.name === svm.name;
}

/** What one lookup saw of the SVM and its service, and when it asked. */
interface Sighting {
  svm: SvmRecord | undefined;
  /** Whether the SVM has a service; a failure when that could not be read. */
  service: Settled<boolean>;
  /** When the reads were sent: absence evidence is dated from here. */
  seenAt: number;
}

/** The targeted lookups of one SVM and its service, sent at once. */
async function lookUpSvm(run: ClusterRun, inputs: CheckedInputs): Promise<Sighting> {
  const seenAt = Date.now();
  const lookup = inputs.svmUuid ? { uuid: inputs.svmUuid } : { name: inputs.svmName };
  const filter = inputs.svmUuid ? { "svm.uuid": inputs.svmUuid } : { "svm.name": inputs.svmName };
  const [svm, service] = await Promise.all([
    findSvm(run.client, run.releases, lookup),
    settle(listServices(run.client, filter, { fields: "svm.uuid,svm.name" })),
  ]);
  return {
    svm,
    service: service.ok ? { ok: true, value: service.value.length > 0 } : service,
    seenAt,
  };
}

/** The SVM and its service from the run's snapshot; undefined when the snapshot does not know the SVM. */
async function fromSnapshot(run: ClusterRun, inputs: CheckedInputs): Promise<Sighting | undefined> {
  const inventory = await run.cache.inventory();
  const uuid = inputs.svmUuid?.toLowerCase();
  const svm = inventory.svms.find((s) => (uuid ? s.uuid.toLowerCase() === uuid : s.name === inputs.svmName));
  if (!svm) return undefined;
  return {
    svm,
    service: { ok: true, value: inventory.serviced.has(svm.uuid.toLowerCase()) },
    seenAt: inventory.readAt,
  };
}

/** A sighting judged: the failures a create would hit, and whether it proves the SVM had no service. */
function judge(
  run: ClusterRun,
  inputs: CheckedInputs,
  managed: ManagedSvm | undefined,
  facts: ClusterFacts,
  seen: Sighting,
): PreflightResult & { noService: boolean; serviceError?: unknown } {
  const label = inputs.svmName ?? inputs.svmUuid ?? "";
  const { svm } = seen;
  const svmProperty = inputs.svmName !== undefined ? "svmName" : "svmUuid";
  const none = { noService: false };
  if (!svm)
    return {
      ...none,
      failures: [
        wouldFail(
          run,
          OntapCode.svmNotFound,
          label,
          inputs.svmUuid ? "svmUuid" : "svmName",
          // Refused /api/cluster (403): an SVM-scoped account, which sees no SVM but its own.
          facts.refused.includes(CLUSTER_PATHS.cluster.path),
        ),
      ],
    };
  if (inputs.svmName !== undefined && inputs.svmUuid !== undefined && svm.name !== inputs.svmName)
    return {
      ...none,
      failures: [wouldFail(run, OntapCode.svmNamesDiffer, inputs.svmName, "svmUuid")],
      svm,
    };
  if (sameSvm(svm, managed)) return { ...none, failures: [], svm };

  // An unknown `adopt` (preview) may turn out true: it never counts against an existing service.
  const adopt = inputs.adopt === true || isUnknown(inputs.adopt);
  const failures: InputFailure[] = [];
  if (facts.asaR2 === true) {
    // ASA r2 refuses the POST before anything else; with `adopt` the service is taken over.
    if (!adopt) failures.push(wouldFail(run, OntapCode.asaR2, svm.name, "adopt"));
    return { ...none, failures, svm };
  }
  if (facts.licensed === false)
    failures.push(wouldFail(run, OntapCode.noLicense, svm.name, inputs.cluster ? "cluster" : ""));
  // Only "stopped": starting/stopping are passing states that may be over by the time of the apply.
  // A stopped SVM shows no protocols (ONTAP hides them), so the checks below pass for it.
  if (svm.state === "stopped") failures.push(wouldFail(run, OntapCode.svmStopped, svm.name, svmProperty));
  if (svm.nvme?.enabled === true)
    failures.push(wouldFail(run, OntapCode.nvmeConfigured, svm.name, svmProperty));
  if (svm.iscsi?.allowed === false)
    failures.push(wouldFail(run, OntapCode.protocolNotAllowed, svm.name, svmProperty));

  if (!seen.service.ok) return { ...none, failures, svm, serviceError: seen.service.error };
  if (!seen.service.value) return { noService: true, failures, svm };
  if (!adopt) {
    const failure = wouldFail(run, OntapCode.serviceExists, svm.name, "adopt");
    // Pulumi calls Check without the old state for `pulumi up --replace` (and for the
    // re-check of a replacement), so the resource's own service looks foreign here.
    failures.push({
      ...failure,
      reason:
        `${failure.reason}\nIf this is \`pulumi up --replace\` of the resource that manages this service, ` +
        "run it with ONTAP_PREFLIGHT=false: Pulumi gives the preflight no previous state then.",
    });
  }
  return { ...none, failures, svm };
}

/**
 * Looks the SVM and the cluster up and returns what would make a create fail, each as a
 * Check failure: SVM missing (2621462) or named two ways that disagree (2621706); on ASA r2
 * without `adopt` (5376452); otherwise no iSCSI license (1115127), SVM stopped (5374893),
 * NVMe configured (5373966), iSCSI not allowed (2621507), and a service already there
 * without `adopt` (5374077). `managed` is the SVM the resource already lives on: finding
 * that one is no failure (the diff decides whether anything changes).
 */
export async function preflight(
  run: ClusterRun,
  inputs: CheckedInputs,
  managed?: ManagedSvm,
): Promise<PreflightResult> {
  const label = inputs.svmName ?? inputs.svmUuid ?? "";
  const skipped = (why: string) => run.log.warn(`Preflight for SVM "${label}" skipped: ${why}`);
  if (run.unreachable !== undefined) return { failures: [couldNotAsk(run, inputs, run.unreachable, true)] };
  const memo = memoOf(run);
  memo.lookups++;
  const facts = factsOf(run);
  let verdict: ReturnType<typeof judge> | undefined;
  let seen: Sighting | undefined;
  try {
    // From the second new service of this cluster in the run on, the snapshot answers; an
    // SVM it does not know, or a failure it shows, is looked up again below.
    if (memo.lookups > 1) seen = await fromSnapshot(run, inputs);
  } catch (err) {
    // The snapshot could not be read: the targeted lookups below decide, and report.
    if (classify(err).unreachable) run.unreachable = err;
  }
  if (seen) {
    verdict = judge(run, inputs, managed, await facts, seen);
    if (verdict.failures.length > 0 || verdict.serviceError !== undefined) verdict = undefined;
  }
  if (!verdict) {
    try {
      if (run.unreachable !== undefined) throw run.unreachable;
      seen = await lookUpSvm(run, inputs);
    } catch (err) {
      if (classify(err).unreachable) {
        run.unreachable = err;
        return { failures: [couldNotAsk(run, inputs, err, false)] };
      }
      skipped(renderError(err, { action: "run the preflight lookup", svm: label }));
      return { failures: [] };
    }
    verdict = judge(run, inputs, managed, await facts, seen);
  }
  if (verdict.noService && verdict.svm && seen) {
    // Evidence for a create whose response is lost: this process saw no service here. It is
    // dated when the read was sent; a snapshot's is at most SNAPSHOT_MAX_AGE_MS old (older
    // ones are read again), so the evidence's ten-minute window counts from the moment ONTAP
    // showed no service, never from a later one, whichever lookup saw it.
    run.cache.recordNoService({ name: verdict.svm.name, uuid: verdict.svm.uuid }, seen.seenAt);
  }
  if (verdict.svm && !sameSvm(verdict.svm, managed)) {
    reportSkipped(run, await facts);
    reportMissingFields(run);
  }
  if (verdict.serviceError !== undefined && verdict.svm)
    run.log.warn(
      `Preflight for SVM "${verdict.svm.name}" cannot check for an existing iSCSI service: ${renderError(verdict.serviceError, { action: "look up the iSCSI service", svm: verdict.svm.name })}`,
    );
  return { failures: verdict.failures, svm: verdict.svm };
}
