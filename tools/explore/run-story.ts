/**
 * Plays one story on fresh clusters under one schedule: for each run, the program change,
 * the events before it, the faults and job behaviour, the run itself through the driver
 * (interleaved by the scheduler), then the invariants, then the time that passes after it.
 */

import { IscsiServiceProvider } from "../../provider";
import type { VirtualClock } from "./clock";
import { Clusters } from "./clusters";
import { Driver, type ProgramResource, type StateEntry } from "./driver";
import { type DuringEvent, interleave } from "./interleave";
import { judgeRunEnd } from "./invariants";
import { Observer } from "./observer";
import type { Violation } from "./records";
import type { TaskScheduler } from "./replay";
import {
  ALIASES,
  applyChange,
  argsOf,
  initialProgram,
  type OutOfBand,
  type ProgramEntry,
  type Story,
} from "./story";
import { routeRequests } from "./transport";

/** What a story did: every violation, and a transcript a person can follow. */
export interface StoryResult {
  violations: Violation[];
  transcript: string[];
}

function describeEvent(e: OutOfBand): string {
  const where = `cluster ${"ab"[e.cluster]}`;
  if (e.kind === "finish-jobs" || e.kind === "purge-jobs") return `${e.kind} on ${where}`;
  const extra =
    e.kind === "create-service"
      ? ` enabled=${e.enabled} alias=${JSON.stringify(ALIASES[e.alias] ?? null)}`
      : e.kind === "set-enabled"
        ? ` ${e.enabled}`
        : e.kind === "svm-state"
          ? ` ${e.state}`
          : e.kind === "login"
            ? ` ${e.hosts}`
            : "";
  return `${e.kind} ${where} svm#${e.svm}${extra}`;
}

/** The program's registrations in the order they reach the engine this run. */
function arrivals(program: ProgramEntry[], order: number[]): ProgramResource[] {
  const keyed = program.map((entry, i) => ({ entry, key: order[i % Math.max(1, order.length)] ?? 0, i }));
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map(({ entry }) => ({
    name: entry.name,
    aliases: entry.aliases,
    args: argsOf(entry),
    ...(entry.spec.deleteBeforeReplace === undefined
      ? {}
      : { deleteBeforeReplace: entry.spec.deleteBeforeReplace }),
  }));
}

function describeResource(r: ProgramResource): string {
  const opts = [
    ...(r.aliases.length ? [`aliases=${r.aliases.join(",")}`] : []),
    ...(r.deleteBeforeReplace === undefined ? [] : [`deleteBeforeReplace=${r.deleteBeforeReplace}`]),
  ];
  return `${r.name} ${JSON.stringify(r.args)}${opts.length ? ` (${opts.join(", ")})` : ""}`;
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
  const transcript: string[] = [];
  let reported = 0;
  /** Puts the violations found since the last call into the transcript. */
  const report = () => {
    const all = observer.violations;
    for (const v of all.slice(reported))
      transcript.push(`  VIOLATION of invariant ${v.invariant} (run ${v.run + 1}): ${v.message}`);
    reported = all.length;
  };
  let program = initialProgram(story.program, clusters.svmName);
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
      observer.startRun(index);
      const jobs = run.jobs.mode === "late" ? `late ${run.jobs.delayMs} ms` : run.jobs.mode;
      transcript.push(
        `run ${index + 1}: ${run.kind} --parallel ${run.parallel} (preflight ${run.preflight ? "on" : "off"}, jobs ${jobs}` +
          `${run.faults.length ? `, faults ${JSON.stringify(run.faults)}` : ""})`,
      );
      if (run.kind === "preview" || run.kind === "up")
        for (const r of resources) transcript.push(`  program: ${describeResource(r)}`);
      const work = driver.operate(run.kind, index, resources, run.parallel);
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
      for (const w of log.warnings) transcript.push(`  warning: ${w.text.split("\n")[0]}`);
      for (const e of outcome.errors) transcript.push(`  error: ${e.split("\n")[0]}`);
      transcript.push(
        `  ${outcome.ok ? "succeeded" : "failed"}; state: ${[...driver.state.keys()].join(", ") || "empty"}`,
      );
      const judged = judgeRunEnd({
        run: index,
        kind: run.kind,
        ok: outcome.ok,
        errors: outcome.errors,
        state: [...driver.state.values()].map((s) => ({
          name: s.name,
          outputs: s.outputs,
          cluster: clusterOf(s),
        })),
        services: observer.services,
        servicesBefore: log.servicesBefore,
        touched: log.touched,
        drifted: observer.drifted,
        program: new Set(program.map((e) => e.name)),
        owners: observer.owners,
        jobRunning: (c, uuid) => {
          const job = clusters.sims[c].job(uuid);
          return job !== undefined && job.endTime === undefined;
        },
      });
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
