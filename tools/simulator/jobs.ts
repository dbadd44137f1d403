/**
 * ONTAP jobs for writes answered with 202: queued, then running (optionally paused for a
 * while), then success or failure after a delay. The job's work runs when it completes.
 * A finished job is purged `retentionMs` after it ended (ONTAP: about 300 s); GET then
 * answers 404.
 */
import { randomUUID } from "node:crypto";
import type { OntapError } from "./errors";

/** What a job's work reports; `error` keeps the refusal for a caller that waited. */
export type JobResult = { ok: true } | { ok: false; code: string; message: string; error?: OntapError };

/** A job as ONTAP shapes it. */
export interface Job {
  uuid: string;
  description: string;
  state: "queued" | "running" | "paused" | "success" | "failure";
  code: number;
  message: string;
  startTime: number;
  endTime?: number;
  /** The final error of a failed job. */
  error?: { code: string; message: string };
  /** The SVM the job works on, when it has one. */
  svm?: { name: string; uuid: string };
}

/** Options of one job. */
export interface JobTiming {
  delayMs: number;
  /** Time spent "paused" between running and finishing. Default 0. */
  pausedMs?: number;
  /** The job stays "running" after `delayMs` until `finishHeld()`: tests drive its end. */
  held?: boolean;
}

/** The jobs of one simulator; timers are canceled by stop(). */
export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiting = new Map<string, Array<() => void>>();
  /** The endings of held jobs, in start order. */
  private readonly held = new Map<string, () => void>();

  /** How long a finished job stays readable, in ms. */
  constructor(public retentionMs = 300e3) {}

  /**
   * Starts a job whose work runs after `delayMs` (plus `pausedMs`): "running" halfway,
   * "paused" from three quarters of `delayMs` for `pausedMs`, then "running" again.
   */
  start(description: string, timing: JobTiming, work: () => JobResult, svm?: Job["svm"]): Job {
    const { delayMs, pausedMs = 0 } = timing;
    const job: Job = {
      uuid: randomUUID(),
      description,
      state: "queued",
      code: 0,
      message: "Queued",
      startTime: Date.now(),
    };
    if (svm) job.svm = { ...svm };
    this.jobs.set(job.uuid, job);
    this.later(delayMs / 2, () => {
      if (job.state === "queued") Object.assign(job, { state: "running", message: "Running" });
    });
    if (pausedMs > 0) {
      this.later((delayMs * 3) / 4, () => Object.assign(job, { state: "paused", message: "Paused" }));
      this.later((delayMs * 3) / 4 + pausedMs, () =>
        Object.assign(job, { state: "running", message: "Running" }),
      );
    }
    const finish = () => {
      let result: JobResult;
      try {
        result = work();
      } catch (e) {
        result = { ok: false, code: "65562", message: (e as Error).message };
      }
      job.endTime = Date.now();
      if (result.ok) Object.assign(job, { state: "success", code: 0, message: "success" });
      else {
        Object.assign(job, { state: "failure", code: Number(result.code), message: result.message });
        job.error = { code: result.code, message: result.message };
      }
      this.wake(job.uuid);
    };
    if (timing.held) this.held.set(job.uuid, finish);
    else this.later(delayMs + pausedMs, finish);
    return job;
  }

  /** Ends every held job now (its work runs), in start order; returns how many ended. */
  finishHeld(): number {
    const endings = [...this.held.values()];
    this.held.clear();
    for (const finish of endings) finish();
    return endings.length;
  }

  /** Forgets every finished job now, as ONTAP's purge does after the retention time (GET: 404). */
  purgeFinished(): number {
    const before = this.jobs.size;
    this.purge(Number.POSITIVE_INFINITY);
    return before - this.jobs.size;
  }

  /** Resolves when the job has ended (or the simulator stopped). */
  done(job: Job): Promise<void> {
    if (job.endTime !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiting.get(job.uuid) ?? [];
      list.push(resolve);
      this.waiting.set(job.uuid, list);
    });
  }

  get(uuid: string): Job | undefined {
    this.purge();
    return this.jobs.get(uuid);
  }

  all(): Job[] {
    this.purge();
    return [...this.jobs.values()];
  }

  /** Cancels every pending transition and releases whoever waits. */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held.clear();
    for (const uuid of [...this.waiting.keys()]) this.wake(uuid);
  }

  private purge(now = Date.now()): void {
    for (const [uuid, job] of this.jobs) {
      if (job.endTime !== undefined && now - job.endTime >= this.retentionMs) this.jobs.delete(uuid);
    }
  }

  private wake(uuid: string): void {
    for (const resolve of this.waiting.get(uuid) ?? []) resolve();
    this.waiting.delete(uuid);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}

/** The href of a job. */
export function jobHref(uuid: string): string {
  return `/api/cluster/jobs/${uuid}`;
}

/** A job's full record; `timestamp` writes times in the cluster's offset. */
export function jobRecord(
  job: Job,
  node: { name: string; uuid: string },
  timestamp: (ms: number) => string,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    uuid: job.uuid,
    description: job.description,
    state: job.state,
    message: job.message,
    code: job.code,
    start_time: timestamp(job.startTime),
  };
  if (job.endTime !== undefined) record.end_time = timestamp(job.endTime);
  if (job.error) record.error = { ...job.error };
  record.node = { ...node, _links: { self: { href: `/api/cluster/nodes/${node.uuid}` } } };
  if (job.svm) record.svm = { ...job.svm, _links: { self: { href: `/api/svm/svms/${job.svm.uuid}` } } };
  record._links = { self: { href: jobHref(job.uuid) } };
  return record;
}

/** The job link ONTAP puts in the body of a write that ran as a job. */
export function jobLink(job: Job): { job: Record<string, unknown> } {
  return { job: { uuid: job.uuid, _links: { self: { href: jobHref(job.uuid) } } } };
}
