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
import { OntapApiError, OntapError } from "../ontap/errors";
import type { PooledHandle } from "../pool";
import { findSvm, hasProtocolLicense, isAsaR2, listServices, SERVICES_PATH, type SvmRecord } from "./api";
import type { IscsiServiceInputs } from "./model";
import { type InputFailure, isUnknown } from "./validate";

/** What a preflight learns of the cluster; undefined where the lookup failed (the check is skipped). */
interface ClusterFacts {
  licensed?: boolean;
  asaR2?: boolean;
  /** The first lookup that failed, for the warning. */
  error?: unknown;
  /** Whether the skipped checks were already reported for this cluster. */
  warned: boolean;
}

/** Per cluster handle (one per connection, new with each configure): its facts, and whether it was unreachable. */
const clusterFacts = new WeakMap<PooledHandle, Promise<ClusterFacts>>();
const unreachable = new WeakMap<PooledHandle, unknown>();

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A lookup's outcome as a value: one failed lookup must not hide what the others found. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** Failures that say nothing about the SVM but that the cluster cannot be asked at all. */
function isUnreachable(err: unknown): boolean {
  return err instanceof OntapError && !(err instanceof OntapApiError);
}

async function lookUpCluster(handle: PooledHandle): Promise<ClusterFacts> {
  const [licensed, asaR2] = await Promise.allSettled([
    hasProtocolLicense(handle.client, "iscsi"),
    isAsaR2(handle.client),
  ]);
  const facts: ClusterFacts = { warned: false };
  if (licensed.status === "fulfilled") facts.licensed = licensed.value;
  else facts.error = licensed.reason;
  if (asaR2.status === "fulfilled") facts.asaR2 = asaR2.value;
  else facts.error ??= asaR2.reason;
  return facts;
}

/** The cluster's facts, asked once per handle; a transport failure is not kept, so a later check asks again. */
function factsOf(handle: PooledHandle): Promise<ClusterFacts> {
  let facts = clusterFacts.get(handle);
  if (!facts) {
    facts = lookUpCluster(handle);
    clusterFacts.set(handle, facts);
    void facts.then((f) => {
      if (isUnreachable(f.error)) clusterFacts.delete(handle);
    });
  }
  return facts;
}

/**
 * The create's own diagnostic for an ONTAP code: the error the POST would get, rendered
 * by the one renderer, so the preview says exactly what the apply would have said.
 */
function wouldFail(handle: PooledHandle, code: string, svm: string, property: string): InputFailure {
  const refusal = new OntapApiError(
    // The client's host, as the create's own error would name it.
    { method: "POST", path: SERVICES_PATH, host: handle.client.host },
    { status: 400, code, ontapMessage: "predicted by the preflight lookup" },
  );
  return {
    property,
    reason:
      "Preflight (a read-only lookup; nothing was changed) shows that creating this service would fail:\n" +
      renderError(refusal, { action: "create the iSCSI service", svm }),
  };
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
  handle: PooledHandle,
  inputs: IscsiServiceInputs,
  managed?: ManagedSvm,
): Promise<InputFailure[]> {
  const label = inputs.svmName ?? inputs.svmUuid ?? "";
  const skipped = (why: string) => handle.log.warn(`Preflight for SVM "${label}" skipped: ${why}`);
  if (unreachable.has(handle)) {
    skipped(`cluster ${handle.host} could not be reached moments ago (see the warning before this one).`);
    return [];
  }
  const lookup = inputs.svmUuid ? { uuid: inputs.svmUuid } : { name: inputs.svmName };
  const filter = inputs.svmUuid ? { "svm.uuid": inputs.svmUuid } : { "svm.name": inputs.svmName };
  const [svmResult, serviceResult, facts] = await Promise.all([
    settle(findSvm(handle.client, lookup)),
    settle(listServices(handle.client, filter, { fields: "svm.uuid,svm.name" })),
    factsOf(handle),
  ]);

  if (!svmResult.ok) {
    if (isUnreachable(svmResult.error)) unreachable.set(handle, svmResult.error);
    skipped(renderError(svmResult.error, { action: "run the preflight lookup", svm: label }));
    return [];
  }
  const svm = svmResult.value;
  const svmProperty = inputs.svmName !== undefined ? "svmName" : "svmUuid";
  if (!svm) return [wouldFail(handle, "2621462", label, inputs.svmUuid ? "svmUuid" : "svmName")];
  if (inputs.svmName !== undefined && inputs.svmUuid !== undefined && svm.name !== inputs.svmName)
    return [wouldFail(handle, "2621706", inputs.svmName, "svmUuid")];
  if (sameSvm(svm, managed)) return [];

  if (facts.error !== undefined && !facts.warned) {
    facts.warned = true;
    const unchecked = [
      facts.licensed === undefined && "the iSCSI license",
      facts.asaR2 === undefined && "ASA r2",
    ];
    handle.log.warn(
      `Preflight on cluster ${handle.host} cannot check ${unchecked.filter(Boolean).join(" or ")}; a create reports them if they apply. ` +
        renderError(facts.error, { action: "look up the cluster's license and platform" }),
    );
  }
  // An unknown `adopt` (preview) may turn out true: it never counts against an existing service.
  const adopt = inputs.adopt === true || isUnknown(inputs.adopt);
  const failures: InputFailure[] = [];
  if (facts.asaR2 === true) {
    // ASA r2 refuses the POST before anything else; with `adopt` the service is taken over.
    if (!adopt) failures.push(wouldFail(handle, "5376452", svm.name, "adopt"));
    return failures;
  }
  if (facts.licensed === false)
    failures.push(wouldFail(handle, "1115127", svm.name, inputs.cluster ? "cluster" : ""));
  // Only "stopped": starting/stopping are passing states that may be over by the time of the apply.
  if (svm.state === "stopped") failures.push(wouldFail(handle, "5374893", svm.name, svmProperty));
  if (svm.nvme?.enabled === true) failures.push(wouldFail(handle, "5373966", svm.name, svmProperty));
  if (svm.iscsi?.allowed === false) failures.push(wouldFail(handle, "2621507", svm.name, svmProperty));

  if (!serviceResult.ok) {
    handle.log.warn(
      `Preflight for SVM "${svm.name}" cannot check for an existing iSCSI service: ${renderError(serviceResult.error, { action: "look up the iSCSI service", svm: svm.name })}`,
    );
    return failures;
  }
  if (serviceResult.value.length === 0) {
    // Evidence for a create whose response is lost: this process saw no service here.
    handle.recordNoService({ name: svm.name, uuid: svm.uuid });
  } else if (!adopt) {
    const failure = wouldFail(handle, "5374077", svm.name, "adopt");
    // Pulumi calls Check without the old state for `pulumi up --replace` (and for the
    // re-check of a replacement), so the resource's own service looks foreign here.
    failures.push({
      ...failure,
      reason:
        `${failure.reason}\nIf this is \`pulumi up --replace\` of the resource that manages this service, ` +
        "run it with ONTAP_PREFLIGHT=false: Pulumi gives the preflight no previous state then.",
    });
  }
  return failures;
}
