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
 * - docs/iscsi-service.md, "One owner per service": in an up without its preview
 *   (`--skip-preview`, the Automation API), the steps of a resource registered first run
 *   before a later resource's Check (or Diff) fails the run, or before another failure
 *   stops the run short of that Check: a duplicate's create or adopt may write the service
 *   the other holds, and the first half of a hand-over stands when its second half is
 *   refused ("Both then record the service"). From such a run, what invariants 2 and 4 say
 *   of a service the program names twice, or names with `adopt: true`, is this limit's
 *   doing; and so, in the runs after, is a delete of either holder while both record it
 *   ("deleting either may delete it": a delete-first replacement of one runs before the
 *   other's Check) — judged in ./run-story.
 * - A host that logs in after the provider's last look at the SVM's sessions, and before
 *   the disable: ONTAP has no conditional disable (judged in ./invariants judgeCutOff).
 */
import type { Violation } from "./records";
import { entryKey, type ProgramEntry } from "./story";

/** Services (keys) that a preflight-off run's program names in two different ways. */
export function duplicatesNamedApart(program: ProgramEntry[]): string[] {
  const namings = new Map<string, Set<string>>();
  for (const entry of program) {
    const key = entryKey(entry);
    const naming = `${entry.spec.profile === "west" ? "west" : "direct"}:${entry.spec.byUuid ? "uuid" : entry.svmName}`;
    namings.set(key, new Set([...(namings.get(key) ?? []), naming]));
  }
  return [...namings].filter(([, set]) => set.size > 1).map(([key]) => key);
}

/** Services (keys) the program names twice, or names in a resource with `adopt: true`. */
export function sharedOrAdopted(program: ProgramEntry[]): string[] {
  const seen = new Set<string>();
  const keys = new Set<string>();
  for (const entry of program) {
    const key = entryKey(entry);
    if (seen.has(key) || entry.spec.adopt) keys.add(key);
    seen.add(key);
  }
  return [...keys];
}

/**
 * Why a violation is a documented limit, or undefined when it is not one. `unpreviewed`:
 * for each up without its preview that a Check stopped, the services of {@link sharedOrAdopted}.
 */
export function knownLimit(
  violation: Violation,
  namedApart: ReadonlySet<string>,
  unpreviewed: ReadonlyMap<number, ReadonlySet<string>>,
): string | undefined {
  if (violation.key !== undefined && namedApart.has(violation.key))
    return "ontap:preflight false with a duplicate named two ways (docs/iscsi-service.md)";
  if (
    (violation.invariant === 2 || violation.invariant === 4) &&
    violation.key !== undefined &&
    unpreviewed.get(violation.run)?.has(violation.key)
  )
    return "an up without its preview that failed after the steps of the resources before a duplicate's Check (docs/iscsi-service.md)";
  return undefined;
}
