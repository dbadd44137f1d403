/**
 * The five promises the explorer checks after every run (issue 23), and how each is judged
 * from what the explorer recorded: the requests each step sent, who each service belongs
 * to (./records Owner), the sessions that ended, the provider's warnings, the state the
 * driver keeps and the clusters as they are.
 */
import type { IscsiServiceOutputs } from "../../provider";
import type { Owner, RequestRecord, ServiceView, SessionView, Violation, Warning } from "./records";
import { serviceKey } from "./records";

/** The invariants, worded as the product promises them. */
export const INVARIANTS = {
  1: "A run that reports success leaves state that matches the cluster: every resource in state has its service, with the recorded `enabled` and alias.",
  2: "No service the stack does not own is written; none it owns is disabled or deleted except by that resource's own delete, disable or replacement.",
  3: "No disable or delete ends sessions without the warning naming the hosts, and none at all while the resource's guard is on.",
  4: "No two resources in state own one service; no service created by a run is left outside state unless the run failed and said so (with the way back).",
  5: "A failed run leaves nothing disabled that was enabled before it.",
} as const;

/** What a write to one service does. */
export type WriteKind = "delete" | "disable" | "enable" | "alias" | "other";

/** The kind of a PATCH or DELETE of `/services/{uuid}`. */
export function writeKind(entry: RequestRecord["entry"]): WriteKind {
  if (entry.method === "DELETE") return "delete";
  const body = entry.body as { enabled?: unknown; target?: unknown } | undefined;
  if (body?.enabled === false) return "disable";
  if (body?.enabled === true) return "enable";
  if (body?.target !== undefined) return "alias";
  return "other";
}

function byStep(request: RequestRecord): string {
  const step = request.step;
  return step ? `the ${step.kind} of ${step.name} (run ${step.run + 1})` : "a request of no step";
}

function where(svmName: string, cluster: number): string {
  return `the service on SVM "${svmName}" (cluster ${"ab"[cluster]})`;
}

/** A write judged: the violation, if any, and whether it took the service over (adopt). */
export interface WriteVerdict {
  violation?: Violation;
  adopts: boolean;
}

/**
 * Invariant 2: No service the stack does not own is written; none it owns is disabled or
 * deleted except by that resource's own delete, disable or replacement. A write that
 * reached the cluster (applied, or accepted as a job) is judged against who owned the
 * service just before it; a preview writes nothing at all.
 */
export function judgeWrite(
  request: RequestRecord,
  owner: Owner | undefined,
  svmName: string,
  key: string,
  /** The resources (rids) that leave this service in this run: an adopt of it is a hand-over. */
  leaving: ReadonlySet<number> = new Set(),
): WriteVerdict {
  const kind = writeKind(request.entry);
  const run = request.step?.run ?? -1;
  const what = `${kind === "other" ? "a write" : `the ${kind}`} of ${where(svmName, request.cluster)} by ${byStep(request)}`;
  const broken = (message: string): WriteVerdict => ({
    violation: { invariant: 2, run, message, ...(key ? { key } : {}) },
    adopts: false,
  });
  const step = request.step;
  if (!step) return broken(`${what}: no step sent it`);
  if (step.preview) return broken(`${what}: a preview wrote to the cluster`);
  if (!owner) return { adopts: false };
  if (owner.kind === "stack" && owner.rid === step.rid) return { adopts: false };
  const mayAdopt = step.kind !== "read" && step.adopt;
  if (owner.kind !== "stack") {
    if (mayAdopt) return { adopts: true };
    const whose = owner.kind === "admin" ? "an administrator's" : "left outside the stack by a failed run";
    return broken(
      `${what}: the service is not the stack's (${whose}) and ${step.name} does not set adopt: true`,
    );
  }
  // A hand-over: the resource that leaves the service in this run gives it up to an adopt.
  if (mayAdopt && leaving.has(owner.rid)) return { adopts: true };
  // Its holder leaves it in this run as well (removed, or moving away): whichever of the two
  // deletes comes first removes it, as the holder's own would.
  if (
    (kind === "delete" || kind === "disable") &&
    step.kind === "delete" &&
    leaving.has(owner.rid) &&
    leaving.has(step.rid)
  )
    return { adopts: false };
  // A destroy deletes every resource: which of two holders (a rename with adopt: true that a
  // failed run left half-done) deletes the service is no matter.
  if ((kind === "delete" || kind === "disable") && step.operation !== "destroy")
    return broken(
      `${what}: the service belongs to ${owner.name}; only that resource's own delete, disable or replacement may ${kind} it`,
    );
  if (mayAdopt || step.operation === "destroy") return { adopts: mayAdopt };
  return broken(`${what}: the service belongs to ${owner.name} and ${step.name} does not set adopt: true`);
}

/** What invariant 3 needs to know about the sessions around a write. */
export interface CutOffFacts {
  /** The disable or delete, or the write whose job ended the sessions. */
  request: RequestRecord;
  ended: SessionView[];
  /** The provider's warnings of the write's run. */
  warnings: Warning[];
  /** Where the write's run began (a `seq`). */
  runStart: number;
  /** Whether the write's run had the preflight on (off, Check announces nothing: a known limit). */
  preflight: boolean;
  /** When each ended session was first seen (a `seq`). */
  firstSeen: (session: SessionView) => number;
  /** When the provider read this SVM's sessions (a `seq` each: the SVM's own, or the cluster's). */
  sessionReads: number[];
}

/**
 * Invariant 3: No disable or delete ends sessions without the warning naming the hosts,
 * and none at all while the resource's guard is on. A host that logged in during the run
 * after the provider's last look at the SVM's sessions is one it could not have known of
 * (ONTAP has no conditional disable): it is not counted. With `ontap:preflight false`,
 * Check does not look at sessions (docs/iscsi-service.md: "With `ontap:preflight false` the
 * preview does not look"), so a disable by an update or create needs no warning then.
 */
export function judgeCutOff(facts: CutOffFacts): Violation | undefined {
  const { request, ended } = facts;
  const run = request.step?.run ?? -1;
  const key = serviceKey(request.cluster, ended[0]?.svmUuid ?? "");
  const what = `the ${writeKind(request.entry)} of ${where(ended[0]?.svmName ?? "?", request.cluster)} by ${byStep(request)}`;
  const knowable = ended.filter((session) => {
    const seen = facts.firstSeen(session);
    return seen <= facts.runStart || facts.sessionReads.some((read) => read > seen && read < request.seq);
  });
  if (knowable.length === 0) return undefined;
  const hosts = [...new Set(knowable.map((s) => s.initiator))];
  if (request.step?.guard)
    return {
      invariant: 3,
      run,
      key,
      message: `${what} ended ${knowable.length} session(s) of ${hosts.join(", ")} while protectActiveSessions was on`,
    };
  if (!facts.preflight && request.step?.kind !== "delete") return undefined;
  // A warning names the first few hosts and counts the rest ("… and 2 more"), by design.
  const before = facts.warnings.filter((w) => w.seq < request.seq);
  // docs/iscsi-service.md: "A cluster it cannot ask (unreachable, 403, …) gets one line per
  // run saying it could not check" — a known limit, not a broken promise.
  if (before.some((w) => w.text.startsWith("Could not check the active iSCSI sessions"))) return undefined;
  const names = (w: Warning, session: SessionView) =>
    w.text.includes(session.initiator) ||
    (/ and \d+ more\b/.test(w.text) && ended.some((other) => w.text.includes(other.initiator)));
  const unannounced = knowable.filter((session) => !before.some((w) => names(w, session)));
  if (unannounced.length === 0) return undefined;
  const cut = [...new Set(unannounced.map((s) => s.initiator))];
  return {
    invariant: 3,
    run,
    key,
    message: `${what} ended the sessions of ${cut.join(", ")} with no warning naming them before it`,
  };
}

/** A resource in state, as invariants 1, 4 and 5 read it. */
export interface StateView {
  name: string;
  outputs: IscsiServiceOutputs;
  /** The cluster its outputs' host reaches. */
  cluster: number | undefined;
  rid: number;
  /** The old resource of a create-first replacement, kept in state until its delete succeeds. */
  leaving?: boolean;
  /**
   * The program now names another SVM or cluster for it, and its move has not happened (a
   * failed replacement): the next up finishes it, and that delete leaves the service to a
   * resource that stays on it.
   */
  moving?: boolean;
}

/** What invariants 1, 4 and 5 need at the end of a run. */
export interface RunEndFacts {
  run: number;
  kind: "preview" | "up" | "refresh" | "destroy";
  ok: boolean;
  /** The messages of the run's errors. */
  errors: string[];
  /** The provider's warnings of the run. */
  warnings: string[];
  state: StateView[];
  /** The clusters' services now, and when the run began. */
  services: Map<string, ServiceView>;
  servicesBefore: Map<string, ServiceView>;
  /** Services an administrator changed during the run (by key). */
  touched: Set<string>;
  /** Services an administrator changed since the stack last read them: drift that only a refresh records. */
  drifted: Set<string>;
  /** The names the program registers now (the last program of a preview or up). */
  program: Set<string>;
  /** The SVM names the program writes for each service (key): out of date after a rename outside Pulumi. */
  namedAs?: Map<string, string[]>;
  /** Errors of earlier failed runs: a job that ends after its run is said by that run. */
  earlierErrors?: string[];
  owners: Map<string, Owner>;
  /** Whether a write to this service was accepted as a job that is still running. */
  jobWriteRunning(key: string): boolean;
  /** Services a step of the run disabled last: a delete's disable, or one the program asked for. */
  disables: Map<string, "delete" | "intended">;
}

/**
 * Invariants 1, 4 and 5 at the end of a run. Services a stack resource made that the
 * run leaves outside state, said so by a failed run, are handed to nobody (orphan) in
 * `facts.owners`, so that a later `adopt: true` may take them.
 */
export function judgeRunEnd(facts: RunEndFacts): Violation[] {
  const found: Violation[] = [];
  const broken = (invariant: Violation["invariant"], key: string, message: string) =>
    found.push({ invariant, run: facts.run, message, key });
  const keyOf = (s: StateView) =>
    s.cluster === undefined ? undefined : serviceKey(s.cluster, s.outputs.svmUuid);

  // Invariant 1: A run that reports success leaves state that matches the cluster: every
  // resource in state has its service, with the recorded `enabled` and alias.
  if (facts.ok && facts.kind !== "preview") {
    for (const s of facts.state) {
      const key = keyOf(s);
      // A resource recorded with a pending job records what it asked for: the next run finishes it.
      if (key === undefined || s.cluster === undefined || s.leaving || s.outputs.pendingJob !== undefined)
        continue;
      if (facts.drifted.has(key)) continue;
      const live = facts.services.get(key);
      const svm = where(s.outputs.svmName, s.cluster);
      if (!live) broken(1, key, `${s.name}: state records ${svm}, which the cluster does not have`);
      else if (live.enabled !== s.outputs.enabled || live.alias !== s.outputs.targetAlias)
        broken(
          1,
          key,
          `${s.name}: state records ${svm} as enabled ${s.outputs.enabled}, alias "${s.outputs.targetAlias}"; ` +
            `the cluster has enabled ${live.enabled}, alias "${live.alias}"`,
        );
    }
  }

  // Invariant 4: No two resources in state own one service; no service created by a run is
  // left outside state unless the run failed and said so (with the way back).
  // A resource recorded with a pending job owns the job, not yet a service.
  const holders = new Map<string, string[]>();
  const recorded = new Set<string>();
  for (const s of facts.state) {
    const key = keyOf(s);
    if (key === undefined) continue;
    recorded.add(key);
    if (s.outputs.pendingJob === undefined && !s.leaving && !s.moving)
      holders.set(key, [...(holders.get(key) ?? []), s.name]);
  }
  // A resource no longer in the program is on its way out: a rename with adopt: true whose run
  // failed before the old resource's delete is finished by the next up (which leaves the
  // service to the new one).
  for (const [key, names] of holders)
    if (names.filter((name) => facts.program.has(name)).length > 1)
      broken(4, key, `${names.join(" and ")} both record the service ${key} in state`);
  for (const [key, owner] of facts.owners) {
    const live = facts.services.get(key);
    // An adopt whose resource was not recorded (its run failed) leaves the service to the
    // resource that records it.
    const holder = facts.state.find((s) => !s.leaving && keyOf(s) === key);
    if (
      owner.kind === "stack" &&
      holder &&
      holder.rid !== owner.rid &&
      !facts.state.some((s) => s.rid === owner.rid && keyOf(s) === key)
    )
      facts.owners.set(key, { ...owner, rid: holder.rid, name: holder.name });
    if (owner.kind !== "stack" || !live || recorded.has(key)) continue;
    if (!owner.made) {
      // An administrator's service whose adoption was not recorded is the administrator's again.
      facts.owners.set(key, { kind: "admin" });
      continue;
    }
    const svm = where(live.svmName, Number(key.split(":")[0]));
    const uuid = key.split(":")[1];
    // Said with the way back: an error (or, for a service it cannot prove its own, a warning)
    // naming the SVM and how to take it over (adopt) or remove it (the vserver commands).
    // The SVM as the cluster names it, by UUID, or as the program names it (an error of a
    // create speaks of the SVM its inputs name).
    const names = [live.svmName, ...(facts.namedAs?.get(key) ?? [])];
    const saysWayBack = (e: string) =>
      (names.some((n) => e.includes(`"${n}"`)) || e.toLowerCase().includes(uuid)) &&
      /adopt|vserver iscsi /.test(e);
    // A job of an earlier failed run that said so, ending only now, is that run's leaving.
    const saidBefore = (facts.earlierErrors ?? []).some(saysWayBack);
    const said = saidBefore || [...facts.errors, ...facts.warnings].some(saysWayBack);
    if (facts.ok && !saidBefore)
      broken(
        4,
        key,
        `${svm}, made by the stack (last held by ${owner.name}), is left outside the state by a run that succeeded`,
      );
    else if (!said)
      broken(
        4,
        key,
        `${svm}, made by the stack (last held by ${owner.name}), is left outside the state, and the failed run does not say so`,
      );
    facts.owners.set(key, { kind: "orphan" });
  }

  // Invariant 5: A failed run leaves nothing disabled that was enabled before it.
  if (!facts.ok) {
    for (const [key, before] of facts.servicesBefore) {
      const live = facts.services.get(key);
      if (!before.enabled || !live || live.enabled || facts.touched.has(key)) continue;
      // A disable the program asked for (an update or create to enabled: false) is no accident;
      // a delete's disable (the first of its two phases) is, if the run fails.
      if (facts.disables.get(key) !== "delete") continue;
      // A write whose job is still running when the run ends (its outcome is not known yet).
      if (facts.jobWriteRunning(key)) continue;
      // The last resort the docs promise when the re-enable fails too: the run says, in
      // capitals, that the service is left disabled, and the command that starts it again.
      const startAgain = `vserver iscsi start -vserver ${live.svmName}`;
      if (facts.errors.some((e) => e.includes("LEFT DISABLED") && e.includes(startAgain))) continue;
      broken(
        5,
        key,
        `${where(live.svmName, Number(key.split(":")[0]))} was enabled before the run and is left disabled`,
      );
    }
  }
  return found;
}
