/**
 * What the docs say the provider does not cover, so that a story that walks into it is
 * not reported as a new violation (it is counted as a known limit instead).
 *
 * - docs/iscsi-service.md, "One owner per service": "With `ontap:preflight false` the check
 *   sends no request, so a duplicate named once by name and once by UUID, or through two
 *   addresses, is caught only when the names are equal." From a run with the preflight off
 *   whose program names one SVM in two ways, whatever happens to that SVM's service is this
 *   limit's doing.
 * - docs/iscsi-service.md, "Who gets cut off": "With `ontap:preflight false` the preview does
 *   not look." (judged in ./invariants judgeCutOff).
 * - docs/iscsi-service.md, "Who gets cut off": "A cluster it cannot ask (unreachable, 403,
 *   …) gets one line per run saying it could not check." (judged in ./invariants judgeCutOff).
 * - A host that logs in after the provider's last look at the SVM's sessions, and before
 *   the disable: ONTAP has no conditional disable (judged in ./invariants judgeCutOff).
 */
import type { Violation } from "./records";
import { CLUSTERS, clusterOf, type ProgramEntry } from "./story";

/** Services (keys) that a preflight-off run's program names in two different ways. */
export function duplicatesNamedApart(program: ProgramEntry[]): string[] {
  const namings = new Map<string, Set<string>>();
  for (const entry of program) {
    const cluster = clusterOf(entry.spec.profile);
    const key = `${cluster}:${CLUSTERS[cluster].svms[entry.svm].uuid}`;
    const naming = `${entry.spec.profile === "west" ? "west" : "direct"}:${entry.spec.byUuid ? "uuid" : entry.svmName}`;
    namings.set(key, new Set([...(namings.get(key) ?? []), naming]));
  }
  return [...namings].filter(([, set]) => set.size > 1).map(([key]) => key);
}

/** Why a violation is a documented limit, or undefined when it is not one. */
export function knownLimit(violation: Violation, namedApart: ReadonlySet<string>): string | undefined {
  if (violation.key !== undefined && namedApart.has(violation.key))
    return "ontap:preflight false with a duplicate named two ways (docs/iscsi-service.md)";
  return undefined;
}
