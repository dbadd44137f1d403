/**
 * Watches a story as it runs. Every request reaches the scheduler through the clusters'
 * gates (one task each); each time a task is let through (a request, an event outside
 * Pulumi, time passing) and everything has settled, the clusters are compared with how
 * they were: services that appeared or went, sessions that ended, writes that landed.
 * Each change is put down to what was let through, the owners of services are kept
 * (./records Owner) and invariants 2 and 3 are judged on the spot (./invariants).
 */

import { SERVICES_PATH } from "../simulator/routes/service-record";
import type { RequestGate } from "../simulator/types";
import type { Clusters } from "./clusters";
import { judgeCutOff, judgeWrite, writeKind } from "./invariants";
import {
  adoptedBy,
  type Owner,
  type RequestRecord,
  type ServiceView,
  type SessionView,
  serviceKey,
  type Violation,
  type Warning,
} from "./records";
import type { TaskScheduler } from "./replay";
import { steps } from "./steps";
import { CLUSTERS } from "./story";

/** What the last task let through was. */
export type Cause =
  | { kind: "request"; request: RequestRecord }
  /** `admin`: an administrator's change; otherwise the cluster's own (held jobs end, jobs are purged). */
  | { kind: "event"; text: string; admin: boolean }
  | { kind: "clock" }
  | { kind: "idle" };

const SERVICE_PATH = /^\/api\/protocols\/san\/iscsi\/services\/([0-9a-f-]{36})$/i;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Seeded UUIDs shown as their SVM's seed name, so that labels read and replay alike. */
function readable(text: string): string {
  return text.replace(UUID, (uuid) => {
    for (const cluster of CLUSTERS)
      for (const svm of cluster.svms) if (svm.uuid === uuid.toLowerCase()) return `{${svm.name}}`;
    return "{job}";
  });
}

/** One run as observed. */
export interface RunLog {
  index: number;
  /** The `seq` the run began at. */
  start: number;
  warnings: Warning[];
  /** What was let through, in order: the schedule as a person reads it. */
  lines: string[];
  /** Services an administrator changed during the run. */
  touched: Set<string>;
  /** The clusters' services when the run began. */
  servicesBefore: Map<string, ServiceView>;
  /** Services a step of this run disabled last: a delete's disable, or one the program asked for. */
  disables: Map<string, "delete" | "intended">;
  /** `ontap:preflight` of the run. */
  preflight: boolean;
  /** Services whose resource leaves them in this run (moves away, or is removed): key → rid. */
  leaving: Map<string, Set<number>>;
  violations: Violation[];
}

export class Observer {
  #seq = 0;
  /** When each service last drifted (the sequence number of the change). */
  readonly #driftedAt = new Map<string, number>();
  /**
   * When each create, adopt or read of this run (by resource id) sent its first request
   * that reached a cluster: what it records was read from then on.
   */
  readonly #firstRequest = new Map<number, number>();
  /** The reads of this run (by resource id) that asked the cluster for their service. */
  readonly #readTheService = new Set<number>();
  #cause: Cause = { kind: "idle" };
  #services: Map<string, ServiceView>;
  #sessions: Map<string, SessionView>;
  readonly #firstSeen = new Map<string, number>();
  /** The provider's reads of sessions: when, on which cluster, of which SVMs (undefined: all). */
  readonly #sessionReads: Array<{ seq: number; cluster: number; svms?: string[] }> = [];
  /** Writes answered 202: their job applies them later. */
  readonly #jobWrites: RequestRecord[] = [];
  /** The service (key) each job of a PATCH or DELETE writes, by job UUID. */
  readonly #jobKeys = new Map<string, string>();
  /** Who each service belongs to, by service key. */
  readonly owners = new Map<string, Owner>();
  /**
   * Services an administrator changed since the stack last read them (a create or a
   * refresh): state may differ from them after a successful run, as Pulumi keeps drift
   * until a refresh.
   */
  readonly drifted = new Set<string>();
  /** The run under way (or the last one; before the first, a log of index -1). */
  run: RunLog;
  /** Every run's log, in order. */
  readonly runs: RunLog[] = [];
  /** The provider's logger: warnings are facts for invariant 3 and the transcript. */
  readonly logger = {
    debug: (_message: string) => {},
    warn: (text: string) => {
      this.run.warnings.push({ seq: ++this.#seq, text });
    },
  };

  /** The resource in state (not waiting for a pending create) that records this service, if any. */
  recordedBy: (key: string) => { rid: number; name: string } | undefined = () => undefined;
  #between = true;

  constructor(
    private readonly clusters: Clusters,
    private readonly scheduler: TaskScheduler,
  ) {
    this.#services = this.#readServices();
    this.#sessions = this.#readSessions();
    for (const key of this.#services.keys()) this.owners.set(key, { kind: "admin" });
    for (const key of this.#sessions.keys()) this.#firstSeen.set(key, 0);
    this.run = this.#newRun(-1);
    this.runs.push(this.run);
  }

  /** The gate of one cluster: each request becomes a task of the scheduler. */
  gate(cluster: number): RequestGate {
    return (entry) => {
      const record: RequestRecord = { seq: ++this.#seq, cluster, entry, step: steps.getStore() };
      const query = Object.entries(entry.query)
        .filter(([k]) => k !== "fields")
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
      const body = entry.body === undefined ? "" : ` ${JSON.stringify(entry.body)}`;
      const step = record.step ? ` · ${record.step.kind} ${record.step.name}` : "";
      const label = readable(
        `${"ab"[cluster]}: ${entry.method} ${entry.path}${query ? `?${query}` : ""}${body}${step}`,
      );
      return this.scheduler.schedule(Promise.resolve(), label).then(() => {
        this.begin({ kind: "request", request: record }, label);
      });
    };
  }

  /** A run begins: its record, and the clusters' services as they are. */
  /** The run is over: what happens next happens between runs. */
  endRun(): void {
    this.#between = true;
  }

  startRun(index: number, preflight: boolean, leaving: Map<string, Set<number>>): void {
    this.#between = false;
    this.#firstRequest.clear();
    this.#readTheService.clear();
    this.run = this.#newRun(index);
    this.run.preflight = preflight;
    this.run.leaving = leaving;
    this.runs.push(this.run);
  }

  /** Every violation found so far. */
  get violations(): Violation[] {
    return this.runs.flatMap((r) => r.violations);
  }

  /** Something is let through: what settles next is put down to it. */
  begin(cause: Cause, line?: string): void {
    this.#cause = cause;
    const seq = ++this.#seq;
    if (cause.kind === "request") {
      cause.request.released = seq;
      const step = cause.request.step;
      if ((step?.kind === "create" || step?.kind === "read") && !this.#firstRequest.has(step.rid))
        this.#firstRequest.set(step.rid, seq);
      if (step?.kind === "read" && cause.request.entry.path.startsWith(SERVICES_PATH))
        this.#readTheService.add(step.rid);
      if (cause.request.entry.method === "GET" && cause.request.entry.path.endsWith("/iscsi/sessions"))
        this.#sessionReads.push({
          seq,
          cluster: cause.request.cluster,
          ...(cause.request.entry.query["svm.uuid"] === undefined
            ? {}
            : { svms: cause.request.entry.query["svm.uuid"].toLowerCase().split("|") }),
        });
    }
    const text =
      line ?? (cause.kind === "event" ? `admin: ${cause.text}` : cause.kind === "clock" ? "time passes" : "");
    if (text) this.run.lines.push(text);
  }

  /** Everything has settled: the changes since the last look, put down to what was let through. */
  settled(): void {
    const services = this.#readServices();
    const sessions = this.#readSessions();
    const cause = this.#cause;
    if (cause.kind === "request") this.#judgeWrite(cause.request);
    if (cause.kind === "event" && cause.admin)
      for (const key of this.#changedServices(services)) {
        this.run.touched.add(key);
        this.drifted.add(key);
        this.#driftedAt.set(key, this.#seq);
      }
    // A job the provider stopped waiting for applies its write later: in another run, or
    // between runs, state does not know of it until a refresh.
    if (cause.kind !== "request" && !(cause.kind === "event" && cause.admin))
      for (const key of this.#changedServices(services)) {
        const write = this.#jobWrites.find((r) => {
          const target = SERVICE_PATH.exec(r.entry.path);
          const svm = (r.entry.body as { svm?: { uuid?: string; name?: string } } | undefined)?.svm;
          const name = (services.get(key) ?? this.#services.get(key))?.svmName;
          const uuid = key.split(":")[1];
          return (
            r.cluster === Number(key.split(":")[0]) &&
            (target?.[1].toLowerCase() === uuid || svm?.uuid?.toLowerCase() === uuid || svm?.name === name)
          );
        });
        if (this.#between || write?.step?.run !== this.run.index) this.drifted.add(key);
      }
    this.#trackOwners(services, cause);
    this.#trackDisables(services, cause);
    this.#trackSessions(sessions, cause);
    this.#services = services;
    this.#sessions = sessions;
    this.#cause = { kind: "idle" };
    // A job that has ended changes nothing more.
    for (let i = this.#jobWrites.length - 1; i >= 0; i--) {
      const r = this.#jobWrites[i];
      const job = r.entry.job === undefined ? undefined : this.clusters.sims[r.cluster].job(r.entry.job);
      if (job?.endTime !== undefined || job === undefined) this.#jobWrites.splice(i, 1);
    }
  }

  /**
   * A step recorded outputs in state. An adoption makes the service its resource's; what a
   * create or a read recorded was read from the cluster, so it is no longer drift.
   */
  recorded(
    cluster: number,
    svmUuid: string,
    holder: { rid: number; name: string },
    how: "create" | "update" | "read",
    adopted: boolean,
  ): void {
    const key = serviceKey(cluster, svmUuid);
    const owner = this.owners.get(key);
    const own = owner?.kind === "stack" && owner.rid === holder.rid;
    if (adopted && how !== "read" && this.#services.has(key) && !own)
      this.owners.set(key, adoptedBy(holder.rid, holder.name, owner));
    // What a create, an adopt or a refresh recorded was read (or written) from its first
    // request on: an administrator's change after that is still drift (a change that lands
    // between a read's answer and the end of its step, too).
    // A read that asked only for a pending create's job (still running) recorded state as
    // it was: it learned nothing of the service.
    const from = this.#firstRequest.get(holder.rid);
    const since = how !== "update" && from !== undefined && (this.#driftedAt.get(key) ?? 0) > from;
    const stale = how === "read" && from !== undefined && !this.#readTheService.has(holder.rid);
    if (how !== "update" && !since && !stale) this.drifted.delete(key);
    if (how !== "update") this.#firstRequest.delete(holder.rid);
  }

  /**
   * The run's steps stopped waiting for these jobs (their errors say so): what the jobs
   * write, whenever they end, is drift that state learns of only by a refresh — also when
   * they end before this run does.
   */
  abandoned(jobUuids: string[]): void {
    for (const uuid of jobUuids) {
      const key = this.#jobKeys.get(uuid);
      if (key !== undefined) this.drifted.add(key);
    }
  }

  /** Whether a write to this service was accepted as a job that has not ended. */
  jobWriteRunning(key: string): boolean {
    return this.#jobWrites.some((r) => {
      const target = SERVICE_PATH.exec(r.entry.path);
      if (!target || serviceKey(r.cluster, target[1]) !== key || r.entry.job === undefined) return false;
      const job = this.clusters.sims[r.cluster].job(r.entry.job);
      return job !== undefined && job.endTime === undefined;
    });
  }

  /** The clusters' services as last seen. */
  get services(): Map<string, ServiceView> {
    return this.#services;
  }

  #newRun(index: number): RunLog {
    return {
      index,
      start: ++this.#seq,
      warnings: [],
      lines: [],
      touched: new Set(),
      servicesBefore: new Map(this.#services),
      disables: new Map(),
      preflight: true,
      leaving: new Map(),
      violations: [],
    };
  }

  #report(violation: Violation | undefined): void {
    if (!violation) return;
    this.run.violations.push(violation);
  }

  #readServices(): Map<string, ServiceView> {
    const map = new Map<string, ServiceView>();
    this.clusters.sims.forEach((sim, c) => {
      for (const s of sim.services())
        map.set(serviceKey(c, s.svmUuid), { svmName: s.svmName, enabled: s.enabled, alias: s.alias });
    });
    return map;
  }

  #readSessions(): Map<string, SessionView> {
    const map = new Map<string, SessionView>();
    this.clusters.sims.forEach((sim, c) => {
      for (const s of sim.sessions()) {
        const key = `${c}:${s.svmUuid.toLowerCase()}:${s.initiatorName}:${s.tsih}`;
        map.set(key, {
          key,
          cluster: c,
          svmUuid: s.svmUuid.toLowerCase(),
          svmName: s.svmName,
          initiator: s.initiatorName,
        });
      }
    });
    return map;
  }

  #changedServices(now: Map<string, ServiceView>): string[] {
    const keys = new Set([...this.#services.keys(), ...now.keys()]);
    return [...keys].filter((k) => JSON.stringify(this.#services.get(k)) !== JSON.stringify(now.get(k)));
  }

  /** Invariant 2 for a write that reached the cluster; a job's write is remembered until it applies. */
  #judgeWrite(request: RequestRecord): void {
    const { entry } = request;
    if (entry.method === "GET") return;
    // A write that started a job (answered 202, or its answer lost) applies when the job ends.
    if (entry.job !== undefined) this.#jobWrites.push(request);
    const target = SERVICE_PATH.exec(entry.path);
    if (entry.job !== undefined && target)
      this.#jobKeys.set(entry.job, serviceKey(request.cluster, target[1]));
    if (request.step?.preview || (target && (entry.applied || entry.status === 202))) {
      const key = target ? serviceKey(request.cluster, target[1]) : "";
      const svm = (entry.body as { svm?: { name?: string } } | undefined)?.svm?.name;
      const svmName = this.#services.get(key)?.svmName ?? svm ?? "?";
      const verdict = judgeWrite(request, this.owners.get(key), svmName, key, this.run.leaving.get(key));
      this.#report(verdict.violation);
      if (verdict.adopts && request.step)
        this.owners.set(key, adoptedBy(request.step.rid, request.step.name, this.owners.get(key)));
    }
  }

  /** A write accepted as a job for this SVM, still waiting to apply: the oldest first. */
  #jobWrite(cluster: number, svmUuid: string, svmName: string, kinds: string[]): RequestRecord | undefined {
    const i = this.#jobWrites.findIndex((r) => {
      // Only a job that has just ended (ended ones are dropped once settled) applied anything.
      const job = r.entry.job === undefined ? undefined : this.clusters.sims[r.cluster].job(r.entry.job);
      // (A job purged as it ended, in one long pause, counts as ended.)
      if (r.cluster !== cluster || (job !== undefined && job.endTime === undefined)) return false;
      const target = SERVICE_PATH.exec(r.entry.path);
      if (r.entry.method === "POST") {
        const svm = (r.entry.body as { svm?: { name?: string; uuid?: string } } | undefined)?.svm;
        return kinds.includes("create") && (svm?.uuid?.toLowerCase() === svmUuid || svm?.name === svmName);
      }
      return target?.[1].toLowerCase() === svmUuid && kinds.includes(writeKind(r.entry));
    });
    return i < 0 ? undefined : this.#jobWrites[i];
  }

  /** The write that changed this SVM's service just now: the request let through, or a job that ended. */
  #writer(
    cause: Cause,
    cluster: number,
    svmUuid: string,
    svmName: string,
    kinds: string[],
  ): RequestRecord | undefined {
    if (cause.kind === "request") {
      const { entry } = cause.request;
      const target = SERVICE_PATH.exec(entry.path);
      const kind = entry.method === "POST" ? "create" : writeKind(entry);
      const mine =
        entry.method === "POST"
          ? true
          : target?.[1].toLowerCase() === svmUuid && cause.request.cluster === cluster;
      if (mine && kinds.includes(kind) && (entry.applied || entry.method === "POST")) return cause.request;
    }
    if (cause.kind === "event" && cause.admin) return undefined;
    return this.#jobWrite(cluster, svmUuid, svmName, kinds);
  }

  /** Disables of this run by a step: a delete's (to be undone if the run fails) or one the program asked for. */
  #trackDisables(now: Map<string, ServiceView>, cause: Cause): void {
    for (const key of this.#services.keys()) if (!now.has(key)) this.run.disables.delete(key);
    for (const [key, service] of now) {
      const before = this.#services.get(key);
      if (!before) continue;
      if (!before.enabled && service.enabled) this.run.disables.delete(key);
      if (!before.enabled || service.enabled) continue;
      const [cluster, uuid] = [Number(key.split(":")[0]), key.split(":")[1]];
      const step = this.#writer(cause, cluster, uuid, service.svmName, ["disable"])?.step;
      if (step) this.run.disables.set(key, step.kind === "delete" ? "delete" : "intended");
    }
  }

  #trackOwners(now: Map<string, ServiceView>, cause: Cause): void {
    for (const [key, service] of now) {
      if (this.#services.has(key)) continue;
      const [cluster, uuid] = [Number(key.split(":")[0]), key.split(":")[1]];
      const maker = this.#writer(cause, cluster, uuid, service.svmName, ["create"]);
      // A service is its SVM's: one an administrator recreates on the SVM of a resource in
      // state is that resource's (drift), unless the resource is still waiting for its create.
      const holder = maker?.step ? undefined : this.recordedBy(key);
      this.owners.set(
        key,
        maker?.step
          ? { kind: "stack", rid: maker.step.rid, name: maker.step.name, made: true }
          : holder
            ? { kind: "stack", rid: holder.rid, name: holder.name, made: false }
            : { kind: "admin" },
      );
    }
    for (const key of this.#services.keys()) if (!now.has(key)) this.owners.delete(key);
  }

  #trackSessions(now: Map<string, SessionView>, cause: Cause): void {
    for (const key of now.keys()) if (!this.#firstSeen.has(key)) this.#firstSeen.set(key, this.#seq);
    const ended = new Map<string, SessionView[]>();
    for (const [key, session] of this.#sessions) {
      if (now.has(key)) continue;
      const svm = serviceKey(session.cluster, session.svmUuid);
      ended.set(svm, [...(ended.get(svm) ?? []), session]);
    }
    for (const [svm, sessions] of ended) {
      if (cause.kind === "event" && cause.admin) continue;
      const { cluster, svmUuid, svmName } = sessions[0];
      const write = this.#writer(cause, cluster, svmUuid, svmName, ["disable", "delete"]);
      if (!write) {
        this.#report({
          invariant: 3,
          run: this.run.index,
          message: `sessions on ${svm} ended with no disable or delete to put them down to`,
        });
        continue;
      }
      const log = this.runs.find((r) => r.index === (write.step?.run ?? this.run.index)) ?? this.run;
      this.#report(
        judgeCutOff({
          request: write,
          ended: sessions,
          warnings: log.warnings,
          runStart: log.start,
          firstSeen: (s) => this.#firstSeen.get(s.key) ?? 0,
          preflight: log.preflight,
          sessionReads: this.#sessionReads
            .filter((r) => r.cluster === cluster && (r.svms === undefined || r.svms.includes(svmUuid)))
            .map((r) => r.seq),
        }),
      );
    }
  }
}
