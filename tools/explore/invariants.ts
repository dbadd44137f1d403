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
export function judgeWrite(request: RequestRecord, owner: Owner | undefined, svmName: string): WriteVerdict {
  const kind = writeKind(request.entry);
  const run = request.step?.run ?? -1;
  const what = `${kind === "other" ? "a write" : `the ${kind}`} of ${where(svmName, request.cluster)} by ${byStep(request)}`;
  const broken = (message: string): WriteVerdict => ({
    violation: { invariant: 2, run, message },
    adopts: false,
  });
  const step = request.step;
  if (!step) return broken(`${what}: no step sent it`);
  if (step.preview) return broken(`${what}: a preview wrote to the cluster`);
  if (!owner) return { adopts: false };
  if (owner.kind === "stack" && owner.rid === step.rid) return { adopts: false };
  const mayAdopt = (step.kind === "create" || step.kind === "update") && step.adopt;
  if (owner.kind !== "stack") {
    if (mayAdopt) return { adopts: true };
    const whose = owner.kind === "admin" ? "an administrator's" : "left outside the stack by a failed run";
    return broken(
      `${what}: the service is not the stack's (${whose}) and ${step.name} does not set adopt: true`,
    );
  }
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
  /** When each ended session was first seen (a `seq`), by session key. */
  firstSeen: (session: SessionView) => number;
  /** When the provider's reads of the cluster's sessions were let through (`seq`s). */
  sessionReads: number[];
}

/**
 * Invariant 3: No disable or delete ends sessions without the warning naming the hosts,
 * and none at all while the resource's guard is on. A host that logged in during the run
 * after the provider's last look at the sessions is one it could not have named.
 */
export function judgeCutOff(facts: CutOffFacts): Violation | undefined {
  const { request, ended } = facts;
  const run = request.step?.run ?? -1;
  const hosts = [...new Set(ended.map((s) => s.initiator))];
  const what = `the ${writeKind(request.entry)} of ${where(ended[0]?.svmName ?? "?", request.cluster)} by ${byStep(request)}`;
  if (request.step?.guard)
    return {
      invariant: 3,
      run,
      message: `${what} ended ${ended.length} session(s) of ${hosts.join(", ")} while protectActiveSessions was on`,
    };
  const unannounced = ended.filter((session) => {
    const seen = facts.firstSeen(session);
    const lookedSince = facts.sessionReads.some((read) => read > seen && read < request.seq);
    if (seen > facts.runStart && !lookedSince) return false;
    return !facts.warnings.some((w) => w.seq < request.seq && w.text.includes(session.initiator));
  });
  if (unannounced.length === 0) return undefined;
  const names = [...new Set(unannounced.map((s) => s.initiator))];
  return {
    invariant: 3,
    run,
    message: `${what} ended the sessions of ${names.join(", ")} with no warning naming them before it`,
  };
}

/** A resource in state, as invariants 1, 4 and 5 read it. */
export interface StateView {
  name: string;
  outputs: IscsiServiceOutputs;
  /** The cluster its outputs' host reaches. */
  cluster: number | undefined;
}

/** What invariants 1, 4 and 5 need at the end of a run. */
export interface RunEndFacts {
  run: number;
  kind: "preview" | "up" | "refresh" | "destroy";
  ok: boolean;
  /** The messages of the run's errors. */
  errors: string[];
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
  owners: Map<string, Owner>;
  /** Whether a job is still running (a resource recorded with it is still being created). */
  jobRunning(cluster: number, uuid: string): boolean;
}

/**
 * Invariants 1, 4 and 5 at the end of a run. Services a stack resource made that the
 * run leaves outside state, said so by a failed run, are handed to nobody (orphan) in
 * `facts.owners`, so that a later `adopt: true` may take them.
 */
export function judgeRunEnd(facts: RunEndFacts): Violation[] {
  const found: Violation[] = [];
  const broken = (invariant: Violation["invariant"], message: string) =>
    found.push({ invariant, run: facts.run, message });
  const keyOf = (s: StateView) =>
    s.cluster === undefined ? undefined : serviceKey(s.cluster, s.outputs.svmUuid);

  // Invariant 1: A run that reports success leaves state that matches the cluster: every
  // resource in state has its service, with the recorded `enabled` and alias.
  if (facts.ok && facts.kind !== "preview") {
    for (const s of facts.state) {
      const key = keyOf(s);
      if (key === undefined || s.cluster === undefined || facts.drifted.has(key)) continue;
      if (s.outputs.pendingJob !== undefined && facts.jobRunning(s.cluster, s.outputs.pendingJob)) continue;
      const live = facts.services.get(key);
      const svm = where(s.outputs.svmName, s.cluster);
      if (!live) broken(1, `${s.name}: state records ${svm}, which the cluster does not have`);
      else if (live.enabled !== s.outputs.enabled || live.alias !== s.outputs.targetAlias)
        broken(
          1,
          `${s.name}: state records ${svm} as enabled ${s.outputs.enabled}, alias "${s.outputs.targetAlias}"; ` +
            `the cluster has enabled ${live.enabled}, alias "${live.alias}"`,
        );
    }
  }

  // Invariant 4: No two resources in state own one service; no service created by a run is
  // left outside state unless the run failed and said so (with the way back).
  // A resource recorded with a pending job owns the job, not yet a service.
  const holders = new Map<string, string[]>();
  const pending = new Set<string>();
  for (const s of facts.state) {
    const key = keyOf(s);
    if (key === undefined) continue;
    if (s.outputs.pendingJob !== undefined) pending.add(key);
    else holders.set(key, [...(holders.get(key) ?? []), s.name]);
  }
  // A resource no longer in the program is on its way out: a rename with adopt: true whose run
  // failed before the old resource's delete is finished by the next up (which leaves the
  // service to the new one).
  for (const [key, names] of holders)
    if (names.filter((name) => facts.program.has(name)).length > 1)
      broken(4, `${names.join(" and ")} both record the service ${key} in state`);
  for (const [key, owner] of facts.owners) {
    const live = facts.services.get(key);
    if (owner.kind !== "stack" || !live || holders.has(key) || pending.has(key)) continue;
    if (!owner.made) {
      // An administrator's service whose adoption was not recorded is the administrator's again.
      facts.owners.set(key, { kind: "admin" });
      continue;
    }
    const svm = where(live.svmName, Number(key.split(":")[0]));
    const uuid = key.split(":")[1];
    const said = facts.errors.some(
      (e) => (e.includes(`"${live.svmName}"`) || e.toLowerCase().includes(uuid)) && /adopt/.test(e),
    );
    if (facts.ok)
      broken(
        4,
        `${svm}, made by the stack (last held by ${owner.name}), is left outside the state by a run that succeeded`,
      );
    else if (!said)
      broken(
        4,
        `${svm}, made by the stack (last held by ${owner.name}), is left outside the state, and the failed run does not say so`,
      );
    facts.owners.set(key, { kind: "orphan" });
  }

  // Invariant 5: A failed run leaves nothing disabled that was enabled before it.
  if (!facts.ok) {
    for (const [key, before] of facts.servicesBefore) {
      const live = facts.services.get(key);
      if (!before.enabled || !live || live.enabled || facts.touched.has(key)) continue;
      // A disable the stack made and recorded (an update to enabled: false) is no accident.
      if (facts.state.some((s) => keyOf(s) === key && s.outputs.enabled === false)) continue;
      broken(
        5,
        `${where(live.svmName, Number(key.split(":")[0]))} was enabled before the run and is left disabled`,
      );
    }
  }
  return found;
}
