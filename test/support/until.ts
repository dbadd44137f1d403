import { setTimeout as sleep } from "node:timers/promises";

/**
 * Waits until `condition` holds (an event the test cannot await directly, such as the
 * simulator having seen a request), looking every few ms; fails naming `what` after
 * `ms`, a bound far beyond any healthy run. With held jobs (Simulator.setAsyncJobs
 * `{ held: true }`) the test then ends the job itself: no timer races the code under test.
 */
export async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await sleep(5);
  }
}
