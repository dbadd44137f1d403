/**
 * The schedulers a story runs under. Exploring, it is fast-check's (`fc.scheduler()`): it
 * picks which held task goes next from its seed. Replaying a regression case, it is a
 * recorded order of task labels (a request's method, path, body and step; an event; time
 * passing): each choice takes the next recorded label that is held now, so the same
 * interleaving is reproduced even after the provider changes the requests it sends
 * around it; when none of the next few recorded labels is held, the oldest held task goes.
 */
import type { Scheduler } from "fast-check";

/** What the explorer needs of a scheduler. */
export type TaskScheduler = Pick<Scheduler, "schedule" | "count" | "waitOne">;

/** How far ahead in the recorded order a choice may look for a task that is held now. */
const LOOKAHEAD = 4;

/** Releases held tasks in a recorded order of labels. */
export class ReplayScheduler implements TaskScheduler {
  readonly #held: Array<{ label: string; release: () => void }> = [];
  #next = 0;
  /** The labels released, in order. */
  readonly released: string[] = [];

  constructor(private readonly order: readonly string[]) {}

  schedule<T>(task: PromiseLike<T>, label?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#held.push({
        label: label ?? "",
        release: () => void Promise.resolve(task).then(resolve, reject),
      });
    });
  }

  count(): number {
    return this.#held.length;
  }

  async waitOne(): Promise<void> {
    if (this.#held.length === 0) throw new Error("No task scheduled");
    let index = 0;
    for (let ahead = 0; ahead < LOOKAHEAD && this.#next + ahead < this.order.length; ahead++) {
      const i = this.#held.findIndex((t) => t.label === this.order[this.#next + ahead]);
      if (i >= 0) {
        index = i;
        this.#next += ahead + 1;
        break;
      }
    }
    const [task] = this.#held.splice(index, 1);
    this.released.push(task.label);
    task.release();
  }
}

/** The labels a fast-check scheduler released, in order: a schedule to record. */
export function releasedLabels(scheduler: Scheduler): string[] {
  return scheduler
    .report()
    .filter((task) => task.status !== "pending")
    .map((task) => task.label);
}
