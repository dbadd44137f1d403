/**
 * One run under the scheduler. Whenever the process is idle (every promise chain has run,
 * nothing due on the virtual clock), the choices are: the requests held at the clusters'
 * gates, the events outside Pulumi still to happen during the run, and letting time move
 * to the next timer (a job's end, a poll, a retry's backoff, a read batch's window).
 * fast-check's scheduler picks one; the explorer lets it through, waits for idle again and
 * records what changed. Idle is exact, not guessed: no socket is involved (./transport) and
 * every timer is virtual (./clock). So every interleaving that `--parallel` allows is one
 * the scheduler can pick, and the same choices replay the same run.
 */

import type { VirtualClock } from "./clock";
import type { Observer } from "./observer";
import type { Violation } from "./records";
import type { TaskScheduler } from "./replay";

/**
 * How far time may move while requests are held: job waits, polls, backoffs and batch
 * windows are within it; a request's own timeout (ontap:timeoutMs) is not, so a held
 * request times out only when nothing else can move (a `hang` fault).
 */
export const HORIZON_MS = 10_000;

/** A run that takes more moves than this does not end. */
const MAX_MOVES = 20_000;

/** An event outside Pulumi that happens during the run, when the scheduler lets it. */
export interface DuringEvent {
  label: string;
  /** Applies it; undefined when it does not apply any more. */
  apply(): string | undefined;
  /** An administrator's change (rather than the cluster's own: held jobs end, purges). */
  admin: boolean;
}

/** Runs `work` (a driver operation) to its end and until nothing is held; a violation 0 if it cannot end. */
export async function interleave(
  work: Promise<unknown>,
  scheduler: TaskScheduler,
  clock: VirtualClock,
  observer: Observer,
  events: DuringEvent[],
): Promise<Violation | undefined> {
  let done = false;
  void work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (const event of events)
    void scheduler.schedule(Promise.resolve(), event.label).then(() => {
      observer.begin(
        { kind: "event", text: event.label, admin: event.admin },
        `${event.label}: ${event.apply() ?? "no effect"}`,
      );
    });
  let offered = false;
  let tick = false;
  const stuck = (why: string): Violation => ({
    invariant: 0,
    run: observer.run.index,
    message: `the run does not end: ${why}`,
  });
  for (let moves = 0; moves < MAX_MOVES; moves++) {
    await clock.settle();
    if (tick) {
      tick = false;
      await clock.advance();
      continue;
    }
    observer.settled();
    const next = clock.nextAt();
    if (!done && !offered && next !== undefined && next - clock.now <= HORIZON_MS) {
      offered = true;
      void scheduler.schedule(Promise.resolve(), "time passes").then(() => {
        offered = false;
        if (done) return;
        tick = true;
        observer.begin({ kind: "clock" });
      });
    }
    if (scheduler.count() > 0) {
      await scheduler.waitOne();
      continue;
    }
    if (done) return undefined;
    if (next === undefined) return stuck("nothing is held and no timer is set");
    observer.begin({ kind: "clock" });
    await clock.advance();
  }
  return stuck(`more than ${MAX_MOVES} moves`);
}
