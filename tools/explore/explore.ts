/**
 * The search: fast-check generates stories (./arbitraries) and a scheduler per story, plays
 * each (./run-story), and fails the property on the first violated invariant. The search
 * goes on past a failure with the next seed; the first failure of each kind (invariant and
 * message shape) is shrunk to a minimal story, and kept with its seed and path (for
 * `--replay`) and its schedule (for a regression case).
 */
import fc from "fast-check";
import { story as storyArbitrary } from "./arbitraries";
import { VirtualClock, wallNow } from "./clock";
import type { Violation } from "./records";
import { ReplayScheduler, releasedLabels } from "./replay";
import { runStory, type StoryResult } from "./run-story";
import type { Story } from "./story";

/** A violation the search found. */
export interface Finding {
  /** fast-check's seed and path of the (shrunk) counterexample: `--replay <seed>:<path>`. */
  seed: number;
  path: string;
  /** Schedules the search had explored when it first met this one. */
  foundAfter: number;
  violation: Violation;
  /** Whether it was shrunk (the first of its kind) or only counted. */
  shrunk: boolean;
  story: Story;
  /** The labels released, in order: the schedule (./replay ReplayScheduler). */
  schedule: string[];
  transcript: string[];
}

export interface ExploreOptions {
  schedules: number;
  seed: number;
  /** Shrink the first failure of each kind (default true). */
  shrink?: boolean;
  /** Called now and then with the schedules explored so far. */
  progress?: (explored: number) => void;
}

export interface ExploreResult {
  schedules: number;
  /** Violations that are documented limits (./limits): counted, not findings. */
  knownLimits: number;
  seconds: number;
  seed: number;
  findings: Finding[];
}

class ViolationFound extends Error {
  constructor(readonly result: StoryResult) {
    const first = result.violations[0];
    super(`invariant ${first.invariant} (run ${first.run + 1}): ${first.message}`);
  }
}

/** The shape of a violation, names and numbers left out: one shrink per shape. */
export function kindOf(v: Violation): string {
  const shape = v.message
    .replace(/"[^"]*"/g, '""')
    .replace(/iqn\.[^\s,]+(, iqn\.[^\s,]+)*/g, "<hosts>")
    .replace(/\b\d:[0-9a-f-]{36}\b/g, "<service>")
    .replace(/\(cluster [ab]\)/g, "(cluster)")
    .replace(/\br\d+(-v\d+)?\b/g, "r")
    .replace(/\br( and r)+\b/g, "r and r")
    .replace(/\d+/g, "#");
  return `${v.invariant}: ${shape}`;
}

const clock = new VirtualClock();
/** Violations that are documented limits (./limits), met so far. */
const limits = { count: 0 };
let installed = false;

/** Puts the process on virtual time (once); ./transport must already be installed. */
function install(): void {
  if (installed) return;
  clock.install(1);
  installed = true;
}

/**
 * The property: a story played under a scheduler violates nothing (or, with `kind`, nothing
 * of that kind: shrinking keeps to the violation found). `onFailure` receives each failing result.
 */
function property(onFailure: (result: StoryResult, scheduler: fc.Scheduler) => void, kind?: string) {
  return fc.asyncProperty(storyArbitrary, fc.scheduler(), async (story, scheduler) => {
    const result = await runStory(story, scheduler, clock);
    limits.count += result.violations.filter((v) => v.limit !== undefined).length;
    const violations = result.violations.filter(
      (v) => v.limit === undefined && (kind === undefined || kindOf(v) === kind),
    );
    if (violations.length > 0) {
      const failing = {
        ...result,
        violations: [...violations, ...result.violations.filter((v) => !violations.includes(v))],
      };
      onFailure(failing, scheduler);
      throw new ViolationFound(failing);
    }
  });
}

/** Replays one case of the search (as `--replay <seed>:<path>`), without shrinking it further. */
export async function replay(
  seed: number,
  path: string,
): Promise<{ story?: Story; result?: StoryResult; schedule: string[] }> {
  install();
  let failing: { result: StoryResult; scheduler: fc.Scheduler } | undefined;
  let story: Story | undefined;
  let schedule: string[] = [];
  const details = await fc.check(
    property((result, scheduler) => {
      failing = { result, scheduler };
    }),
    { seed, path, numRuns: 1, endOnFailure: true },
  );
  if (details.counterexample) story = details.counterexample[0];
  if (failing) schedule = releasedLabels(failing.scheduler);
  return { ...(story ? { story } : {}), ...(failing ? { result: failing.result } : {}), schedule };
}

/** Plays a kept story under its recorded schedule (./cases). */
export async function replayCase(story: Story, schedule: string[]): Promise<StoryResult> {
  install();
  return runStory(story, new ReplayScheduler(schedule), clock);
}

/** Explores `schedules` schedules from `seed`. */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  install();
  const started = wallNow();
  const limitsBefore = limits.count;
  const findings: Finding[] = [];
  const kinds = new Set<string>();
  let explored = 0;
  let seed = options.seed;
  while (explored < options.schedules) {
    let failing: { result: StoryResult; scheduler: fc.Scheduler } | undefined;
    const check = property((result, scheduler) => {
      failing = { result, scheduler };
    });
    const found = await fc.check(check, {
      seed,
      numRuns: options.schedules - explored,
      endOnFailure: true,
      reporter: () => {},
    });
    explored += found.numRuns;
    options.progress?.(explored);
    if (!found.failed || !failing || found.counterexamplePath === null) break;
    const first = failing.result.violations[0];
    const kind = kindOf(first);
    let finding: Finding = {
      seed,
      path: found.counterexamplePath,
      foundAfter: explored,
      violation: first,
      shrunk: false,
      story: (found.counterexample as [Story, fc.Scheduler])[0],
      schedule: releasedLabels(failing.scheduler),
      transcript: failing.result.transcript,
    };
    if (options.shrink !== false && !kinds.has(kind)) {
      const sameKind = property((result, scheduler) => {
        failing = { result, scheduler };
      }, kind);
      const shrunk = await fc.check(sameKind, { seed, path: found.counterexamplePath, reporter: () => {} });
      if (shrunk.failed && shrunk.counterexample && shrunk.counterexamplePath !== null && failing) {
        finding = {
          ...finding,
          path: shrunk.counterexamplePath,
          violation: failing.result.violations[0],
          shrunk: true,
          story: shrunk.counterexample[0],
          schedule: releasedLabels(failing.scheduler),
          transcript: failing.result.transcript,
        };
      }
    }
    kinds.add(kind);
    findings.push(finding);
    // The next schedules come from the next seed: fast-check stops at a failure.
    seed = (seed + 1) | 0;
  }
  return {
    schedules: explored,
    knownLimits: limits.count - limitsBefore,
    seconds: (wallNow() - started) / 1000,
    seed: options.seed,
    findings,
  };
}
