import * as os from "node:os";

/** The engine's default `--parallel`: 4 × the machine's CPU cores (pulumi/pulumi#15016). */
export function defaultParallel(): number {
  return 4 * Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** Checks a `--parallel` value: a whole number ≥ 1, or Infinity for unbounded. */
export function checkParallel(parallel: number): number {
  if (parallel === Number.POSITIVE_INFINITY || (Number.isInteger(parallel) && parallel >= 1)) return parallel;
  throw new RangeError(`parallel must be a whole number ≥ 1 or Infinity, got ${parallel}`);
}

/**
 * The engine's step executor, as far as a harness needs it: at most `limit` steps run at
 * once; `submit` waits for a free worker (so the caller, like the engine's step generator,
 * blocks while all are busy); after the first failure no further step starts, and `drain`
 * waits for those still running, then throws that failure.
 */
export class StepPool {
  private running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  /** Most steps that ran at once. */
  peak = 0;

  constructor(
    readonly limit: number,
    /** Told how many steps run each time one starts. */
    private readonly onStart: (running: number) => void = () => {},
  ) {
    checkParallel(limit);
  }

  /** Whether a step has failed: start nothing more. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Starts `step` once a worker is free; resolves when it has started. False when a failure stopped the pool. */
  async submit(step: () => Promise<void>): Promise<boolean> {
    while (this.running.size >= this.limit && !this.failed) await Promise.race(this.running);
    if (this.failed) return false;
    const run = step().then(
      () => {
        this.running.delete(run);
      },
      (error: unknown) => {
        this.running.delete(run);
        this.failure ??= { error };
      },
    );
    this.running.add(run);
    this.peak = Math.max(this.peak, this.running.size);
    this.onStart(this.running.size);
    return true;
  }

  /** Waits for every running step; throws the first failure, if any. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }
}
