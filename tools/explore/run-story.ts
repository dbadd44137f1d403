/**
 * Plays one story on fresh clusters under one schedule: for each run, the program change,
 * the events before it, the faults and job behavior, the run itself through the driver
 * (interleaved by the scheduler), then the invariants, then the time that passes after it.
 */

import { IscsiServiceProvider } from "../../provider";
import type { VirtualClock } from "./clock";
import { Clusters } from "./clusters";
import { Driver, type StateEntry } from "./driver";
import { type DuringEvent, interleave } from "./interleave";
import { judgeRunEnd, type StateView } from "./invariants";
import { duplicatesNamedApart, knownLimit, sharedOrAdopted } from "./limits";
import { Observer } from "./observer";
import { arrivals, describeEvent, describeResource, leaving, stateViews } from "./plan";
import { serviceKey, type Violation } from "./records";
import type { TaskScheduler } from "./replay";
import { ALIASES, applyChange, entryKey, initialProgram, type ProgramEntry, type Story } from "./story";
import { routeRequests } from "./transport";

/** What a story did: every violation, and a transcript a person can follow. */
export interface StoryResult {
  violations: Violation[];
  transcript: string[];
}

/** Plays `story`; never throws for what the provider does (that is a violation or an error of a run). */
export async function runStory(
  story: Story,
  scheduler: TaskScheduler,
  clock: VirtualClock,
): Promise<StoryResult> {
  clock.reset(1);
  const clusters = await Clusters.start(story.clusters);
  routeRequests((host) => clusters.simFor(host));
  const observer = new Observer(clusters, scheduler);
  clusters.sims.forEach((sim, c) => {
    sim.setGate(observer.gate(c));
  });
  let config = clusters.config(true);
  const clusterOf = (entry: StateEntry) => clusters.clusterOfHost(entry.outputs.host);
  const driver = new Driver({
    provider: async () => {
      const provider = new IscsiServiceProvider({ env: {}, logger: observer.logger });
      const runConfig = config;
      await provider.configure({ config: { get: (key: string) => runConfig[key] } });
      return provider;
    },
    recorded: (entry, how) => {
      const c = clusterOf(entry);
      if (c === undefined) return;
      observer.recorded(
        c,
        entry.outputs.svmUuid,
        { rid: entry.rid, name: entry.name },
        how,
        entry.outputs.adopted,
      );
    },
  });
  // A resource whose create is pending holds its SVM's service only once its job succeeded.
  observer.recordedBy = (key) => {
    const s = [...driver.state.values()].find((e) => {
      const c = clusterOf(e);
      if (c === undefined || serviceKey(c, e.outputs.svmUuid) !== key) return false;
      return (
        e.outputs.pendingJob === undefined || clusters.sims[c].job(e.outputs.pendingJob)?.state === "success"
      );
    });
    return s && { rid: s.rid, name: s.name };
  };
  const transcript: string[] = [];
  const namedApart = new Set<string>();
  /** Ups without their preview that failed, and the services ./limits excuses there. */
  const unpreviewed = new Map<number, Set<string>>();
  /** The errors of the runs so far. */
  const earlierErrors: string[] = [];
  /**
   * Services a known limit left recorded by two resources, and that limit. `unpreviewed`:
   * left by an up without its preview, where deleting either holder may delete it (a
   * delete-first replacement of one runs before the other's Check).
   */
  const doublyHeld = new Map<string, { limit: string; unpreviewed: boolean }>();
  let reported = 0;
  /** Puts the violations found since the last call into the transcript, known limits marked. */
  const report = () => {
    const all = observer.violations;
    for (const v of all.slice(reported)) {
      const held = v.key === undefined ? undefined : doublyHeld.get(v.key);
      const limit =
        knownLimit(v, namedApart, unpreviewed) ??
        // Two holders a limit left in state stay there until a run resolves them, and so
        // does what the other's writes left in the state of the first (invariant 1); after
        // an up without its preview, so does a delete of either (invariant 2).
        (held && (v.invariant === 4 || v.invariant === 1 || (v.invariant === 2 && held.unpreviewed))
          ? `left by an earlier run's limit (${held.limit})`
          : undefined);
      if (limit && (v.invariant === 4 || v.invariant === 2) && v.key !== undefined && !doublyHeld.has(v.key))
        doublyHeld.set(v.key, { limit, unpreviewed: unpreviewed.has(v.run) });
      if (limit) v.limit = limit;
      transcript.push(
        limit
          ? `  known limit (${limit}): invariant ${v.invariant} (run ${v.run + 1}): ${v.message}`
          : `  VIOLATION of invariant ${v.invariant} (run ${v.run + 1}): ${v.message}`,
      );
    }
    reported = all.length;
  };
  let program = initialProgram(story.program, clusters.svmName);
  story.clusters.forEach((start, c) => {
    for (const s of start.services)
      transcript.push(
        `cluster ${"ab"[c]}: SVM "${clusters.svmName(c, s.svm)}" has a service (enabled ${s.enabled}, alias ${JSON.stringify(ALIASES[s.alias] ?? null)})`,
      );
    for (const s of start.sessions)
      transcript.push(`cluster ${"ab"[c]}: ${s.hosts} host(s) log in to SVM "${clusters.svmName(c, s.svm)}"`);
  });
  try {
    for (const [index, run] of story.runs.entries()) {
      program = run.changes.reduce((p, change) => applyChange(p, change, clusters.svmName), program);
      for (const event of run.before) {
        const admin = event.kind !== "finish-jobs" && event.kind !== "purge-jobs";
        observer.begin({ kind: "event", text: describeEvent(event), admin });
        const text = clusters.apply(event);
        await clock.settle();
        observer.settled();
        if (text) transcript.push(`  before run ${index + 1}: ${text}`);
      }
      report();
      config = clusters.config(run.preflight);
      clusters.setJobs(run.jobs);
      clusters.injectFaults(run.faults);
      const resources = arrivals(program, run.order);
      if (!run.preflight && (run.kind === "up" || run.kind === "preview"))
        for (const key of duplicatesNamedApart(program)) namedApart.add(key);
      observer.startRun(index, run.preflight, leaving(driver, program, clusterOf));
      const jobs = run.jobs.mode === "late" ? `late ${run.jobs.delayMs} ms` : run.jobs.mode;
      transcript.push(
        `run ${index + 1}: ${run.kind}${run.kind === "up" && run.previewFirst !== true ? " --skip-preview" : ""} --parallel ${run.parallel} (preflight ${run.preflight ? "on" : "off"}, jobs ${jobs}` +
          `${run.faults.length ? `, faults ${JSON.stringify(run.faults)}` : ""})`,
      );
      if (run.kind === "preview" || run.kind === "up")
        for (const r of resources) transcript.push(`  program: ${describeResource(r)}`);
      const work = driver.operate(run.kind, index, resources, run.parallel, run.previewFirst === true);
      const during: DuringEvent[] = run.during.map((event) => ({
        label: `event ${describeEvent(event)}`,
        apply: () => clusters.apply(event),
        admin: event.kind !== "finish-jobs" && event.kind !== "purge-jobs",
      }));
      const stuck = await interleave(work, scheduler, clock, observer, during);
      clusters.clearFaults();
      const log = observer.run;
      for (const line of log.lines) transcript.push(`  ${line}`);
      if (stuck) {
        log.violations.push(stuck);
        report();
        break;
      }
      const outcome = await work;
      observer.endRun();
      observer.abandoned(abandonedJobs([...outcome.errors, ...log.warnings.map((w) => w.text)]));
      if (run.kind === "up" && run.previewFirst !== true && !outcome.ok)
        unpreviewed.set(index, new Set(sharedOrAdopted(program)));
      for (const w of log.warnings) transcript.push(`  warning: ${w.text.split("\n")[0]}`);
      for (const e of outcome.errors) transcript.push(`  error: ${e.split("\n")[0]}`);
      transcript.push(
        `  ${outcome.ok ? "succeeded" : "failed"}; state: ${[...driver.state.keys()].join(", ") || "empty"}`,
      );
      const views = stateViews(driver, clusterOf, program);
      // A failed hand-over leaves the adopter and the resource still moving away both
      // recording the service (invariant 4 excuses the moving one): if the program then
      // keeps the mover where it was, the two are left over from that, not new.
      for (const [key, holders] of heldBy(views, false))
        if (holders.length > 1 && holders.filter((h) => !h.moving).length === 1 && !doublyHeld.has(key))
          // Not excused for deletes: the provider must leave the service to the one that stays.
          doublyHeld.set(key, { limit: `a hand-over that failed in run ${index + 1}`, unpreviewed: false });
      // So do two records of a service that an up without its preview left (one may still
      // wait on its pending job, and hold the service once a later run settles it).
      for (const key of unpreviewed.get(index) ?? [])
        if ((heldBy(views, true).get(key)?.length ?? 0) > 1 && !doublyHeld.has(key))
          doublyHeld.set(key, { limit: `an up without its preview in run ${index + 1}`, unpreviewed: true });
      const judged = judgeRunEnd({
        run: index,
        kind: run.kind,
        ok: outcome.ok,
        errors: outcome.errors,
        warnings: log.warnings.map((w) => w.text),
        state: views,
        services: observer.services,
        servicesBefore: log.servicesBefore,
        touched: log.touched,
        drifted: observer.drifted,
        program: new Set(program.map((e) => e.name)),
        namedAs: namesInProgram(program),
        earlierErrors: [...earlierErrors],
        owners: observer.owners,
        jobWriteRunning: (key) => observer.jobWriteRunning(key),
        disables: log.disables,
      });
      earlierErrors.push(...outcome.errors);
      // A state left wrong stays wrong in the runs after: said once.
      const said = new Set(observer.violations.map((v) => `${v.invariant} ${v.message}`));
      log.violations.push(...judged.filter((v) => !said.has(`${v.invariant} ${v.message}`)));
      if (clusters.unexpected.length > 0)
        log.violations.push({
          invariant: 0,
          run: index,
          message: `unexpected requests: ${clusters.unexpected.join("; ")}`,
        });
      report();
      if (run.after > 0) {
        observer.begin({ kind: "clock" });
        await clock.pass(run.after);
        observer.settled();
        transcript.push(`  ${run.after / 1000} s pass`);
        report();
      }
    }
  } finally {
    for (const sim of clusters.sims) sim.setGate(undefined);
    await clusters.stop();
  }
  return { violations: observer.violations, transcript };
}

/** The ONTAP jobs a run's messages say it stopped waiting for ("… job <uuid> … is still running after …"). */
function abandonedJobs(messages: string[]): string[] {
  const jobs: string[] = [];
  for (const m of messages)
    for (const match of m.matchAll(/ONTAP job ([0-9a-f-]{36}) [^\n]*?is still (?:running|queued|paused)/g))
      jobs.push(match[1]);
  return jobs;
}

/** The resources in state (not leaving; with a pending job only if asked) recording each service. */
function heldBy(views: StateView[], pending: boolean): Map<string, StateView[]> {
  const held = new Map<string, StateView[]>();
  for (const v of views) {
    if (v.cluster === undefined || v.leaving || (!pending && v.outputs.pendingJob !== undefined)) continue;
    const key = serviceKey(v.cluster, v.outputs.svmUuid);
    held.set(key, [...(held.get(key) ?? []), v]);
  }
  return held;
}

/** The SVM names the program writes, by the service (key) each names. */
function namesInProgram(program: ProgramEntry[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const entry of program) {
    const key = entryKey(entry);
    names.set(key, [...(names.get(key) ?? []), entry.svmName]);
  }
  return names;
}
