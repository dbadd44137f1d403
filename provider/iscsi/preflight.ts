/**
 * The read-only lookup `check` runs before a create, so that a preview fails on the pull
 * request rather than after merge. It turns what the POST would hit into Check failures
 * that carry the create's own diagnostic (rendered by ../ontap/diagnostics), and it
 * never writes.
 *
 * Requests, all GETs sent at once: the SVM (`/api/svm/svms`, its state and protocols) and
 * its service (`/api/protocols/san/iscsi/services`) for each resource; the iSCSI license
 * and the ASA r2 personality (`/api/cluster`) once per cluster and run. The first new
 * service on a cluster costs 4 requests, every further one 2.
 *
 * An unreachable cluster only logs a warning, because a preview of an unrelated change
 * must not fail on it; after the first such failure, later resources on that cluster
 * skip the lookup without a request.
 */
import { renderError } from "../diagnostics/render";
import { OntapApiError } from "../ontap/errors";
import { classify } from "../ontap/failures";
import type { ClusterFacts, ClusterSession } from "../session";
import { findSvm, hasProtocolLicense, isAsaR2, listServices, SERVICES_PATH, type SvmRecord } from "./api";
import { type CheckedInputs, type InputFailure, isUnknown } from "./validate";

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A lookup's outcome as a value: one failed lookup must not hide what the others found. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

async function lookUpCluster(session: ClusterSession): Promise<ClusterFacts> {
  const [licensed, asaR2] = await Promise.allSettled([
    hasProtocolLicense(session.client, "iscsi"),
    isAsaR2(session.client),
  ]);
  const facts: ClusterFacts = { warned: false };
  if (licensed.status === "fulfilled") facts.licensed = licensed.value;
  else facts.error = licensed.reason;
  if (asaR2.status === "fulfilled") facts.asaR2 = asaR2.value;
  else facts.error ??= asaR2.reason;
  return facts;
}

/** The cluster's facts, asked once per handle; a transport failure is not kept, so a later check asks again. */
function factsOf(session: ClusterSession): Promise<ClusterFacts> {
  let facts = session.facts;
  if (!facts) {
    facts = lookUpCluster(session);
    session.facts = facts;
    void facts.then((f) => {
      if (classify(f.error).unreachable && session.facts === facts) session.facts = undefined;
    });
  }
  return facts;
}

/**
 * The create's own diagnostic for an ONTAP code: the error the POST would get, rendered
 * by the one renderer, so the preview says exactly what the apply would have said.
 */
function wouldFail(session: ClusterSession, code: string, svm: string, property: string): InputFailure {
  const refusal = new OntapApiError(
    // The client's host, as the create's own error would name it.
    { method: "POST", path: SERVICES_PATH, host: session.client.host },
    { status: 400, code, ontapMessage: "predicted by the preflight lookup" },
  );
  return {
    property,
    reason:
      "Preflight (a read-only lookup; nothing was changed) shows that creating this service would fail:\n" +
      renderError(refusal, { action: "create the iSCSI service", svm }),
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

/**
 * Looks the SVM and the cluster up and returns what would make a create fail, each as a
 * Check failure: SVM missing (2621462) or named two ways that disagree (2621706); on ASA r2
 * without `adopt` (5376452); otherwise no iSCSI license (1115127), SVM stopped (5374893),
 * NVMe configured (5373966), iSCSI not allowed (2621507), and a service already there
 * without `adopt` (5374077). `managed` is the SVM the resource already lives on: finding
 * that one is no failure (the diff decides whether anything changes).
 */
export async function preflight(
  session: ClusterSession,
  inputs: CheckedInputs,
  managed?: ManagedSvm,
): Promise<PreflightResult> {
  const label = inputs.svmName ?? inputs.svmUuid ?? "";
  const skipped = (why: string) => session.log.warn(`Preflight for SVM "${label}" skipped: ${why}`);
  if (session.unreachable !== undefined) {
    skipped(`cluster ${session.host} could not be reached moments ago (see the warning before this one).`);
    return { failures: [] };
  }
  const lookup = inputs.svmUuid ? { uuid: inputs.svmUuid } : { name: inputs.svmName };
  const filter = inputs.svmUuid ? { "svm.uuid": inputs.svmUuid } : { "svm.name": inputs.svmName };
  const [svmResult, serviceResult, facts] = await Promise.all([
    settle(findSvm(session.client, lookup)),
    settle(listServices(session.client, filter, { fields: "svm.uuid,svm.name" })),
    factsOf(session),
  ]);

  if (!svmResult.ok) {
    if (classify(svmResult.error).unreachable) session.unreachable = svmResult.error;
    skipped(renderError(svmResult.error, { action: "run the preflight lookup", svm: label }));
    return { failures: [] };
  }
  const svm = svmResult.value;
  const svmProperty = inputs.svmName !== undefined ? "svmName" : "svmUuid";
  if (!svm)
    return { failures: [wouldFail(session, "2621462", label, inputs.svmUuid ? "svmUuid" : "svmName")] };
  if (inputs.svmName !== undefined && inputs.svmUuid !== undefined && svm.name !== inputs.svmName)
    return { failures: [wouldFail(session, "2621706", inputs.svmName, "svmUuid")], svm };
  if (sameSvm(svm, managed)) return { failures: [], svm };

  if (facts.error !== undefined && !facts.warned) {
    facts.warned = true;
    const unchecked = [
      facts.licensed === undefined && "the iSCSI license",
      facts.asaR2 === undefined && "ASA r2",
    ];
    session.log.warn(
      `Preflight on cluster ${session.host} cannot check ${unchecked.filter(Boolean).join(" or ")}; a create reports them if they apply. ` +
        renderError(facts.error, { action: "look up the cluster's license and platform" }),
    );
  }
  // An unknown `adopt` (preview) may turn out true: it never counts against an existing service.
  const adopt = inputs.adopt === true || isUnknown(inputs.adopt);
  const failures: InputFailure[] = [];
  if (facts.asaR2 === true) {
    // ASA r2 refuses the POST before anything else; with `adopt` the service is taken over.
    if (!adopt) failures.push(wouldFail(session, "5376452", svm.name, "adopt"));
    return { failures, svm };
  }
  if (facts.licensed === false)
    failures.push(wouldFail(session, "1115127", svm.name, inputs.cluster ? "cluster" : ""));
  // Only "stopped": starting/stopping are passing states that may be over by the time of the apply.
  if (svm.state === "stopped") failures.push(wouldFail(session, "5374893", svm.name, svmProperty));
  if (svm.nvme?.enabled === true) failures.push(wouldFail(session, "5373966", svm.name, svmProperty));
  if (svm.iscsi?.allowed === false) failures.push(wouldFail(session, "2621507", svm.name, svmProperty));

  if (!serviceResult.ok) {
    session.log.warn(
      `Preflight for SVM "${svm.name}" cannot check for an existing iSCSI service: ${renderError(serviceResult.error, { action: "look up the iSCSI service", svm: svm.name })}`,
    );
    return { failures, svm };
  }
  if (serviceResult.value.length === 0) {
    // Evidence for a create whose response is lost: this process saw no service here.
    session.recordNoService({ name: svm.name, uuid: svm.uuid });
  } else if (!adopt) {
    const failure = wouldFail(session, "5374077", svm.name, "adopt");
    // Pulumi calls Check without the old state for `pulumi up --replace` (and for the
    // re-check of a replacement), so the resource's own service looks foreign here.
    failures.push({
      ...failure,
      reason:
        `${failure.reason}\nIf this is \`pulumi up --replace\` of the resource that manages this service, ` +
        "run it with ONTAP_PREFLIGHT=false: Pulumi gives the preflight no previous state then.",
    });
  }
  return { failures, svm };
}
